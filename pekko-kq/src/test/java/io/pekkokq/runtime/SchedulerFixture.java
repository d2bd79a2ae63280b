package io.pekkokq.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.Closeable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.LightArrayRevolverScheduler;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.event.NoLogging;
import org.junit.jupiter.api.AfterEach;
import scala.concurrent.ExecutionContext;

/**
 * What the scheduler suites share: the two drivers (Pekko's own
 * LightArrayRevolverScheduler, the reference, and {@link KqScheduler}), made as Pekko makes
 * them, from the config, a logging adapter and a thread factory; the execution contexts
 * tasks run on; bounded waits. Every scheduler and executor a test opens is closed after it.
 */
abstract class SchedulerFixture {
  /** How long a wait may take before it is a failure: only bounds how long a failure takes to show. */
  static final long WAIT_SECONDS = 30;

  private final List<Closeable> schedulers = new CopyOnWriteArrayList<>();
  private final List<ExecutorService> executors = new CopyOnWriteArrayList<>();
  /** The threads the drivers' thread factory made. */
  final List<Thread> timerThreads = new CopyOnWriteArrayList<>();
  /** What ended one of those threads. */
  final List<Throwable> timerThreadDeaths = new CopyOnWriteArrayList<>();

  static List<String> drivers() {
    return List.of("pekko", "kq");
  }

  /**
   * A scheduler of driver {@code driver} configured with {@code hocon} over Pekko's
   * reference.conf, and a shutdown-timeout of 30 s (Pekko's close throws when its timer
   * thread does not stop in time, which the default 5 s may not give a loaded machine).
   */
  Scheduler open(String driver, String hocon) {
    Config config = ConfigFactory.parseString(hocon)
        .withFallback(ConfigFactory.parseString("pekko.scheduler.shutdown-timeout = " + WAIT_SECONDS + "s"))
        .withFallback(ConfigFactory.defaultReference());
    ThreadFactory threads = runnable -> {
      Thread t = new Thread(runnable, "scheduler-test-" + driver);
      t.setDaemon(true);
      t.setUncaughtExceptionHandler((thread, e) -> timerThreadDeaths.add(e));
      timerThreads.add(t);
      return t;
    };
    Scheduler scheduler = switch (driver) {
      case "pekko" -> new LightArrayRevolverScheduler(config, NoLogging.getInstance(), threads);
      case "kq" -> new KqScheduler(config, NoLogging.getInstance(), threads);
      default -> throw new IllegalArgumentException(driver);
    };
    schedulers.add((Closeable) scheduler);
    return scheduler;
  }

  Scheduler open(String driver) {
    return open(driver, "");
  }

  @AfterEach
  void closeAll() throws Exception {
    for (Closeable scheduler : schedulers) scheduler.close();
    for (ExecutorService executor : executors) executor.shutdownNow();
  }

  /** An execution context on a thread of its own, named {@code name}. */
  Context pooled(String name) {
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
    executors.add(executor);
    return new Context(executor::execute);
  }

  /** An execution context that runs each task on the thread handing it over: the timer thread. */
  static Context inline() {
    return new Context(Runnable::run);
  }

  /** An execution context that keeps what was reported to it. */
  static final class Context implements ExecutionContext {
    private final java.util.concurrent.Executor executor;
    final LinkedBlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();

    Context(java.util.concurrent.Executor executor) {
      this.executor = executor;
    }

    @Override
    public void execute(Runnable runnable) {
      executor.execute(runnable);
    }

    @Override
    public void reportFailure(Throwable cause) {
      failures.add(cause);
    }

    Throwable nextFailure() throws InterruptedException {
      Throwable failure = failures.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertTrue(failure != null, "nothing reported to the execution context within " + WAIT_SECONDS + " s");
      return failure;
    }
  }

  static void await(CountDownLatch latch, String what) throws InterruptedException {
    assertTrue(latch.await(WAIT_SECONDS, TimeUnit.SECONDS), what + " within " + WAIT_SECONDS + " s");
  }

  static void awaitCondition(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, what + " within " + WAIT_SECONDS + " s");
      Thread.sleep(10);
    }
  }

  /**
   * Schedules a task due in {@code millis} and waits until it ran: afterwards every task due
   * earlier has run, unless cancelled (how a test sees that something did not happen).
   */
  static void awaitATaskDueIn(Scheduler scheduler, long millis, Context context, String what)
      throws InterruptedException {
    CountDownLatch ran = new CountDownLatch(1);
    scheduler.scheduleOnce(millis(millis), ran::countDown, context);
    await(ran, what);
  }

  static scala.concurrent.duration.FiniteDuration millis(long millis) {
    return scala.concurrent.duration.FiniteDuration.create(millis, TimeUnit.MILLISECONDS);
  }
}
