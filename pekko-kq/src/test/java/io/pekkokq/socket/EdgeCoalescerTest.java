package io.pekkokq.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pekkokq.sys.ReadyBits;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One notification per burst of edges; the owner takes every bit that came meanwhile. */
class EdgeCoalescerTest {
  @Test
  void notifiesOncePerBurstAndTakesAllBitsOfIt() {
    AtomicInteger notified = new AtomicInteger();
    EdgeCoalescer edges = new EdgeCoalescer(notified::incrementAndGet);
    assertEquals(0, edges.take(), "nothing before the first edge");
    edges.onReady(ReadyBits.READABLE);
    edges.onReady(ReadyBits.WRITABLE);
    edges.onReady(ReadyBits.READABLE);
    assertEquals(1, notified.get(), "one hand-off for the burst");
    assertEquals(ReadyBits.READABLE | ReadyBits.WRITABLE, edges.take());
    assertEquals(0, edges.take(), "taken: cleared");
    edges.onReady(ReadyBits.HANGUP);
    assertEquals(2, notified.get(), "the next burst notifies again");
    assertEquals(ReadyBits.HANGUP, edges.take());
  }

  @Test
  void anEdgeWithoutIoBitsStillMarksTheHandOffUnderWay() {
    AtomicInteger notified = new AtomicInteger();
    EdgeCoalescer edges = new EdgeCoalescer(notified::incrementAndGet);
    edges.onReady(0);
    edges.onReady(ReadyBits.READABLE);
    assertEquals(1, notified.get());
    assertEquals(ReadyBits.READABLE, edges.take());
  }
}
