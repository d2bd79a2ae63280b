package io.pekkokq.bench.jmh;

import io.pekkokq.poll.Interest;
import io.pekkokq.poll.Poller;
import io.pekkokq.poll.ReadyListener;
import io.pekkokq.poll.Registration;
import io.pekkokq.poll.Token;
import io.pekkokq.sys.Socket;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
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
 * Tokens and registrations.
 *
 * <p>{@code SlotTable.lookup} itself is package-private in {@code io.pekkokq.poll} and
 * cannot be called from this module without a hook in main code, so it is measured
 * inside {@link PollerBenchmark#kqSocketDispatch} (every dispatched event goes through
 * it). Here: building and taking apart a token ({@link #tokenRoundTrip}), and the cost of
 * one registration's life: a fresh socket registered with a running Poller (slot
 * allocation + publication + epoll_ctl ADD), cancelled (slot release) and closed, against
 * the same socket opened and closed without registering. NIO's equivalent registers with
 * a Selector and runs a selectNow (NIO only reaches epoll_ctl in a selection operation),
 * cancels the key, closes the channel and runs the selectNow that deregisters it (NIO
 * defers the real close of a registered channel until then).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TokenBenchmark {
  private static final ReadyListener IGNORE = bits -> {};

  private Poller poller;
  private Selector selector;
  private int slot = 12345;
  private int generation = 7;

  @Setup(Level.Trial)
  public void open() throws IOException {
    poller = Poller.start("jmh-token-poller");
    selector = Selector.open();
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    poller.close();
    selector.close();
  }

  /** Token.of then slot and generation back; the inputs change every op. */
  @Benchmark
  public long tokenRoundTrip() {
    int s = slot++ & 0xfffff;
    int g = (generation++ & 0x3fffffff) + 1;
    long token = Token.of(s, g);
    return Token.slot(token) + (long) Token.generation(token);
  }

  @Benchmark
  public int kqOpenClose() throws IOException {
    Socket socket = Socket.openTcp(4);
    int fd = socket.intValue();
    socket.close();
    return fd;
  }

  @Benchmark
  public long kqOpenRegisterCancelClose() throws IOException {
    Socket socket = Socket.openTcp(4);
    try {
      Registration registration = poller.register(socket, Interest.READ_WRITE, IGNORE);
      long token = registration.token();
      registration.cancel();
      return token;
    } finally {
      socket.close();
    }
  }

  @Benchmark
  public int nioOpenClose() throws IOException {
    SocketChannel channel = SocketChannel.open();
    channel.configureBlocking(false);
    channel.close();
    return 0;
  }

  @Benchmark
  public int nioOpenRegisterCancelClose() throws IOException {
    SocketChannel channel = SocketChannel.open();
    try {
      channel.configureBlocking(false);
      SelectionKey key = channel.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
      selector.selectNow(); // NIO defers epoll_ctl(ADD) to the next selection operation
      key.cancel();
    } finally {
      channel.close();
    }
    return selector.selectNow();
  }
}
