package io.pekkokq.http.suite;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.http.javadsl.KqHttp;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.SystemMaterializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/**
 * The one documented difference from Pekko HTTP's own binding (docs/pekko-http.md): a
 * {@code connectionSource()} binding's {@code terminate} drains its connections too, where
 * Pekko HTTP's only unbinds.
 */
class KqConnectionSourceTerminationTest {
  @Test
  void terminateClosesTheIdleConnectionsOfAConnectionSource() throws Exception {
    // The first Pekko HTTP materialization in a cold JVM took over 5 s (the default
    // register-timeout) on a loaded 2-core machine, and the unmaterialized connection was
    // reset: this test is about terminate, so it gives materialization room.
    ActorSystem system = ActorSystem.create("KqConnectionSourceTermination",
        ConfigFactory.parseString("pekko.loglevel = WARNING\npekko.io.kq.register-timeout = 60s"));
    try {
      ServerBinding binding = HttpSuite.await(KqHttp.get(system).newServerAt("127.0.0.1", 0).connectionSource()
          .to(Sink.foreach(connection -> connection.handleWithSyncHandler(
              request -> HttpResponse.create().withEntity("hi"), SystemMaterializer.get(system).materializer())))
          .run(system));
      try (RawConnection idle = new RawConnection(binding.localAddress().getPort())) {
        assertEquals("hi", idle.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().body());
        HttpSuite.await(binding.terminate(Duration.ofSeconds(30)));
        assertTrue(idle.closedByServer(), "terminate closed the idle connection");
      }
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
