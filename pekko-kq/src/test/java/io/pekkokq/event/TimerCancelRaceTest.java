package io.pekkokq.event;

import static org.junit.jupiter.api.Assertions.*;

import io.pekkokq.io.KqTcp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Props;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pekko's Cancellable contract under contention: cancel() returns true only when that call
 * prevented the delivery. Many short one-shot timers are scheduled from several threads,
 * every other one cancelled by two threads at once right after its batch was scheduled
 * (racing the firing of the shortest), and every timer must be accounted for exactly
 * once: delivered, or cancelled with true.
 */
class TimerCancelRaceTest {
  private static final int THREADS = 4;
  private static final int TIMERS_PER_THREAD = 10_000;
  private static final int BATCH = 500;
  private static final int MAX_DELAY_MILLIS = 20;

  private static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("TimerCancelRaceTest");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  /** Counts what it receives. */
  static final class Counter extends AbstractActor {
    private final AtomicInteger received;

    Counter(AtomicInteger received) {
      this.received = received;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder().matchAny(m -> received.incrementAndGet()).build();
    }
  }

  @Test
  void everyTimerIsEitherDeliveredOrSuccessfullyCancelledNeverBoth() throws Exception {
    KqEvents events = KqTcp.get(system).events();
    AtomicInteger delivered = new AtomicInteger();
    AtomicInteger cancelled = new AtomicInteger();
    ActorRef counter = system.actorOf(Props.create(Counter.class, () -> new Counter(delivered)));
    ExecutorService threads = Executors.newFixedThreadPool(2 * THREADS);
    try {
      List<CompletableFuture<Void>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        done.add(
            CompletableFuture.runAsync(
                () -> {
                  for (int from = 0; from < TIMERS_PER_THREAD; from += BATCH) {
                    List<Cancellable> batch = new ArrayList<>(BATCH);
                    for (int i = from; i < from + BATCH; i++) {
                      batch.add(events.scheduleOnce(Duration.ofMillis(i % (MAX_DELAY_MILLIS + 1)), counter, i));
                    }
                    // Two threads cancel every other timer of the batch at once, while the
                    // shortest ones are firing: a cancel may come before, during or after
                    // the delivery, and at most one of the two cancels of a timer may win.
                    CompletableFuture<Void> helper =
                        CompletableFuture.runAsync(() -> cancelEveryOther(batch, cancelled), threads);
                    cancelEveryOther(batch, cancelled);
                    helper.join();
                  }
                },
                threads));
      }
      CompletableFuture.allOf(done.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
    } finally {
      threads.shutdownNow();
    }
    int scheduled = THREADS * TIMERS_PER_THREAD;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (delivered.get() + cancelled.get() < scheduled && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    // Every deadline has passed; give a wrongly delivered extra message time to show.
    Thread.sleep(MAX_DELAY_MILLIS + 300);
    assertTrue(cancelled.get() > 0, "some cancels must win");
    assertEquals(
        scheduled,
        delivered.get() + cancelled.get(),
        "delivered " + delivered.get() + " + successfully cancelled " + cancelled.get());
  }

  private static void cancelEveryOther(List<Cancellable> batch, AtomicInteger wins) {
    for (int i = 1; i < batch.size(); i += 2) {
      if (batch.get(i).cancel()) wins.incrementAndGet();
    }
  }
}
