package io.pekkokq.poll;

import static org.junit.jupiter.api.Assertions.*;

import io.pekkokq.sys.FileDescriptor;
import io.pekkokq.sys.Loopback;
import io.pekkokq.sys.ReadyBits;
import io.pekkokq.sys.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The poller thread: dispatch by token, stale events, tasks, user events, timers. */
class PollerTest {
  private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
  private Poller poller;

  @BeforeEach
  void start() throws Exception {
    poller = Poller.start("test-poller", 64, 1 << 16, (what, cause) -> failures.add(cause));
  }

  @AfterEach
  void stop() {
    poller.close();
    assertFalse(poller.isRunning());
    assertTrue(failures.isEmpty(), () -> "poller reported " + failures);
  }

  @Test
  void tellsTheListenerOfItsDescriptorOnThePollerThread() throws Exception {
    try (Loopback pair = Loopback.open()) {
      LinkedBlockingQueue<Integer> events = new LinkedBlockingQueue<>();
      AtomicReference<Thread> thread = new AtomicReference<>();
      poller.register(pair.server, Interest.READ, bits -> {
        thread.set(Thread.currentThread());
        events.add(bits);
      });
      Loopback.send(pair.client, "x");
      Integer bits = events.poll(5, TimeUnit.SECONDS);
      assertNotNull(bits);
      assertNotEquals(0, bits & ReadyBits.READABLE);
      assertEquals("test-poller", thread.get().getName());
      assertEquals(1, poller.registrationCount());
    }
  }

  @Test
  void anEventAlreadyFetchedForAClosedDescriptorIsDroppedAndNeverReachesTheNewOwner()
      throws Exception {
    try (Loopback a = Loopback.open();
        Loopback b = Loopback.open()) {
      CountDownLatch hold = new CountDownLatch(1);
      AtomicInteger oldOwnerCalls = new AtomicInteger();
      AtomicInteger newOwnerCalls = new AtomicInteger();
      List<Registration> regs = new ArrayList<>();
      AtomicReference<Registration> reusedSlot = new AtomicReference<>();
      Runnable closeTheOtherAndReuseItsNumber =
          () -> {
            // Runs on the poller thread while the other event is still in the fetched batch.
            Registration victim = regs.get(1);
            int oldFd = victim.descriptor().intValue();
            victim.cancelAndClose();
            try {
              // The kernel hands out the lowest free number; a descriptor another thread of
              // this JVM closed meanwhile (a finished test's actor system, say) can be lower,
              // so fill such holes until the victim's number comes back.
              List<FileDescriptor> fillers = new ArrayList<>();
              FileDescriptor reused = Socket.openTcp(4);
              while (reused.intValue() != oldFd && fillers.size() < 64) {
                fillers.add(reused);
                reused = Socket.openTcp(4);
              }
              fillers.forEach(FileDescriptor::close);
              assertEquals(oldFd, reused.intValue(), "the kernel reuses the lowest free number");
              Registration fresh = poller.register(reused, Interest.READ_WRITE, bits -> newOwnerCalls.incrementAndGet());
              assertEquals(Token.slot(victim.token()), Token.slot(fresh.token()), "and we reuse the slot");
              reusedSlot.set(fresh);
            } catch (Exception e) {
              throw new RuntimeException(e);
            }
          };
      AtomicInteger firstCalls = new AtomicInteger();
      regs.add(poller.register(a.server, Interest.READ, bits -> {
        if (firstCalls.getAndIncrement() == 0) closeTheOtherAndReuseItsNumber.run();
      }));
      regs.add(poller.register(b.server, Interest.READ, bits -> oldOwnerCalls.incrementAndGet()));
      // Hold the poller thread so both edges land in one batch, the first-registered first.
      CountDownLatch held = new CountDownLatch(1);
      poller.execute(() -> {
        held.countDown();
        try {
          hold.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      assertTrue(held.await(5, TimeUnit.SECONDS));
      long staleBefore = poller.staleEventCount();
      Loopback.send(a.client, "a");
      Thread.sleep(20);
      Loopback.send(b.client, "b");
      Thread.sleep(20);
      hold.countDown();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (reusedSlot.get() == null && System.nanoTime() < deadline) Thread.sleep(5);
      Thread.sleep(100);
      assertNotNull(reusedSlot.get(), "the first listener ran");
      assertEquals(0, oldOwnerCalls.get(), "the closed descriptor's listener was never told");
      assertTrue(poller.staleEventCount() > staleBefore, "the fetched event was dropped as stale");
      reusedSlot.get().cancelAndClose();
    }
  }

  @Test
  void aUserEventTriggeredFromPlainThreadsRunsOnThePollerAndCoalesces() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch firstRun = new CountDownLatch(1);
    UserEvent event = poller.newUserEvent(() -> {
      assertTrue(poller.inPollerThread());
      runs.incrementAndGet();
      firstRun.countDown();
    });
    // Block the poller so that all triggers arrive before it can run the action.
    poller.execute(() -> {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Thread[] threads = new Thread[4];
    for (int i = 0; i < threads.length; i++) {
      threads[i] = new Thread(() -> {
        for (int j = 0; j < 1000; j++) event.trigger();
      });
      threads[i].start();
    }
    for (Thread t : threads) t.join();
    gate.countDown();
    assertTrue(firstRun.await(5, TimeUnit.SECONDS));
    Thread.sleep(50);
    assertEquals(1, runs.get(), "4000 triggers before delivery coalesce into one run");
    CountDownLatch second = new CountDownLatch(1);
    UserEvent another = poller.newUserEvent(second::countDown);
    another.trigger();
    assertTrue(second.await(5, TimeUnit.SECONDS));
    event.trigger();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (runs.get() < 2 && System.nanoTime() < deadline) Thread.sleep(2);
    assertEquals(2, runs.get(), "a trigger after delivery runs again");
    event.close();
    event.trigger();
    Thread.sleep(50);
    assertEquals(2, runs.get(), "closed events ignore triggers");
  }

  @Test
  void timersFireInOrderNeverBeforeTheirDeadlineAndCanBeCancelled() throws Exception {
    LinkedBlockingQueue<String> fired = new LinkedBlockingQueue<>();
    long start = System.nanoTime();
    long[] firedAt = new long[2];
    // Deadlines far apart: "early" must be scheduled before "late" is due even on a slow
    // machine (an emulated aarch64 JVM took over 40 ms between the two calls).
    poller.schedule(500, TimeUnit.MILLISECONDS, () -> { firedAt[1] = System.nanoTime(); fired.add("late"); });
    poller.schedule(20, TimeUnit.MILLISECONDS, () -> { firedAt[0] = System.nanoTime(); fired.add("early"); });
    ScheduledTimer cancelled = poller.schedule(250, TimeUnit.MILLISECONDS, () -> fired.add("cancelled"));
    assertTrue(cancelled.cancel());
    assertEquals("early", fired.poll(5, TimeUnit.SECONDS));
    assertEquals("late", fired.poll(5, TimeUnit.SECONDS));
    assertNull(fired.poll(100, TimeUnit.MILLISECONDS));
    assertTrue(firedAt[0] - start >= TimeUnit.MILLISECONDS.toNanos(20));
    assertTrue(firedAt[1] - start >= TimeUnit.MILLISECONDS.toNanos(500));
  }

  @Test
  void aPeriodicTimerRepeatsUntilCancelled() throws Exception {
    AtomicInteger ticks = new AtomicInteger();
    CountDownLatch three = new CountDownLatch(3);
    ScheduledTimer timer = poller.scheduleWithFixedDelay(0, 10, TimeUnit.MILLISECONDS, () -> {
      ticks.incrementAndGet();
      three.countDown();
    });
    assertTrue(three.await(5, TimeUnit.SECONDS));
    timer.cancel();
    Thread.sleep(30);
    int after = ticks.get();
    Thread.sleep(100);
    assertEquals(after, ticks.get(), "no ticks after cancel");
  }

  @Test
  void manyTimersFromManyThreadsAllFire() throws Exception {
    int count = 10_000;
    CountDownLatch all = new CountDownLatch(count);
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < count / 4; i++) poller.schedule(i % 50, TimeUnit.MILLISECONDS, all::countDown);
      });
      threads[t].start();
    }
    for (Thread t : threads) t.join();
    assertTrue(all.await(10, TimeUnit.SECONDS), () -> all.getCount() + " timers never fired");
  }

  @Test
  void aFailingListenerIsReportedAndThePollerLivesOn() throws Exception {
    try (Loopback pair = Loopback.open()) {
      Registration failing =
          poller.register(pair.server, Interest.READ, bits -> { throw new IllegalStateException("listener bug"); });
      Loopback.send(pair.client, "x");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (failures.isEmpty() && System.nanoTime() < deadline) Thread.sleep(5);
      assertEquals("listener bug", failures.peek().getMessage());
      CountDownLatch alive = new CountDownLatch(1);
      poller.execute(alive::countDown);
      assertTrue(alive.await(5, TimeUnit.SECONDS));
      // The listener may have been told more than once; end it before the pair closes, or the
      // closing sockets' events would report it again after this test.
      failing.cancel();
      assertTrue(failures.stream().allMatch(f -> "listener bug".equals(f.getMessage())));
      failures.clear();
    }
  }

  @Test
  void registeringAClosedDescriptorFailsAndLeavesNoSlotBehind() throws Exception {
    Socket socket = Socket.openTcp(4);
    socket.close();
    assertThrows(java.io.IOException.class, () -> poller.register(socket, Interest.READ, bits -> {}));
    assertEquals(0, poller.registrationCount());
    try (Socket open = Socket.openTcp(4)) {
      assertThrows(NullPointerException.class, () -> poller.register(open, Interest.READ, null));
    }
  }
}
