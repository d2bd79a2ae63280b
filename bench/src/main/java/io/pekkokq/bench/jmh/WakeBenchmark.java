package io.pekkokq.bench.jmh;

import io.pekkokq.sys.KernelQueue;
import io.pekkokq.sys.ReadyBits;
import java.io.IOException;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The one-event wait, on one thread: a wake-up through the queue's own channel and the
 * non-blocking wait that returns it. pekko-kq: {@code KernelQueue.wake()} (eventfd write)
 * + {@code await(0)} (epoll_wait, and the eventfd drained in C, in the same JNI call).
 * NIO: {@code Selector.wakeup()} + {@code selectNow()}. Both queues have nothing else
 * registered.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class WakeBenchmark {
  private KernelQueue queue;
  private Selector selector;

  @Setup(Level.Trial)
  public void open() throws IOException {
    queue = KernelQueue.open(64);
    selector = Selector.open();
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    queue.close();
    selector.close();
  }

  @Benchmark
  public int kqWakeAwait() {
    queue.wake();
    int n = queue.await(0);
    if (n != 1 || (queue.events().bits(0) & ReadyBits.WAKEUP) == 0) {
      throw new IllegalStateException("await after wake returned " + n);
    }
    return n;
  }

  @Benchmark
  public int nioWakeupSelectNow() throws IOException {
    selector.wakeup();
    return selector.selectNow();
  }
}
