package io.pekkokq.metrics;

import static org.junit.jupiter.api.Assertions.*;

import io.pekkokq.runtime.SocketCounters;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-thread counters: every count is kept, whichever thread made it and whether it still lives. */
class SocketCountersTest {

  @Test
  void sumsTheCountsOfManyThreadsExactlyAlsoAfterTheyEnded() throws Exception {
    SocketCounters counters = new SocketCounters(Api.STREAMS, true);
    int threads = 8;
    int perThread = 100_000;
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread thread = new Thread(() -> {
        SocketCounters.Block block = null;
        for (int i = 0; i < perThread; i++) {
          block = counters.current(block);
          block.add(SocketCounts.BYTES_READ, 3);
          block.add(SocketCounts.CONNECTIONS_OPENED, 1);
          block.add(SocketCounts.CONNECTIONS_CLOSED, 1);
        }
      });
      all.add(thread);
      thread.start();
    }
    for (Thread t : all) t.join();
    ApiMetrics m = counters.snapshot(); // the blocks of ended threads are folded here
    assertEquals(3L * threads * perThread, m.bytesRead());
    assertEquals((long) threads * perThread, m.openedConnections());
    assertEquals(0, m.openConnections());
    assertEquals(m.bytesRead(), counters.snapshot().bytesRead(), "folded counts stay");
    assertEquals(Api.STREAMS, m.api().orElseThrow());
  }

  @Test
  void aGaugeReadWhileCountingIsNeverBelowZero() throws Exception {
    SocketCounters counters = new SocketCounters(Api.ACTOR, true);
    Thread opener = new Thread(() -> {
      SocketCounters.Block block = null;
      for (int i = 0; i < 200_000; i++) {
        block = counters.current(block);
        block.add(SocketCounts.CONNECTIONS_OPENED, 1);
        block.add(SocketCounts.CONNECTIONS_CLOSED, 1);
      }
    });
    opener.start();
    while (opener.isAlive()) {
      ApiMetrics m = counters.snapshot();
      assertTrue(m.openedConnections() >= m.closedConnections(), m.toString());
    }
    opener.join();
  }

  @Test
  void switchedOffCountsNothing() {
    SocketCounters off = new SocketCounters(Api.ACTOR, false);
    assertNull(SocketCounters.active(off));
    off.connectFailed(new java.net.ConnectException("Connection refused"));
    assertEquals(0, off.snapshot().connectFailures());
  }

  @Test
  void tellsTheCausesOfFailedConnectsApart() {
    SocketCounters c = new SocketCounters(Api.ACTOR, true);
    c.connectFailed(new java.net.ConnectException("Connection refused"));
    c.connectFailed(new RuntimeException("wrapped", new java.net.ConnectException("Connection refused")));
    c.connectFailed(io.pekkokq.runtime.ConnectFailures.timeout("1 second"));
    c.connectFailed(new java.net.ConnectException("Connection timed out"));
    c.connectFailed(new java.net.NoRouteToHostException("No route to host"));
    c.connectFailed(new java.net.UnknownHostException("nowhere.invalid"));
    c.connectFailed(new java.net.ConnectException("No such file or directory: /tmp/x.sock"));
    c.connectFailed(new java.io.IOException("something else"));
    ApiMetrics m = c.snapshot();
    assertEquals(2, m.connectFailures(ConnectFailure.REFUSED));
    assertEquals(2, m.connectFailures(ConnectFailure.TIMED_OUT));
    assertEquals(1, m.connectFailures(ConnectFailure.UNREACHABLE));
    assertEquals(1, m.connectFailures(ConnectFailure.UNRESOLVED));
    assertEquals(2, m.connectFailures(ConnectFailure.OTHER));
    assertEquals(8, m.connectFailures());
  }
}
