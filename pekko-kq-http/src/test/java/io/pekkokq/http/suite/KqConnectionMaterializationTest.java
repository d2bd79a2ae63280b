package io.pekkokq.http.suite;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.http.javadsl.KqHttp;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.javadsl.Flow;
import org.junit.jupiter.api.Test;

/**
 * With connections on the pool, {@code KqHttp} materializes each accepted connection in a
 * task of its own, not in the listener's turn (KqServer): a connection whose handler is
 * slow to materialize does not hold back the connections accepted after it. Pekko HTTP's
 * own binding materializes them one after the other, so this is pekko-kq's behaviour, not
 * part of the parity suite.
 */
class KqConnectionMaterializationTest {
  @Test
  void aConnectionSlowToMaterializeDoesNotHoldBackTheNextOne() throws Exception {
    ActorSystem system = ActorSystem.create("KqConnectionMaterialization",
        ConfigFactory.parseString("pekko.loglevel = WARNING\npekko.io.kq.register-timeout = 60s"));
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch firstBlocked = new CountDownLatch(1);
    try {
      ServerBinding binding = HttpSuite.await(KqHttp.get(system).newServerAt("127.0.0.1", 0)
          .bindFlow(answeringAfterFirstMaterialization(firstBlocked, release)));
      int port = binding.localAddress().getPort();
      try (RawConnection slow = new RawConnection(port)) {
        slow.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
        assertTrue(firstBlocked.await(30, TimeUnit.SECONDS), "the first connection's handler is materializing");
        // Held in its materialization until released: a connection opened now must be served meanwhile.
        try (RawConnection next = new RawConnection(port)) {
          assertEquals("answered", next.send("GET /next HTTP/1.1\r\nHost: t\r\n\r\n").read().body());
        }
        assertFalse(slow.answersWithin(100), "the first connection waits for its handler");
        release.countDown();
        slow.timeout(30_000);
        assertEquals("answered", slow.read().body());
      }
    } finally {
      release.countDown();
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Answers every request with "answered"; its first materialization blocks until {@code
   * release} (at most 30 s): Pekko computes a flow's materialized value while it
   * materializes the graph, on the thread that runs it.
   */
  private static Flow<HttpRequest, HttpResponse, NotUsed> answeringAfterFirstMaterialization(
      CountDownLatch blocked, CountDownLatch release) {
    AtomicBoolean first = new AtomicBoolean(true);
    return Flow.of(HttpRequest.class)
        .map(request -> HttpResponse.create().withEntity("answered"))
        .mapMaterializedValue(notUsed -> {
          if (first.compareAndSet(true, false)) {
            blocked.countDown();
            release.await(30, TimeUnit.SECONDS);
          }
          return notUsed;
        });
  }
}
