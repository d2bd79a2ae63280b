package io.pekkokq.bench.jmh;

import io.pekkokq.poll.Interest;
import io.pekkokq.poll.Token;
import io.pekkokq.sys.EventArray;
import io.pekkokq.sys.KernelQueue;
import io.pekkokq.sys.NativeMemory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * One non-blocking wait that returns {@code events} ready sockets, and the walk over what
 * it returned: pekko-kq's {@code KernelQueue.await(0)} + {@code EventArray} (one JNI call,
 * events read in place) against NIO's {@code Selector.selectNow()} + {@code selectedKeys}.
 *
 * <p>Each of {@code events} loopback pairs has one byte waiting on its server side that
 * nobody reads. NIO's selector is level-triggered, so every selectNow reports all of them
 * again. pekko-kq registers edge-triggered, so each op first re-arms every socket with
 * {@code KernelQueue.modify} (one epoll_ctl each, which reports the pending byte again);
 * {@link #kqRearmOnly} measures that re-arming alone, and the wait's own cost is
 * {@code kqRearmAwait - kqRearmOnly}. {@link WakeBenchmark} has the one-event case through
 * the queue's own wake-up channel.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class WaitBenchmark {
  @Param({"1", "16", "64"})
  public int events;

  private Pairs.Kq[] kqPairs;
  private long[] tokens;
  private KernelQueue queue;
  private EventArray array;

  private Pairs.Nio[] nioPairs;
  private Selector selector;
  private Set<SelectionKey> selected;

  @Setup(Level.Trial)
  public void open() throws Exception {
    ByteBuffer one = ByteBuffer.allocateDirect(1);
    long oneAddress = NativeMemory.address(one);
    queue = KernelQueue.open(Math.max(64, events));
    array = queue.events();
    kqPairs = new Pairs.Kq[events];
    tokens = new long[events];
    nioPairs = new Pairs.Nio[events];
    selector = Selector.open();
    for (int i = 0; i < events; i++) {
      kqPairs[i] = Pairs.Kq.open();
      tokens[i] = Token.of(i, 1);
      queue.add(kqPairs[i].server, tokens[i], Interest.READ);
      if (kqPairs[i].client.write(oneAddress, 1) != 1) throw new IOException("write failed");

      nioPairs[i] = Pairs.Nio.open();
      nioPairs[i].server.register(selector, SelectionKey.OP_READ, Integer.valueOf(i));
      one.clear();
      if (nioPairs[i].client.write(one) != 1) throw new IOException("NIO write failed");
    }
    selected = selector.selectedKeys();
    // Wait (bounded) until every byte has arrived, then check both sides see all of them.
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (true) {
      selector.selectNow();
      if (selected.size() == events) break;
      if (System.nanoTime() > deadline) throw new IllegalStateException("bytes did not arrive");
      Thread.sleep(1);
    }
    selected.clear();
    if (selector.selectNow() != events) throw new IllegalStateException("NIO sees too few events");
    selected.clear();
    int seen = kqRearmAwait(null);
    if (seen != events) throw new IllegalStateException("kq saw " + seen + " of " + events);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    for (Pairs.Kq p : kqPairs) if (p != null) p.close();
    queue.close();
    for (Pairs.Nio p : nioPairs) if (p != null) p.close();
    selector.close();
  }

  /** Re-arming alone: {@code events} epoll_ctl(MOD) calls. */
  @Benchmark
  public void kqRearmOnly() throws IOException {
    for (int i = 0; i < events; i++) queue.modify(kqPairs[i].server, tokens[i], Interest.READ);
  }

  /** Re-arm, then one await(0) that returns all {@code events}, each token and bits read. */
  @Benchmark
  public int kqRearmAwait(Blackhole bh) throws IOException {
    for (int i = 0; i < events; i++) queue.modify(kqPairs[i].server, tokens[i], Interest.READ);
    int n = queue.await(0);
    if (n != events) throw new IllegalStateException("await returned " + n + ", expected " + events);
    for (int i = 0; i < n; i++) {
      long token = array.token(i);
      int bits = array.bits(i);
      if (bh != null) {
        bh.consume(Token.slot(token));
        bh.consume(bits);
      }
    }
    return n;
  }

  /** selectNow() that reports all {@code events} (level-triggered), each key's attachment and ready set read. */
  @Benchmark
  public int nioSelectNow(Blackhole bh) throws IOException {
    int n = selector.selectNow();
    if (n != events) throw new IllegalStateException("selectNow returned " + n + ", expected " + events);
    Iterator<SelectionKey> it = selected.iterator();
    while (it.hasNext()) {
      SelectionKey key = it.next();
      bh.consume(key.attachment());
      bh.consume(key.readyOps());
    }
    selected.clear();
    return n;
  }
}
