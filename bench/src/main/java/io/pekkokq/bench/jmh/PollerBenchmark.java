package io.pekkokq.bench.jmh;

import io.pekkokq.poll.Interest;
import io.pekkokq.poll.Poller;
import io.pekkokq.poll.Registration;
import io.pekkokq.poll.UserEvent;
import io.pekkokq.sys.Errno;
import io.pekkokq.sys.NativeMemory;
import io.pekkokq.sys.Socket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
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

/**
 * Cross-thread round trips through a running event loop: the benchmark thread causes
 * something, the loop thread (blocked in epoll_wait) wakes, handles it, and bumps a
 * volatile counter the benchmark thread spins on.
 *
 * <ul>
 *   <li>{@link #kqUserEvent} / {@link #nioWakeup}: {@code UserEvent.trigger()} to its action
 *       on a started {@link Poller}, against {@code Selector.wakeup()} to a selector thread
 *       returning from {@code select()}.
 *   <li>{@link #kqSocketDispatch} / {@link #nioSocketDispatch}: one byte written to each of
 *       {@code sockets} loopback connections; the loop gets the readiness events, and for
 *       each the listener (pekko-kq: Poller dispatch, which includes {@code
 *       SlotTable.lookup}) or the selected key (NIO) reads the byte. One op = all bytes
 *       read back.
 * </ul>
 *
 * Both loop threads and the benchmark thread share the machine's cores, as in the macro
 * benchmarks.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PollerBenchmark {

  /** A started pekko-kq Poller with one user event and {@code sockets} registered pairs. */
  abstract static class KqLoop {

    Poller poller;
    UserEvent userEvent;
    volatile long userRuns;
    volatile long bytesRead;
    Pairs.Kq[] pairs;
    Registration[] registrations;
    ByteBuffer out;
    long outAddress;
    /** Poller thread only. */
    long inAddress;

    void start(int sockets) throws Exception {
      poller = Poller.start("jmh-poller");
      userEvent = poller.newUserEvent(() -> userRuns = userRuns + 1); // single writer
      out = ByteBuffer.allocateDirect(1);
      outAddress = NativeMemory.address(out);
      ByteBuffer in = ByteBuffer.allocateDirect(4096);
      inAddress = NativeMemory.address(in);
      pairs = new Pairs.Kq[sockets];
      registrations = new Registration[sockets];
      for (int i = 0; i < sockets; i++) {
        Pairs.Kq pair = Pairs.Kq.open();
        pairs[i] = pair;
        registrations[i] = poller.register(pair.server, Interest.READ, bits -> drain(pair.server));
      }
      keepIn = in;
    }

    private ByteBuffer keepIn; // keeps the read buffer reachable

    /** Runs on the poller thread: reads until EAGAIN, counts the bytes. */
    private void drain(Socket server) {
      long total = 0;
      for (; ; ) {
        int n = server.read(inAddress, 4096);
        if (n > 0) total += n;
        else if (n == -Errno.EAGAIN || n == 0) break;
        else throw new IllegalStateException(Errno.message(n));
      }
      if (total > 0) bytesRead = bytesRead + total; // single writer
    }

    void stop() {
      userEvent.close();
      for (int i = 0; i < pairs.length; i++) {
        if (registrations[i] != null) registrations[i].cancel();
        if (pairs[i] != null) pairs[i].close();
      }
      poller.close();
      if (keepIn == null) throw new AssertionError();
    }
  }

  /** A thread looping on a NIO Selector with {@code sockets} registered pairs. */
  abstract static class NioLoop {

    Selector selector;
    volatile boolean running = true;
    volatile long selects;
    volatile long bytesRead;
    Pairs.Nio[] pairs;
    ByteBuffer out = ByteBuffer.allocateDirect(1);
    private final ByteBuffer in = ByteBuffer.allocateDirect(4096); // loop thread only
    Thread thread;

    void start(int sockets) throws Exception {
      selector = Selector.open();
      pairs = new Pairs.Nio[sockets];
      for (int i = 0; i < sockets; i++) {
        pairs[i] = Pairs.Nio.open();
        pairs[i].server.register(selector, SelectionKey.OP_READ, pairs[i].server);
      }
      thread = new Thread(this::loop, "jmh-selector");
      thread.setDaemon(true);
      thread.start();
    }

    private void loop() {
      try {
        while (running) {
          selector.select();
          Iterator<SelectionKey> it = selector.selectedKeys().iterator();
          long total = 0;
          while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            SocketChannel channel = (SocketChannel) key.attachment();
            for (; ; ) {
              in.clear();
              int n = channel.read(in);
              if (n <= 0) break;
              total += n;
            }
          }
          if (total > 0) bytesRead = bytesRead + total; // single writer
          selects = selects + 1; // single writer
        }
      } catch (IOException e) {
        e.printStackTrace();
      }
    }

    void stop() throws Exception {
      running = false;
      selector.wakeup();
      thread.join(10_000);
      selector.close();
      for (Pairs.Nio p : pairs) if (p != null) p.close();
    }
  }

  /** A Poller with no sockets, for the user event round trip. */
  @State(Scope.Benchmark)
  public static class KqIdle extends KqLoop {
    @Setup(Level.Trial)
    public void open() throws Exception {
      start(0);
    }

    @TearDown(Level.Trial)
    public void close() {
      stop();
    }
  }

  @State(Scope.Benchmark)
  public static class KqSockets extends KqLoop {
    @Param({"1", "16"})
    public int sockets;

    @Setup(Level.Trial)
    public void open() throws Exception {
      start(sockets);
    }

    @TearDown(Level.Trial)
    public void close() {
      stop();
    }
  }

  /** A selector thread with no channels, for the wakeup round trip. */
  @State(Scope.Benchmark)
  public static class NioIdle extends NioLoop {
    @Setup(Level.Trial)
    public void open() throws Exception {
      start(0);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
      stop();
    }
  }

  @State(Scope.Benchmark)
  public static class NioSockets extends NioLoop {
    @Param({"1", "16"})
    public int sockets;

    @Setup(Level.Trial)
    public void open() throws Exception {
      start(sockets);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
      stop();
    }
  }

  @Benchmark
  public long kqUserEvent(KqIdle loop) {
    long before = loop.userRuns;
    loop.userEvent.trigger();
    long now;
    while ((now = loop.userRuns) == before) Thread.onSpinWait();
    return now;
  }

  @Benchmark
  public long nioWakeup(NioIdle loop) {
    long before = loop.selects;
    loop.selector.wakeup();
    long now;
    while ((now = loop.selects) == before) Thread.onSpinWait();
    return now;
  }

  @Benchmark
  public long kqSocketDispatch(KqSockets loop) {
    long target = loop.bytesRead + loop.pairs.length;
    for (Pairs.Kq pair : loop.pairs) {
      int n = pair.client.write(loop.outAddress, 1);
      if (n != 1) throw new IllegalStateException("write: " + n);
    }
    long now;
    while ((now = loop.bytesRead) < target) Thread.onSpinWait();
    return now;
  }

  @Benchmark
  public long nioSocketDispatch(NioSockets loop) throws IOException {
    long target = loop.bytesRead + loop.pairs.length;
    for (Pairs.Nio pair : loop.pairs) {
      loop.out.clear();
      if (pair.client.write(loop.out) != 1) throw new IllegalStateException("NIO write failed");
    }
    long now;
    while ((now = loop.bytesRead) < target) Thread.onSpinWait();
    return now;
  }
}
