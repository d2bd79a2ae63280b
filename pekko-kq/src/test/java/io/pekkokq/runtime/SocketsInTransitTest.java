package io.pekkokq.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The claim rule of sockets on their way to an owner: exactly one of receiver and sweep
 * owns each; the sweep discards only the unclaimed, and, once run, every late one.
 */
class SocketsInTransitTest {

  /** Counts its discards instead of closing a socket. */
  private static final class Counted extends SocketsInTransit.Handoff {
    final AtomicInteger discards = new AtomicInteger();

    @Override
    protected void discard() {
      discards.incrementAndGet();
    }
  }

  @Test
  void aClaimedSocketIsTheReceiversAndTheSweepDiscardsOnlyTheOthers() {
    SocketsInTransit inTransit = new SocketsInTransit(2);
    Counted taken = new Counted();
    Counted lost = new Counted();
    inTransit.send(taken);
    inTransit.send(lost);
    assertEquals(2, inTransit.size());

    assertTrue(taken.claim(), "the receiver claims first");
    assertFalse(taken.claim(), "a claim succeeds once");
    assertEquals(1, inTransit.size(), "a claimed socket is no longer on its way");

    assertEquals(1, inTransit.closeAll());
    assertEquals(0, taken.discards.get(), "the receiver's socket is not touched");
    assertEquals(1, lost.discards.get());
    assertFalse(lost.claim(), "a receiver that comes after the sweep must not take it");
    assertEquals(0, inTransit.size());
    assertEquals(0, inTransit.closeAll(), "idempotent");
    assertEquals(1, lost.discards.get());
  }

  @Test
  void aSocketSentAfterTheSweepIsDiscardedAtOnce() {
    SocketsInTransit inTransit = new SocketsInTransit(1);
    inTransit.closeAll();
    Counted late = new Counted();
    inTransit.send(late);
    assertEquals(1, late.discards.get());
    assertFalse(late.claim());
    assertEquals(0, inTransit.size());
  }

  @Test
  void aDiscardThatFailsLeavesNoOtherOpen() {
    SocketsInTransit inTransit = new SocketsInTransit(1);
    List<Counted> others = new ArrayList<>();
    inTransit.send(new SocketsInTransit.Handoff() {
      @Override
      protected void discard() {
        throw new IllegalStateException("close failed");
      }
    });
    for (int i = 0; i < 3; i++) {
      Counted c = new Counted();
      others.add(c);
      inTransit.send(c);
    }
    assertThrows(IllegalStateException.class, inTransit::closeAll);
    for (Counted c : others) assertEquals(1, c.discards.get());
    assertEquals(0, inTransit.size());
  }

  /** Senders on several threads racing the sweep: each socket is owned exactly once. */
  @Test
  void sendersRacingTheSweepLeaveNothingUnownedAndNothingTwiceOwned() throws Exception {
    for (int round = 0; round < 20; round++) {
      SocketsInTransit inTransit = new SocketsInTransit(4);
      int threads = 4;
      int each = 500;
      List<Counted> all = java.util.Collections.synchronizedList(new ArrayList<>());
      AtomicInteger claimedByReceivers = new AtomicInteger();
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> senders = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Thread s = new Thread(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int i = 0; i < each; i++) {
            Counted c = new Counted();
            all.add(c);
            inTransit.send(c);
            if (i % 2 == 0 && c.claim()) claimedByReceivers.incrementAndGet(); // half are received
          }
        });
        senders.add(s);
        s.start();
      }
      start.countDown();
      inTransit.closeAll(); // somewhere in the middle of the sends
      for (Thread s : senders) s.join();
      int discarded = 0;
      for (Counted c : all) {
        assertTrue(c.discards.get() <= 1, "discarded twice");
        discarded += c.discards.get();
        assertFalse(c.claim(), "every socket has an owner");
      }
      assertEquals(threads * each, discarded + claimedByReceivers.get(), "each socket owned exactly once");
      assertEquals(0, inTransit.size());
    }
  }
}
