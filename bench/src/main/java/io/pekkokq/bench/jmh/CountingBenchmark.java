package io.pekkokq.bench.jmh;

import io.pekkokq.metrics.Api;
import io.pekkokq.metrics.SocketCounts;
import io.pekkokq.runtime.SocketCounters;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What the metrics add per system call and per poller turn, measured alone, since a
 * difference of a few nanoseconds is lost in the noise of a macro benchmark on a shared
 * machine (docs/benchmarks.md, "Metrics overhead"):
 *
 * <ul>
 *   <li>{@link #countOneReadLoop}: what {@code SocketDriver} does once per read loop with
 *       metrics on: its thread's block (the cached one: the owner did not move), then three
 *       release stores (read calls, bytes, EAGAIN);
 *   <li>{@link #countOneWrite}: what it does once per write(2): block, calls, bytes;
 *   <li>{@link #timeOneTurn}: the two clock reads a poller turn costs with metrics on;
 *   <li>{@link #nothing}: the harness alone, to subtract.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CountingBenchmark {
  private final SocketCounters counters = new SocketCounters(Api.ACTOR, true);
  private SocketCounters.Block block;
  private long bytes = 64;

  @Benchmark
  public long nothing() {
    return bytes;
  }

  @Benchmark
  public SocketCounters.Block countOneReadLoop() {
    SocketCounters.Block b = block = counters.current(block);
    b.add(SocketCounts.READ_CALLS, 2);
    b.add(SocketCounts.BYTES_READ, bytes);
    b.add(SocketCounts.READ_EAGAIN, 1);
    return b;
  }

  @Benchmark
  public SocketCounters.Block countOneWrite() {
    SocketCounters.Block b = block = counters.current(block);
    b.add(SocketCounts.WRITE_CALLS, 1);
    b.add(SocketCounts.BYTES_WRITTEN, bytes);
    return b;
  }

  @Benchmark
  public long timeOneTurn() {
    long began = System.nanoTime();
    return System.nanoTime() - began;
  }
}
