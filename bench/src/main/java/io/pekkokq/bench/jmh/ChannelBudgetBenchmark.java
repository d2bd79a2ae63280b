package io.pekkokq.bench.jmh;

import io.pekkokq.runtime.ChannelBudget;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * What max-channels costs a connection: one place taken and given back (what accepting and
 * closing a socket do), by two threads at once, as two pollers would (docs/benchmarks.md,
 * "max-channels per poller"). {@code lanes = 0}: every place from the one shared counter,
 * a compare-and-set and a decrement whose cache line the two cores pass back and forth (how
 * every socket counted before per-poller lanes); {@code lanes = 2}: each thread joined a
 * lane, as each poller thread does, and the shared counter is touched once per chunk.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(2)
public class ChannelBudgetBenchmark {
  @Param({"0", "2"})
  public int lanes;

  private ChannelBudget budget;
  private final AtomicInteger nextLane = new AtomicInteger();

  @Setup(Level.Trial)
  public void setUp() {
    budget = new ChannelBudget(256000, lanes);
  }

  /** Each benchmark thread joins a lane of its own, as a poller thread does. */
  @State(Scope.Thread)
  public static class Poller {
    @Setup(Level.Trial)
    public void join(ChannelBudgetBenchmark shared) {
      int lane = shared.nextLane.getAndIncrement();
      if (lane < shared.lanes) shared.budget.joinLane(lane);
    }
  }

  @Benchmark
  public boolean openAndClose(Poller poller) {
    boolean taken = budget.tryReserve();
    if (taken) budget.release();
    return taken;
  }
}
