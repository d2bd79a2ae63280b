package io.pekkokq.http.suite;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.http.javadsl.KqHttp;
import io.pekkokq.runtime.KqScheduler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Pekko HTTP's request timeout, the timer the opt-in {@link KqScheduler} is for (one per
 * request, cancelled when the response is ready; docs/pekko-http.md, "Tuning the tail"),
 * on an actor system that runs on it: a KqHttp server answers a request its route never
 * completes with the 503 of {@link HttpSuite#requestTimeoutAnswers503}, and a prompt
 * request with 200.
 */
class KqSchedulerRequestTimeoutTest {
  @Test
  void aRequestTimeoutAnswers503OnKqScheduler() throws Exception {
    ActorSystem system = ActorSystem.create("KqSchedulerRequestTimeout", ConfigFactory.parseString(
        "pekko.loglevel = WARNING\n"
            + "pekko.scheduler.implementation = \"io.pekkokq.runtime.KqScheduler\"\n"
            + "pekko.http.server.request-timeout = 1s\n"
            // the first materialization in a cold JVM may be slow on a loaded machine
            + "pekko.io.kq.register-timeout = 60s")
        .withFallback(ConfigFactory.load()));
    try {
      assertInstanceOf(KqScheduler.class, system.scheduler());
      TestRoutes routes = new TestRoutes();
      ServerBinding binding = HttpSuite.await(KqHttp.get(system).newServerAt("127.0.0.1", 0).bind(routes.route(system)));
      try (RawConnection connection = new RawConnection(binding.localAddress().getPort())) {
        assertEquals(200, connection.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n").read().code());
        RawConnection.Response response = connection.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n").read();
        assertEquals(503, response.code());
        assertTrue(response.body().contains("timely response"), response.body());
        routes.nextSlow().complete(HttpResponse.create()); // too late: discarded
      } finally {
        HttpSuite.await(binding.terminate(Duration.ofSeconds(5)));
      }
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
