package io.pekkokq.io.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import scala.concurrent.duration.FiniteDuration;

/**
 * Base of the differential ("parity") suite: every scenario is written once against Pekko's
 * public classic Tcp API and runs against each selected driver's manager actor.
 *
 * <ul>
 *   <li>{@code pekko}: {@code org.apache.pekko.io.Tcp.get(system).manager()}
 *   <li>{@code kq}: {@code io.pekkokq.io.KqTcp.get(system).manager()}
 *   <li>{@code kq-fallback}: the same, in an actor system with {@code pekko.io.kq.native =
 *       off}, so KqTcp runs its NIO fallback (Pekko's own Tcp) while the library is loaded
 * </ul>
 *
 * <p>Select drivers with {@code -Dkq.parity.drivers=pekko} (or env {@code
 * KQ_PARITY_DRIVERS}); default {@code pekko,kq,kq-fallback}. Each test method starts its own actor system
 * with {@link #start} and the fixture tears it down, with every raw JDK socket the test
 * opened, after the test.
 *
 * <p>Run (Pekko only, while kq is in progress):
 *
 * <pre>
 * mvn -q -pl native,pekko-kq test -Dtest='io.pekkokq.io.parity.**' \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dkq.parity.drivers=pekko
 * </pre>
 */
public abstract class ParityFixture {
  public static final String DRIVERS_PROPERTY = "kq.parity.drivers";
  public static final String DRIVERS_ENV = "KQ_PARITY_DRIVERS";
  public static final List<String> ALL_DRIVERS = List.of("pekko", "kq", "kq-fallback");
  /** Config of the kq-fallback driver's actor systems. */
  static final String FALLBACK_CONFIG = "pekko.io.kq.native = off\n";

  /** Generous bound for anything that must happen. */
  protected static final Duration T = Duration.ofSeconds(5);
  /** How long "nothing happens" is watched. */
  protected static final Duration QUIET = Duration.ofMillis(300);

  protected static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  /** Drivers selected for this run, from the system property, else env, else all. */
  public static Stream<String> drivers() {
    String spec = System.getProperty(DRIVERS_PROPERTY);
    if (spec == null || spec.isBlank()) spec = System.getenv(DRIVERS_ENV);
    if (spec == null || spec.isBlank()) return ALL_DRIVERS.stream();
    List<String> chosen =
        Arrays.stream(spec.split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toList());
    for (String d : chosen) {
      if (!ALL_DRIVERS.contains(d)) {
        throw new IllegalArgumentException(
            "unknown parity driver '" + d + "' in " + DRIVERS_PROPERTY + ", known: " + ALL_DRIVERS);
      }
    }
    return chosen.stream();
  }

  /** Kept apart so that pekko-only runs never load the kq classes. */
  private static final class KqDriver {
    static ActorRef manager(ActorSystem system, boolean expectNative) {
      io.pekkokq.io.KqTcpExt ext = io.pekkokq.io.KqTcp.get(system);
      if (ext.isNative() != expectNative) {
        throw new IllegalStateException("KqTcp isNative() = " + ext.isNative() + ", expected " + expectNative);
      }
      return ext.manager();
    }
  }

  static ActorRef managerOf(String driver, ActorSystem system) {
    switch (driver) {
      case "pekko":
        return Tcp.get(system).manager();
      case "kq":
        return KqDriver.manager(system, true);
      case "kq-fallback":
        return KqDriver.manager(system, false);
      default:
        throw new IllegalArgumentException("unknown driver " + driver);
    }
  }

  /** Sets {@code key = value} under both {@code pekko.io.tcp} and {@code pekko.io.kq}. */
  protected static String both(String key, String value) {
    return "pekko.io.tcp." + key + " = " + value + "\npekko.io.kq." + key + " = " + value + "\n";
  }

  private static final String BASE_CONFIG =
      "pekko.loglevel = WARNING\n"
          + "pekko.stdout-loglevel = WARNING\n"
          + "pekko.log-dead-letters = off\n"
          + "pekko.log-dead-letters-during-shutdown = off\n"
          + "pekko.actor.warn-about-java-serializer-usage = off\n"
          + both("register-timeout", "500ms");

  protected String driver;
  protected ActorSystem system;
  protected ActorRef manager;

  private final List<Closeable> resources = new ArrayList<>();
  private ExecutorService executor;

  /** Starts this test's actor system; {@code extraConfig} (HOCON) overrides the defaults. */
  protected void start(String driver, String extraConfig) {
    this.driver = driver;
    Config config =
        ConfigFactory.parseString(extraConfig)
            .withFallback(
                ConfigFactory.parseString(
                    (driver.equals("kq-fallback") ? FALLBACK_CONFIG : "") + BASE_CONFIG))
            .withFallback(ConfigFactory.load());
    system = ActorSystem.create("parity-" + driver, config);
    manager = managerOf(driver, system);
  }

  protected void start(String driver) {
    start(driver, "");
  }

  @AfterEach
  void stopFixture() {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (IOException | RuntimeException ignored) {
        // best effort
      }
    }
    resources.clear();
    if (executor != null) executor.shutdownNow();
    executor = null;
    if (system != null) TestKit.shutdownActorSystem(system, FiniteDuration.create(15, TimeUnit.SECONDS), true);
    system = null;
  }

  protected <C extends Closeable> C track(C c) {
    resources.add(c);
    return c;
  }

  protected TestKit probe() {
    return new TestKit(system);
  }

  protected static InetSocketAddress anyLoopbackPort() {
    return new InetSocketAddress("127.0.0.1", 0);
  }

  protected static final Tcp.Event CLOSED = Tcp.Closed$.MODULE$;
  protected static final Tcp.Event CONFIRMED_CLOSED = Tcp.ConfirmedClosed$.MODULE$;
  protected static final Tcp.Event ABORTED = Tcp.Aborted$.MODULE$;
  protected static final Tcp.Event PEER_CLOSED = Tcp.PeerClosed$.MODULE$;
  protected static final Tcp.Event UNBOUND = Tcp.Unbound$.MODULE$;
  protected static final Tcp.Event WRITING_RESUMED = Tcp.WritingResumed$.MODULE$;

  /** A user ack token. */
  public record Ack(Object id) implements Tcp.Event {}

  protected static Tcp.Command write(String s, Object ackId) {
    return TcpMessage.write(ByteString.fromString(s), new Ack(ackId));
  }

  protected static Tcp.Command write(byte[] b, Object ackId) {
    return TcpMessage.write(ByteString.fromArray(b), new Ack(ackId));
  }

  protected static Tcp.Command writeNoAck(String s) {
    return TcpMessage.write(ByteString.fromString(s));
  }

  // ------------------------------------------------------------------ listener side

  /** Result of a successful Bind: the event and its sender, the listener. */
  public record Listener(Tcp.Bound bound, ActorRef ref) {
    public InetSocketAddress address() {
      return bound.localAddress();
    }
  }

  protected Listener bind(TestKit handler) {
    return bind(handler, 100, List.of(), false);
  }

  protected Listener bind(TestKit handler, int backlog, List<Inet.SocketOption> options, boolean pullMode) {
    handler.send(manager, TcpMessage.bind(handler.getRef(), anyLoopbackPort(), backlog, options, pullMode));
    Tcp.Bound bound = handler.expectMsgClass(T, Tcp.Bound.class);
    ActorRef listener = handler.getLastSender();
    return new Listener(bound, listener);
  }

  /** An incoming connection as seen by the Bind handler: Connected and its sender. */
  public record Accepted(Tcp.Connected connected, ActorRef connection) {}

  protected Accepted expectAccepted(TestKit bindHandler) {
    Tcp.Connected c = bindHandler.expectMsgClass(T, Tcp.Connected.class);
    return new Accepted(c, bindHandler.getLastSender());
  }

  // ------------------------------------------------------------------ outgoing side

  /** An outgoing connection made through the manager, with the raw JDK peer it reached. */
  public record Outgoing(Tcp.Connected connected, ActorRef connection, Socket peer) {}

  protected ServerSocket rawServer() throws IOException {
    return rawServer(-1);
  }

  /** A blocking JDK listener on 127.0.0.1:0; {@code rcvBuf > 0} sets SO_RCVBUF before bind. */
  protected ServerSocket rawServer(int rcvBuf) throws IOException {
    ServerSocket s = track(new ServerSocket());
    if (rcvBuf > 0) s.setReceiveBufferSize(rcvBuf);
    s.bind(anyLoopbackPort(), 50);
    s.setSoTimeout((int) T.toMillis());
    return s;
  }

  protected Outgoing connect(TestKit commander, ServerSocket server) throws IOException {
    return connect(commander, server, List.of(), false);
  }

  protected Outgoing connect(
      TestKit commander, ServerSocket server, List<Inet.SocketOption> options, boolean pullMode)
      throws IOException {
    InetSocketAddress remote = (InetSocketAddress) server.getLocalSocketAddress();
    commander.send(manager, TcpMessage.connect(remote, null, options, (FiniteDuration) null, pullMode));
    Tcp.Connected c = commander.expectMsgClass(T, Tcp.Connected.class);
    ActorRef connection = commander.getLastSender();
    Socket peer = track(server.accept());
    peer.setSoTimeout((int) T.toMillis());
    assertEquals(remote, c.remoteAddress(), "Connected.remoteAddress");
    assertEquals(peer.getRemoteSocketAddress(), c.localAddress(), "Connected.localAddress");
    return new Outgoing(c, connection, peer);
  }

  /** A blocking JDK client socket connected to {@code addr}. */
  protected Socket rawConnect(InetSocketAddress addr) throws IOException {
    Socket s = track(new Socket());
    s.connect(addr, (int) T.toMillis());
    s.setSoTimeout((int) T.toMillis());
    return s;
  }

  // ------------------------------------------------------------------ bytes

  protected static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Collects Received events on {@code handler} until {@code n} bytes; fails on anything else. */
  protected static ByteString receiveBytes(TestKit handler, int n) {
    ByteString acc = ByteString.emptyByteString();
    long deadline = System.nanoTime() + T.toNanos() * 2;
    while (acc.size() < n) {
      Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
      Object m = handler.receiveOne(left);
      if (m == null) fail("timed out after " + acc.size() + " of " + n + " bytes");
      if (!(m instanceof Tcp.Received)) fail("expected Received, got " + m + " after " + acc.size() + " bytes");
      acc = acc.concat(((Tcp.Received) m).data());
    }
    assertEquals(n, acc.size(), "received more bytes than expected");
    return acc;
  }

  protected static byte[] readN(Socket s, int n) throws IOException {
    InputStream in = s.getInputStream();
    byte[] b = new byte[n];
    int off = 0;
    while (off < n) {
      int r = in.read(b, off, n - off);
      if (r < 0) fail("EOF after " + off + " of " + n + " bytes");
      off += r;
    }
    return b;
  }

  protected static String readString(Socket s, int n) throws IOException {
    return new String(readN(s, n), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Reads until EOF and returns everything read; fails on reset or timeout. */
  protected static byte[] readToEof(Socket s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    s.getInputStream().transferTo(out);
    return out.toByteArray();
  }

  /** What a raw peer observes when it next reads: see {@link Outcome}. */
  public enum Outcome {
    DATA,
    EOF,
    RESET,
    TIMEOUT
  }

  /**
   * Reads once (waiting up to the socket's timeout) and classifies: bytes, EOF, reset (any
   * SocketException), or nothing.
   */
  protected static Outcome peerOutcome(Socket s) throws IOException {
    try {
      int r = s.getInputStream().read(new byte[1024]);
      return r < 0 ? Outcome.EOF : Outcome.DATA;
    } catch (SocketTimeoutException e) {
      return Outcome.TIMEOUT;
    } catch (SocketException e) {
      return Outcome.RESET;
    }
  }

  protected static void expectEof(Socket s) throws IOException {
    assertEquals(-1, s.getInputStream().read(), "peer expected EOF");
  }

  protected static void writeRaw(Socket s, byte[] b) throws IOException {
    s.getOutputStream().write(b);
    s.getOutputStream().flush();
  }

  protected static void writeRaw(Socket s, String str) throws IOException {
    writeRaw(s, str.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Closes with SO_LINGER 0, so that the kernel sends RST. */
  protected static void resetRaw(Socket s) throws IOException {
    s.setSoLinger(true, 0);
    s.close();
  }

  protected <V> CompletableFuture<V> async(IoCallable<V> task) {
    if (executor == null) executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "parity-peer");
      t.setDaemon(true);
      return t;
    });
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return task.call();
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        },
        executor);
  }

  protected static <V> V await(CompletableFuture<V> f) throws Exception {
    return f.get(T.toMillis() * 2, TimeUnit.MILLISECONDS);
  }

  @FunctionalInterface
  protected interface IoCallable<V> {
    V call() throws Exception;
  }

  protected static void assertBytes(byte[] expected, byte[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    assertArrayEquals(expected, actual, what + ": content");
  }

  protected static <X> X cause(Tcp.CommandFailed failed, Class<X> type) {
    assertTrue(failed.cause().isDefined(), "CommandFailed without cause: " + failed);
    Throwable t = failed.cause().get();
    assertTrue(type.isInstance(t), "cause " + t + " is not a " + type.getSimpleName());
    return type.cast(t);
  }
}
