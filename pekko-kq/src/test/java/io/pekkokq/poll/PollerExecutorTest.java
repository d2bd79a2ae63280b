package io.pekkokq.poll;

import static org.junit.jupiter.api.Assertions.*;

import io.pekkokq.sys.Loopback;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The poller as an Executor, the ground the poller dispatchers stand on: tasks handed over
 * on its own thread, fairness against I/O, and no task lost when it stops.
 */
class PollerExecutorTest {
  private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
  private Poller poller;

  @BeforeEach
  void start() throws Exception {
    poller = Poller.start("executor-poller", 64, 1 << 16, (what, cause) -> failures.add(cause));
  }

  @AfterEach
  void stop() {
    poller.close();
    assertTrue(failures.isEmpty(), () -> "poller reported " + failures);
  }

  @Test
  void aTaskHandedOverOnThePollerThreadRunsWithoutAWakeUpInOrder() throws Exception {
    // Nothing wakes the poller for these: if it blocked in the kernel before running
    // them, the latch would never open.
    List<Integer> order = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(1);
    poller.execute(
        () ->
            poller.execute(
                () -> {
                  order.add(1);
                  poller.execute(() -> order.add(2));
                  poller.execute(
                      () -> {
                        order.add(3);
                        assertTrue(poller.inPollerThread());
                        done.countDown();
                      });
                }));
    assertTrue(done.await(5, TimeUnit.SECONDS), "tasks queued on the poller thread ran");
    assertEquals(List.of(1, 2, 3), order);
  }

  @Test
  void aTaskThatKeepsRequeueingItselfDoesNotStarveIo() throws Exception {
    try (Loopback pair = Loopback.open()) {
      CountDownLatch readable = new CountDownLatch(1);
      poller.register(pair.server, Interest.READ, bits -> readable.countDown());
      AtomicBoolean stop = new AtomicBoolean();
      CountDownLatch spinning = new CountDownLatch(1);
      Runnable busy =
          new Runnable() {
            @Override
            public void run() {
              spinning.countDown();
              if (!stop.get()) poller.execute(this); // always more work, like a busy mailbox
            }
          };
      poller.execute(busy);
      assertTrue(spinning.await(5, TimeUnit.SECONDS));
      Loopback.send(pair.client, "x");
      boolean told = readable.await(5, TimeUnit.SECONDS);
      stop.set(true);
      assertTrue(told, "readiness was dispatched while the task kept the poller busy");
    }
  }

  @Test
  void afterClosingTasksRunOnTheFallbackExecutor() throws Exception {
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    CountDownLatch ran = new CountDownLatch(1);
    Executor fallback = task -> new Thread(task, "fallback").start();
    poller.fallbackTo(fallback);
    poller.close();
    poller.execute(
        () -> {
          ranOn.set(Thread.currentThread());
          ran.countDown();
        });
    assertTrue(ran.await(5, TimeUnit.SECONDS), "a task after close is not lost");
    assertEquals("fallback", ranOn.get().getName());
  }

  @Test
  void tasksStillQueuedWhenThePollerStopsGoToTheFallback() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    AtomicReference<String> ranOn = new AtomicReference<>();
    poller.fallbackTo(task -> new Thread(task, "fallback").start());
    poller.execute(
        () -> {
          // Queued for the next turn, which never comes: close() ends the loop after this one.
          poller.execute(
              () -> {
                ranOn.set(Thread.currentThread().getName());
                ran.countDown();
              });
          poller.close(); // on the poller thread: does not wait for itself
        });
    assertTrue(ran.await(5, TimeUnit.SECONDS), "the queued task was handed to the fallback");
    assertEquals("fallback", ranOn.get());
  }

  @Test
  void aNullTaskIsRefused() {
    assertThrows(NullPointerException.class, () -> poller.execute(null));
    assertThrows(NullPointerException.class, () -> poller.fallbackTo(null));
  }
}
