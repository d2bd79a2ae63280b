package io.pekkokq.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pekkokq.sys.LibKqueue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import scala.concurrent.duration.FiniteDuration;

/**
 * Peer faults, each with a misbehaving JDK socket on the other end: every one ends in
 * Pekko's documented event (ErrorClosed with the cause's message, PeerClosed, Closed after
 * the queued bytes, Aborted, CommandFailed with its cause) within a bound, never a hang.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerFaultsTest extends ReliabilityFixture {
  private final List<AutoCloseable> peers = new ArrayList<>();

  enum Ack implements Tcp.Event {
    INSTANCE
  }

  @BeforeEach
  void startSystem() {
    start("peer-faults", "pekko.io.kq.register-timeout = 2s");
  }

  @AfterEach
  void closePeers() throws Exception {
    for (AutoCloseable c : peers) {
      try {
        c.close();
      } catch (IOException ignored) {
        // best effort
      }
    }
  }

  private <C extends AutoCloseable> C track(C c) {
    peers.add(c);
    return c;
  }

  private ServerSocket rawServer(int receiveBuffer, int backlog) throws IOException {
    ServerSocket s = track(new ServerSocket());
    if (receiveBuffer > 0) s.setReceiveBufferSize(receiveBuffer);
    s.bind(new InetSocketAddress(HOST, 0), backlog);
    s.setSoTimeout((int) T.toMillis());
    return s;
  }

  record Pair(ActorRef connection, Socket peer) {}

  /** A KqTcp connection to a JDK server, registered with {@code handler}. */
  private Pair connect(TestKit handler, ServerSocket server, boolean keepOpenOnPeerClosed) throws IOException {
    handler.send(manager, TcpMessage.connect((InetSocketAddress) server.getLocalSocketAddress()));
    handler.expectMsgClass(T, Tcp.Connected.class);
    ActorRef connection = handler.getLastSender();
    Socket peer = track(server.accept());
    peer.setSoTimeout((int) T.toMillis());
    handler.send(connection, TcpMessage.register(handler.getRef(), keepOpenOnPeerClosed, true));
    return new Pair(connection, peer);
  }

  private static void reset(Socket s) throws IOException {
    s.setSoLinger(true, 0);
    s.close();
  }

  /** Skips Received and acks until a close event; fails on anything else or on timeout. */
  private static Tcp.ConnectionClosed expectClosed(TestKit handler, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    for (; ; ) {
      long left = deadline - System.nanoTime();
      Object m = left > 0 ? handler.receiveOne(Duration.ofNanos(left)) : null;
      if (m == null) fail("no close event within " + within + ": a hang");
      if (m instanceof Tcp.ConnectionClosed) return (Tcp.ConnectionClosed) m;
      if (!(m instanceof Tcp.Received) && m != Ack.INSTANCE) fail("unexpected " + m);
    }
  }

  private static byte[] readAll(Socket s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    s.getInputStream().transferTo(out);
    return out.toByteArray();
  }

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }

  private final List<String> results = new ArrayList<>();

  private void result(String fault, long startedNanos, Object outcome) {
    results.add(fault + " -> " + outcome + " in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos) + " ms");
  }

  @AfterEach
  void reportResults(org.junit.jupiter.api.TestInfo info) {
    if (!results.isEmpty()) {
      report("peer faults: " + info.getDisplayName().replace("()", ""), "1 connection per fault", "PASS: " + String.join("; ", results));
    }
  }

  @Test
  void resetInMidTransfer() throws Exception {
    LibKqueue.skipBecause(LibKqueue.SO_ERROR_CONSUMED);
    // We write, the peer reads 1 MiB of a 64 MiB Write and resets: ErrorClosed to the handler (also the writer).
    ServerSocket server = rawServer(-1, 50);
    TestKit handler = new TestKit(system);
    Pair p = connect(handler, server, false);
    handler.send(p.connection(), TcpMessage.write(ByteString.fromArrayUnsafe(new byte[64 << 20]), Ack.INSTANCE));
    p.peer().getInputStream().readNBytes(1 << 20);
    long t0 = System.nanoTime();
    reset(p.peer());
    Tcp.ConnectionClosed c = expectClosed(handler, T);
    assertInstanceOf(Tcp.ErrorClosed.class, c, "while writing");
    result("reset while we write", t0, c);

    // The peer writes, we read, the peer resets after we got 1 MiB: ErrorClosed("Connection reset").
    TestKit reader = new TestKit(system);
    Pair q = connect(reader, server, false);
    Socket peer = q.peer();
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      try {
        byte[] chunk = new byte[64 << 10];
        while (true) peer.getOutputStream().write(chunk);
      } catch (IOException expected) {
        // the reset below ends it
      }
    });
    long got = 0;
    while (got < 1 << 20) {
      Object m = reader.receiveOne(T);
      assertInstanceOf(Tcp.Received.class, m, "reading");
      got += ((Tcp.Received) m).data().size();
    }
    t0 = System.nanoTime();
    reset(peer);
    Tcp.ConnectionClosed r = expectClosed(reader, T);
    assertInstanceOf(Tcp.ErrorClosed.class, r, "while reading");
    assertEquals("Connection reset", ((Tcp.ErrorClosed) r).getErrorCause(), "the JDK's (and Pekko's) message");
    result("reset while we read", t0, r);
    writer.get(5, TimeUnit.SECONDS);

    // Accepted side: 200 clients connect and reset at once, 50 more after sending a few bytes.
    TestKit binder = new TestKit(system);
    TestKit bindHandler = new TestKit(system);
    binder.send(manager, TcpMessage.bind(bindHandler.getRef(), new InetSocketAddress(HOST, 0), 1024));
    InetSocketAddress address = binder.expectMsgClass(T, Tcp.Bound.class).localAddress();
    int channelsBefore = io.pekkokq.io.KqTcp.get(system).openChannels();
    t0 = System.nanoTime();
    for (int i = 0; i < 250; i++) {
      try (Socket s = new Socket()) {
        s.connect(address, (int) T.toMillis());
        if (i >= 200) s.getOutputStream().write(new byte[1000]);
        reset(s);
      }
    }
    // Each accepted connection either gets set up (Connected, then we Register and it
    // closes with ErrorClosed) or finds its socket reset before that and closes at once.
    long deadline = System.nanoTime() + T.toNanos();
    while (io.pekkokq.io.KqTcp.get(system).openChannels() > channelsBefore && System.nanoTime() < deadline) {
      Object m = bindHandler.receiveOne(Duration.ofMillis(50));
      if (m instanceof Tcp.Connected) bindHandler.getLastSender().tell(TcpMessage.register(bindHandler.getRef()), bindHandler.getRef());
    }
    awaitOpenChannels(channelsBefore, Duration.ofSeconds(1));
    result("250 accepted connections reset by their client", t0, "all closed, " + channelsBefore + " channels left");
    assertNoErrorsLogged(null);
    assertEchoWorks("resets");
  }

  @Test
  void halfClose() throws Exception {
    ServerSocket server = rawServer(-1, 50);
    // The peer sends and shuts its output: Received, then PeerClosed, and we close too.
    TestKit h = new TestKit(system);
    Pair p = connect(h, server, false);
    p.peer().getOutputStream().write("hello".getBytes());
    long t0 = System.nanoTime();
    p.peer().shutdownOutput();
    assertEquals("hello", h.expectMsgClass(T, Tcp.Received.class).data().utf8String());
    h.expectMsg(T, Tcp.PeerClosed$.MODULE$);
    assertEquals(-1, p.peer().getInputStream().read(), "the peer reads our FIN");
    result("peer half-closes", t0, "PeerClosed, our FIN follows");

    // keepOpenOnPeerClosed: PeerClosed, we still write, then Close.
    TestKit k = new TestKit(system);
    Pair q = connect(k, server, true);
    t0 = System.nanoTime();
    q.peer().shutdownOutput();
    k.expectMsg(T, Tcp.PeerClosed$.MODULE$);
    k.send(q.connection(), TcpMessage.write(ByteString.fromString("reply"), Ack.INSTANCE));
    k.expectMsg(T, Ack.INSTANCE);
    k.send(q.connection(), TcpMessage.close());
    k.expectMsg(T, Tcp.Closed$.MODULE$);
    assertEquals("reply", new String(readAll(q.peer())), "the peer reads the reply, then EOF");
    result("peer half-closes, keepOpenOnPeerClosed", t0, "PeerClosed, reply written, Closed");

    // We half-close (ConfirmedClose): the peer reads EOF, still writes, closes: Received, ConfirmedClosed.
    TestKit c = new TestKit(system);
    Pair r = connect(c, server, false);
    t0 = System.nanoTime();
    c.send(r.connection(), TcpMessage.confirmedClose());
    assertEquals(-1, r.peer().getInputStream().read(), "the peer reads our FIN");
    r.peer().getOutputStream().write("late".getBytes());
    r.peer().close();
    assertEquals("late", c.expectMsgClass(T, Tcp.Received.class).data().utf8String());
    c.expectMsg(T, Tcp.ConfirmedClosed$.MODULE$);
    result("we half-close (ConfirmedClose)", t0, "the peer's late bytes, then ConfirmedClosed");
    assertNoErrorsLogged(null);
  }

  @Test
  void closeWhileOurWritesAreQueued() throws Exception {
    ServerSocket server = rawServer(16 << 10, 50);
    byte[] big = bytes(8 << 20, 1);

    // Close: the queued bytes go out first, then FIN; Closed after the ack.
    TestKit h = new TestKit(system);
    Pair p = connect(h, server, false);
    h.send(p.connection(), TcpMessage.write(ByteString.fromArray(big), Ack.INSTANCE));
    long t0 = System.nanoTime();
    h.send(p.connection(), TcpMessage.close());
    h.expectNoMessage(Duration.ofMillis(300)); // the peer does not read yet: nothing can finish
    CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
      try {
        return readAll(p.peer());
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    h.expectMsg(T, Ack.INSTANCE);
    h.expectMsg(T, Tcp.Closed$.MODULE$);
    assertArrayEquals(big, read.get(10, TimeUnit.SECONDS), "every queued byte, then EOF");
    result("Close with 8 MiB queued", t0, "all 8 MiB delivered, Ack, Closed");

    // ConfirmedClose: the same, then the peer's FIN gives ConfirmedClosed.
    TestKit cc = new TestKit(system);
    Pair q = connect(cc, server, false);
    cc.send(q.connection(), TcpMessage.write(ByteString.fromArray(big), Ack.INSTANCE));
    t0 = System.nanoTime();
    cc.send(q.connection(), TcpMessage.confirmedClose());
    assertArrayEquals(big, readAll(q.peer()), "every queued byte, then EOF");
    cc.expectMsg(T, Ack.INSTANCE);
    q.peer().close();
    cc.expectMsg(T, Tcp.ConfirmedClosed$.MODULE$);
    result("ConfirmedClose with 8 MiB queued", t0, "all delivered, ConfirmedClosed");

    // Abort: at once, the queued bytes dropped, the peer sees a reset.
    TestKit a = new TestKit(system);
    Pair r = connect(a, server, false);
    a.send(r.connection(), TcpMessage.write(ByteString.fromArray(big), Ack.INSTANCE));
    t0 = System.nanoTime();
    a.send(r.connection(), TcpMessage.abort());
    a.expectMsg(T, Tcp.Aborted$.MODULE$);
    try {
      readAll(r.peer());
      fail("the peer read EOF after an Abort, expected a reset");
    } catch (SocketException expected) {
      result("Abort with 8 MiB queued", t0, "Aborted; the peer: " + expected.getMessage());
    }

    // The peer resets while our write is queued: ErrorClosed.
    TestKit e = new TestKit(system);
    Pair s = connect(e, server, false);
    e.send(s.connection(), TcpMessage.write(ByteString.fromArray(big), Ack.INSTANCE));
    e.expectNoMessage(Duration.ofMillis(100));
    t0 = System.nanoTime();
    reset(s.peer());
    Tcp.ConnectionClosed closed = expectClosed(e, T);
    assertInstanceOf(Tcp.ErrorClosed.class, closed);
    result("peer resets with 8 MiB queued", t0, closed);
    assertNoErrorsLogged(null);
    assertEchoWorks("closing with queued writes");
  }

  @Test
  void connectionRefused() throws Exception {
    LibKqueue.skipBecause(LibKqueue.SO_ERROR_CONSUMED);
    // Refused: a port nothing listens on.
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
      port = s.getLocalPort();
    }
    TestKit c = new TestKit(system);
    long t0 = System.nanoTime();
    c.send(manager, TcpMessage.connect(new InetSocketAddress(HOST, port)));
    Tcp.CommandFailed refused = c.expectMsgClass(T, Tcp.CommandFailed.class);
    assertInstanceOf(Tcp.Connect.class, refused.cmd());
    assertInstanceOf(ConnectException.class, refused.cause().get());
    assertTrue(refused.cause().get().getMessage().contains("refused"), refused.cause().get().getMessage());
    result("connection refused", t0, "CommandFailed(Connect), " + refused.cause().get());
    assertNoErrorsLogged(null);
    assertEchoWorks("connection refused");
  }

  @Test
  void aConnectThatCannotCompleteTimesOut() throws Exception {
    // Cannot complete: a listener whose accept queue is full drops further SYNs.
    TestKit c = new TestKit(system);
    ServerSocket full = rawServer(-1, 1);
    int filled = 0;
    for (; filled < 64; filled++) {
      Socket s = track(new Socket());
      try {
        s.connect(full.getLocalSocketAddress(), 300);
      } catch (SocketTimeoutException e) {
        break;
      }
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(filled < 64, "this kernel never filled the accept queue");
    FiniteDuration timeout = FiniteDuration.create(500, TimeUnit.MILLISECONDS);
    long t0 = System.nanoTime();
    c.send(manager, TcpMessage.connect(
        (InetSocketAddress) full.getLocalSocketAddress(), null, List.of(), timeout, false));
    Tcp.CommandFailed timedOut = c.expectMsgClass(Duration.ofSeconds(5), Tcp.CommandFailed.class);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertInstanceOf(ConnectException.class, timedOut.cause().get());
    assertTrue(ms >= 450 && ms < 3000, "failed after " + ms + " ms with a 500 ms timeout");
    result("connect to a full accept queue (" + filled + " queued), 500 ms timeout", t0,
        "CommandFailed(Connect), " + timedOut.cause().get().getMessage());
    assertNoErrorsLogged(null);
    assertEchoWorks("connect timeout");
  }
}
