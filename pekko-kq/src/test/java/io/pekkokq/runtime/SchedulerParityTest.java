package io.pekkokq.runtime;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.Closeable;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.actor.SchedulerException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import scala.concurrent.duration.FiniteDuration;

/**
 * The contract of a Pekko scheduler, written once and run against Pekko's own
 * LightArrayRevolverScheduler (the reference) and {@link KqScheduler}: every timer of an
 * actor system that opts in runs on it, so any difference here is a failure. Waits are
 * bounded and generous; the only assertion on time is that a task never runs before its
 * delay, a behaviour.
 */
class SchedulerParityTest extends SchedulerFixture {
  private static final FiniteDuration HOUR = FiniteDuration.create(1, TimeUnit.HOURS);

  // ---- one-shot tasks -------------------------------------------------------------------

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void aTaskRunsOnItsExecutionContextNoEarlierThanItsDelay(String driver) throws Exception {
    Scheduler scheduler = open(driver);
    Context context = pooled("the-context");
    AtomicReference<String> thread = new AtomicReference<>();
    AtomicLong ranAt = new AtomicLong();
    CountDownLatch ran = new CountDownLatch(1);
    long scheduledAt = System.nanoTime();
    scheduler.scheduleOnce(millis(150), () -> {
      ranAt.set(System.nanoTime());
      thread.set(Thread.currentThread().getName());
      ran.countDown();
    }, context);
    await(ran, "the task ran");
    assertEquals("the-context", thread.get());
    assertTrue(ranAt.get() - scheduledAt >= TimeUnit.MILLISECONDS.toNanos(150), "ran before its delay");
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void aDelayIsRoundedUpToTheTick(String driver) throws Exception {
    Scheduler scheduler = open(driver, "pekko.scheduler.tick-duration = 100ms");
    CountDownLatch ran = new CountDownLatch(1);
    AtomicLong ranAt = new AtomicLong();
    long scheduledAt = System.nanoTime();
    scheduler.scheduleOnce(millis(1), () -> {
      ranAt.set(System.nanoTime());
      ran.countDown();
    }, inline());
    await(ran, "the task ran");
    assertTrue(ranAt.get() - scheduledAt >= TimeUnit.MILLISECONDS.toNanos(100), "1 ms was not rounded up to 100 ms");
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void aDelayOfZeroOrLessRunsAtOnceAndCannotBeCancelled(String driver) {
    Scheduler scheduler = open(driver);
    for (FiniteDuration delay : List.of(millis(0), millis(-1000))) {
      AtomicBoolean ran = new AtomicBoolean();
      Cancellable task = scheduler.scheduleOnce(delay, () -> ran.set(true), inline());
      assertTrue(ran.get(), "ran before scheduleOnce returned (inline context), delay " + delay);
      assertFalse(task.cancel());
      assertFalse(task.isCancelled());
    }
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void aCancelBeforeTheTaskRanIsTrueOnceAndTheTaskNeverRuns(String driver) throws Exception {
    Scheduler scheduler = open(driver);
    Context context = pooled("context");
    AtomicBoolean ran = new AtomicBoolean();
    Cancellable task = scheduler.scheduleOnce(millis(300), () -> ran.set(true), context);
    assertFalse(task.isCancelled());
    assertTrue(task.cancel());
    assertFalse(task.cancel(), "a second cancel");
    assertTrue(task.isCancelled());
    awaitATaskDueIn(scheduler, 600, context, "a task due after the cancelled one ran");
    assertFalse(ran.get(), "the cancelled task ran");
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void aCancelAfterTheTaskRanIsFalse(String driver) throws Exception {
    Scheduler scheduler = open(driver);
    CountDownLatch ran = new CountDownLatch(1);
    Cancellable task = scheduler.scheduleOnce(millis(20), ran::countDown, pooled("context"));
    await(ran, "the task ran");
    assertFalse(task.cancel());
    assertFalse(task.isCancelled());
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void concurrentCancelsOfOneTaskHaveOneWinner(String driver) throws Exception {
    Scheduler scheduler = open(driver);
    ExecutorService racers = Executors.newFixedThreadPool(4);
    try {
      for (int i = 0; i < 200; i++) {
        Cancellable task = scheduler.scheduleOnce(HOUR, () -> {}, inline());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int r = 0; r < 4; r++) results.add(racers.submit(() -> {
          go.await();
          return task.cancel();
        }));
        go.countDown();
        int winners = 0;
        for (Future<Boolean> result : results) if (result.get(WAIT_SECONDS, TimeUnit.SECONDS)) winners++;
        assertEquals(1, winners, "cancel() true for exactly one of four racing calls");
        assertTrue(task.isCancelled());
      }
    } finally {
      racers.shutdownNow();
    }
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void tasksWithEqualDelaysRunInTheOrderTheyWereScheduled(String driver) throws Exception {
    Scheduler scheduler = open(driver);
    List<Integer> order = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch all = new CountDownLatch(200);
    for (int i = 0; i < 200; i++) {
      int n = i;
      scheduler.scheduleOnce(millis(50), () -> {
        order.add(n);
        all.countDown();
      }, inline());
    }
    await(all, "200 tasks ran");
    for (int i = 0; i < 200; i++) assertEquals(i, order.get(i), "task " + i + " ran out of order: " + order);
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void aFailingTaskIsReportedToItsExecutionContextAndTheTimerGoesOn(String driver) throws Exception {
    Scheduler scheduler = open(driver);
    Context context = inline(); // the task's exception comes out of execute, on the timer thread
    scheduler.scheduleOnce(millis(10), () -> {
      throw new IllegalStateException("boom");
    }, context);
    assertEquals("boom", context.nextFailure().getMessage());
    CountDownLatch next = new CountDownLatch(1);
    scheduler.scheduleOnce(millis(10), next::countDown, context);
    await(next, "a task after the failing one ran");
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void aFatalErrorOnTheTimerThreadEndsItAndANewOneTakesOver(String driver) throws Exception {
    Scheduler scheduler = open(driver);
    StackOverflowError fatal = new StackOverflowError("fatal, from execute");
    Context failing = new Context(runnable -> {
      throw fatal;
    });
    scheduler.scheduleOnce(millis(10), () -> {}, failing);
    awaitCondition(() -> timerThreadDeaths.contains(fatal), "the fatal error ended the timer thread");
    awaitATaskDueIn(scheduler, 50, inline(), "a task after the fatal error ran");
    assertEquals(2, timerThreads.size(), "a new timer thread from the thread factory");
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void everyTaskFromManyThreadsRunsOnceUnlessACancelTookIt(String driver) throws Exception {
    Scheduler scheduler = open(driver);
    int threads = 4;
    int perThread = 1000;
    AtomicIntegerArray runs = new AtomicIntegerArray(threads * perThread);
    boolean[] cancelled = new boolean[threads * perThread];
    ExecutorService producers = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t * perThread;
        done.add(producers.submit(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          for (int i = first; i < first + perThread; i++) {
            int n = i;
            Cancellable task = scheduler.scheduleOnce(millis(1 + random.nextInt(300)), () -> runs.incrementAndGet(n),
                inline());
            if (n % 2 == 0) cancelled[n] = task.cancel();
          }
        }));
      }
      for (Future<?> f : done) f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } finally {
      producers.shutdownNow();
    }
    awaitATaskDueIn(scheduler, 700, inline(), "a task due after all the others ran");
    for (int n = 0; n < cancelled.length; n++)
      assertEquals(cancelled[n] ? 0 : 1, runs.get(n), "runs of task " + n + (cancelled[n] ? " (cancelled)" : ""));
  }

  // ---- repeating tasks -------------------------------------------------------------------

  /** One of the two repetitions of Pekko's Scheduler, by name, for the cases both share. */
  private static Cancellable repeat(Scheduler scheduler, String how, FiniteDuration initial, FiniteDuration interval,
      Runnable runnable, Context context) {
    return how.equals("fixed rate")
        ? scheduler.scheduleAtFixedRate(initial, interval, runnable, context)
        : scheduler.scheduleWithFixedDelay(initial, interval, runnable, context);
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void aRepeatingTaskRepeatsUntilCancelled(String driver) throws Exception {
    Scheduler scheduler = open(driver);
    for (String how : List.of("fixed rate", "fixed delay")) {
      Context context = pooled("context");
      AtomicInteger count = new AtomicInteger();
      CountDownLatch fiveRuns = new CountDownLatch(5);
      Cancellable task = repeat(scheduler, how, millis(0), millis(20), () -> {
        count.incrementAndGet();
        fiveRuns.countDown();
      }, context);
      await(fiveRuns, how + ": five runs");
      assertFalse(task.isCancelled());
      assertTrue(task.cancel(), how);
      assertTrue(task.isCancelled(), how);
      assertFalse(task.cancel(), how + ": a second cancel");
      int atCancel = count.get();
      awaitATaskDueIn(scheduler, 200, context, how + ": a task ten intervals later ran");
      assertTrue(count.get() <= atCancel + 1, how + ": ran " + (count.get() - atCancel) + " times after cancel");
    }
  }

  /**
   * Repeats a task, on an inline context, whose run {@code last} throws {@code failure}; the
   * context, once a task fifteen intervals later ran: the repetition must have stopped there.
   */
  private static Context repeatUntilItThrows(Scheduler scheduler, String how, int last, RuntimeException failure)
      throws InterruptedException {
    Context context = inline();
    AtomicInteger count = new AtomicInteger();
    repeat(scheduler, how, millis(0), millis(20), () -> {
      if (count.incrementAndGet() == last) throw failure;
    }, context);
    awaitATaskDueIn(scheduler, 300, context, how + ": a task fifteen intervals later ran");
    assertEquals(last, count.get(), how + ": runs, the last one threw");
    return context;
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void aRepeatingTaskThatThrowsStopsAndItsContextHearsOfIt(String driver) throws Exception {
    Scheduler scheduler = open(driver);
    for (String how : List.of("fixed rate", "fixed delay")) {
      Context context = repeatUntilItThrows(scheduler, how, 3, new IllegalStateException("third"));
      assertEquals("third", context.nextFailure().getMessage(), how);
    }
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void aRepeatingTaskEndsQuietlyOnASchedulerException(String driver) throws Exception {
    Scheduler scheduler = open(driver);
    for (String how : List.of("fixed rate", "fixed delay")) {
      // what Pekko's own repeating message sends throw once their receiver is terminated
      Context context = repeatUntilItThrows(scheduler, how, 2, new SchedulerException("timer active for terminated actor"));
      assertTrue(context.failures.isEmpty(), how + ": reported " + context.failures);
    }
  }

  // ---- what is refused -------------------------------------------------------------------

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void intervalsAndDelaysAreCheckedAsPekkoChecksThem(String driver) {
    Scheduler scheduler = open(driver);
    Context context = inline();
    for (String how : List.of("fixed rate", "fixed delay")) {
      for (long interval : new long[] {0, -1000}) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> repeat(scheduler, how, millis(100), millis(interval), () -> {}, context), how);
        assertEquals("Task scheduled with [" + interval / 1000 + "] seconds delay, which means creating an infinite "
            + "loop. The expected delay must be greater than 0.", e.getMessage());
      }
    }
    // tick-duration 10 ms: the longest delay is Int.MaxValue ticks
    FiniteDuration longest = millis(10L * Integer.MAX_VALUE);
    FiniteDuration tooLong = longest.plus(millis(10));
    String tooFar = "Task scheduled with [" + tooLong.toSeconds() + "] seconds delay, which is too far in future, "
        + "maximum delay is [" + (longest.toSeconds() - 1) + "] seconds";
    assertTrue(scheduler.scheduleOnce(longest, () -> {}, context).cancel());
    assertEquals(tooFar, assertThrows(IllegalArgumentException.class,
        () -> scheduler.scheduleOnce(tooLong, () -> {}, context)).getMessage());
    for (String how : List.of("fixed rate", "fixed delay")) {
      assertTrue(repeat(scheduler, how, longest, HOUR, () -> {}, context).cancel(), how);
      assertEquals(tooFar, assertThrows(IllegalArgumentException.class,
          () -> repeat(scheduler, how, tooLong, HOUR, () -> {}, context), how).getMessage());
      assertEquals(tooFar, assertThrows(IllegalArgumentException.class,
          () -> repeat(scheduler, how, HOUR, tooLong, () -> {}, context), how).getMessage());
    }
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void theConfigIsCheckedAsPekkoChecksIt(String driver) {
    assertEquals(100.0, open(driver).maxFrequency());
    assertEquals("requirement failed: ticks-per-wheel must be a power of 2",
        assertThrows(IllegalArgumentException.class, () -> open(driver, "pekko.scheduler.ticks-per-wheel = 3"))
            .getMessage());
    assumeTrue(!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win"),
        "Windows has a minimum of 10 ms");
    assertEquals("requirement failed: minimum supported pekko.scheduler.tick-duration is 1ms",
        assertThrows(IllegalArgumentException.class, () -> open(driver, "pekko.scheduler.tick-duration = 500us"))
            .getMessage());
    Scheduler adjusted = open(driver,
        "pekko.scheduler.tick-duration = 500us\npekko.scheduler.error-on-tick-duration-verification-failed = off");
    assertEquals(1000.0, adjusted.maxFrequency());
  }

  // ---- close -------------------------------------------------------------------------------

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void afterCloseSchedulingFailsWithPekkosSchedulerException(String driver) throws Exception {
    Scheduler scheduler = open(driver);
    ((Closeable) scheduler).close();
    Context context = inline();
    List<Runnable> attempts = List.of(
        () -> scheduler.scheduleOnce(millis(100), () -> {}, context),
        () -> scheduler.scheduleOnce(millis(0), () -> {}, context),
        () -> scheduler.scheduleAtFixedRate(millis(100), millis(100), () -> {}, context),
        () -> scheduler.scheduleWithFixedDelay(millis(100), millis(100), () -> {}, context));
    for (Runnable attempt : attempts) {
      IllegalStateException e = assertThrows(IllegalStateException.class, attempt::run);
      assertInstanceOf(SchedulerException.class, e.getCause());
      assertEquals("cannot enqueue after timer shutdown", e.getMessage());
    }
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void closeRunsThePendingTaskRunOnCloseTasksOnlyAndStopsTheTimerThread(String driver) throws Exception {
    Scheduler scheduler = open(driver);
    Context context = pooled("context");
    AtomicInteger plain = new AtomicInteger();
    AtomicInteger onClose = new AtomicInteger();
    AtomicInteger cancelledOnClose = new AtomicInteger();
    Cancellable left = scheduler.scheduleOnce(HOUR, plain::incrementAndGet, context);
    scheduler.scheduleOnce(HOUR, (Scheduler.TaskRunOnClose) onClose::incrementAndGet, context);
    assertTrue(scheduler.scheduleOnce(HOUR, (Scheduler.TaskRunOnClose) cancelledOnClose::incrementAndGet, context)
        .cancel());
    ((Closeable) scheduler).close();
    assertEquals(1, onClose.get(), "the pending TaskRunOnClose ran, on the closing thread");
    assertEquals(0, plain.get());
    assertEquals(0, cancelledOnClose.get());
    assertTrue(left.cancel(), "a task left behind by close is still cancellable");
    for (Thread timer : timerThreads) {
      timer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      assertFalse(timer.isAlive(), "timer thread still running after close");
    }
    ((Closeable) scheduler).close(); // a second close returns
    assertEquals(1, onClose.get());
  }

  // ---- Pekko 1.2+: SchedulerTask -----------------------------------------------------------

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void aCancelledSchedulerTaskHearsOfItOnItsContext(String driver) throws Exception {
    Class<?> schedulerTask = schedulerTaskType();
    assumeTrue(schedulerTask != null, "SchedulerTask is Pekko 1.2+");
    Scheduler scheduler = open(driver);
    Context context = pooled("the-context");
    for (String how : List.of("once", "fixed rate", "fixed delay")) {
      CountDownLatch heard = new CountDownLatch(1);
      AtomicReference<String> thread = new AtomicReference<>();
      Runnable task = (Runnable) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {schedulerTask},
          (proxy, method, args) -> {
            if (method.getName().equals("cancelled")) {
              thread.set(Thread.currentThread().getName());
              heard.countDown();
            }
            return switch (method.getName()) {
              case "hashCode" -> 0;
              case "equals" -> proxy == args[0];
              case "toString" -> "a SchedulerTask";
              default -> null;
            };
          });
      Cancellable scheduled = how.equals("once")
          ? scheduler.scheduleOnce(HOUR, task, context)
          : repeat(scheduler, how, HOUR, HOUR, task, context);
      assertTrue(scheduled.cancel(), how);
      await(heard, how + ": cancelled() was called");
      assertEquals("the-context", thread.get(), how);
    }
  }

  private static Class<?> schedulerTaskType() {
    try {
      return Class.forName("org.apache.pekko.actor.SchedulerTask");
    } catch (ClassNotFoundException e) {
      return null;
    }
  }
}
