package io.pekkokq.bench.jmh;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.runtime.KqScheduler;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.LightArrayRevolverScheduler;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.event.NoLogging;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/**
 * What Pekko HTTP's request timeout costs a request on each scheduler: a 20 s timer
 * scheduled and cancelled (docs/pekko-http.md, "Tuning the tail"), by two threads at once,
 * as two pollers would, with {@code work} of Blackhole CPU tokens between requests so the
 * rate stays near a server's (without it Pekko's scheduler, which keeps each cancelled timer
 * for up to a wheel's turn, would fill the heap). The time per operation includes the
 * garbage collections that the timers the scheduler still holds cost; {@code -prof gc}
 * gives the bytes per operation. {@code scheduler = pekko}: Pekko's
 * LightArrayRevolverScheduler; {@code kq}: {@link KqScheduler}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(2)
public class SchedulerBenchmark {
  private static final FiniteDuration REQUEST_TIMEOUT = FiniteDuration.create(20, TimeUnit.SECONDS);
  private static final Runnable TIMEOUT = () -> {};
  private static final ExecutionContext CONTEXT = new ExecutionContext() {
    @Override
    public void execute(Runnable runnable) {
      runnable.run();
    }

    @Override
    public void reportFailure(Throwable cause) {}
  };

  @Param({"pekko", "kq"})
  public String scheduler;

  @Param({"1000"})
  public long work;

  private Scheduler timers;

  @Setup(Level.Trial)
  public void setUp() {
    ThreadFactory threads = r -> {
      Thread t = new Thread(r, "scheduler-benchmark");
      t.setDaemon(true);
      return t;
    };
    timers = scheduler.equals("kq")
        ? new KqScheduler(ConfigFactory.defaultReference(), NoLogging.getInstance(), threads)
        : new LightArrayRevolverScheduler(ConfigFactory.defaultReference(), NoLogging.getInstance(), threads);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    ((Closeable) timers).close();
  }

  @Benchmark
  public boolean request() {
    Cancellable timeout = timers.scheduleOnce(REQUEST_TIMEOUT, TIMEOUT, CONTEXT);
    Blackhole.consumeCPU(work);
    return timeout.cancel();
  }
}
