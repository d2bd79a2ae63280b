package io.pekkokq.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.event.KqEvents;
import io.pekkokq.io.KqTcp;
import io.pekkokq.io.KqTcpSettings;
import io.pekkokq.sys.LibKqueue;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.InvalidMessageException;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import scala.concurrent.duration.FiniteDuration;

/**
 * Bad input: every public command and method given invalid arguments answers with a clear
 * error (an exception at the call, CommandFailed with a cause, or a documented close
 * event), never silence, and the system stays usable: each test ends with an echo.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputTest extends ReliabilityFixture {
  private final List<String> results = new ArrayList<>();
  private final List<AutoCloseable> peers = new ArrayList<>();

  enum Ack implements Tcp.Event {
    INSTANCE
  }

  @BeforeEach
  void startSystem() {
    start("bad-input");
  }

  @AfterEach
  void reportAndClose(TestInfo info) throws Exception {
    for (AutoCloseable c : peers) c.close();
    if (!results.isEmpty()) {
      report("bad input: " + info.getDisplayName().replace("()", ""), results.size() + " inputs",
          "PASS: " + String.join("; ", results));
    }
  }

  private void result(String input, Object outcome) {
    results.add(input + " -> " + outcome);
  }

  private static String causeOf(Tcp.CommandFailed f) {
    assertTrue(f.cause().isDefined(), () -> "CommandFailed without a cause: " + f);
    return f.cause().get().toString();
  }

  private Tcp.CommandFailed expectFailed(TestKit p, Class<? extends Throwable> cause) {
    Tcp.CommandFailed f = p.expectMsgClass(T, Tcp.CommandFailed.class);
    assertTrue(f.cause().isDefined(), () -> "CommandFailed without a cause: " + f);
    assertInstanceOf(cause, f.cause().get(), () -> "cause of " + f);
    return f;
  }

  // ---- addresses ----------------------------------------------------------------------

  @Test
  void addresses() throws Exception {
    // Out-of-range ports cannot even be expressed: the JDK refuses the address.
    IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> new InetSocketAddress(HOST, 65536));
    assertThrows(IllegalArgumentException.class, () -> new InetSocketAddress(HOST, -1));
    assertThrows(IllegalArgumentException.class, () -> InetSocketAddress.createUnresolved("localhost", 70000));
    result("InetSocketAddress port 65536 / -1", "IllegalArgumentException at construction (" + range.getMessage() + ")");

    TestKit p = new TestKit(system);
    if (LibKqueue.RUNNING) { // refused: libkqueue consumes the socket error (LibKqueue)
      result("Connect to port 0", "skipped on libkqueue: " + LibKqueue.SO_ERROR_CONSUMED);
    } else {
      p.send(manager, TcpMessage.connect(new InetSocketAddress(HOST, 0)));
      result("Connect to port 0", causeOf(expectFailed(p, ConnectException.class)));
    }

    InetSocketAddress nowhere = InetSocketAddress.createUnresolved("no-such-host.invalid", 80);
    p.send(manager, TcpMessage.connect(nowhere));
    result("Connect to an unresolvable host", causeOf(expectFailed(p, UnknownHostException.class)));
    p.send(manager, TcpMessage.bind(p.getRef(), nowhere, 10));
    result("Bind to an unresolvable host", causeOf(expectFailed(p, UnknownHostException.class)));

    // Address in use: a JDK listener holds the port.
    ServerSocket taken = new ServerSocket(0, 10, java.net.InetAddress.getByName(HOST));
    peers.add(taken);
    InetSocketAddress used = (InetSocketAddress) taken.getLocalSocketAddress();
    p.send(manager, TcpMessage.bind(p.getRef(), used, 10));
    Tcp.CommandFailed inUse = expectFailed(p, BindException.class);
    assertTrue(inUse.cause().get().getMessage().contains(String.valueOf(used.getPort())), "the address is in the message");
    result("Bind to an address in use", causeOf(inUse));
    InetSocketAddress echo = bindEcho(10);
    p.send(manager, TcpMessage.connect(echo, used, List.of(), (FiniteDuration) null, false));
    result("Connect from a local address in use", causeOf(expectFailed(p, BindException.class)));

    // Double bind: the same address twice; the first listener is unharmed.
    TestKit h = new TestKit(system);
    h.send(manager, TcpMessage.bind(h.getRef(), new InetSocketAddress(HOST, 0), 10));
    InetSocketAddress first = h.expectMsgClass(T, Tcp.Bound.class).localAddress();
    ActorRef listener = h.getLastSender();
    h.send(manager, TcpMessage.bind(h.getRef(), first, 10));
    result("the same Bind twice", causeOf(expectFailed(h, BindException.class)));
    try (Socket s = new Socket()) {
      s.connect(first, 5000);
      h.expectMsgClass(T, Tcp.Connected.class);
    }
    h.send(listener, TcpMessage.unbind());
    h.expectMsg(T, Tcp.Unbound$.MODULE$);
    // Two Binds to port 0 are two listeners.
    h.send(manager, TcpMessage.bind(h.getRef(), new InetSocketAddress(HOST, 0), 10));
    h.send(manager, TcpMessage.bind(h.getRef(), new InetSocketAddress(HOST, 0), 10));
    assertNotEquals(h.expectMsgClass(T, Tcp.Bound.class).localAddress(), h.expectMsgClass(T, Tcp.Bound.class).localAddress());
    assertNoErrorsLogged("bind to .* failed");
    assertEchoWorks("bad addresses");
  }

  // ---- null ---------------------------------------------------------------------------

  @Test
  void nulls() throws Exception {
    TestKit p = new TestKit(system);
    assertThrows(InvalidMessageException.class, () -> manager.tell(null, p.getRef()));
    result("manager.tell(null)", "InvalidMessageException at the call (Pekko)");
    assertThrows(NullPointerException.class, () -> TcpMessage.write(null));
    result("TcpMessage.write(null)", "NullPointerException at construction (Pekko)");

    p.send(manager, TcpMessage.connect(null));
    result("Connect(null)", causeOf(expectFailed(p, NullPointerException.class)));
    p.send(manager, TcpMessage.bind(p.getRef(), null, 10));
    result("Bind(address null)", causeOf(expectFailed(p, NullPointerException.class)));
    p.send(manager, TcpMessage.bind(null, new InetSocketAddress(HOST, 0), 10));
    result("Bind(handler null)", causeOf(expectFailed(p, NullPointerException.class)));

    // A connection given null stops (its actor fails, as in Pekko) and resets its socket;
    // whoever watches it sees Terminated.
    InetSocketAddress echo = bindEcho(10);
    for (String what : List.of("Write(null data)", "Register(null)")) {
      TestKit c = new TestKit(system);
      c.send(manager, TcpMessage.connect(echo));
      c.expectMsgClass(T, Tcp.Connected.class);
      ActorRef connection = c.getLastSender();
      c.watch(connection);
      if (what.startsWith("Write")) {
        c.send(connection, TcpMessage.register(c.getRef()));
        c.send(connection, new Tcp.Write(null, Tcp.NoAck$.MODULE$.apply(null)));
      } else {
        c.send(connection, TcpMessage.register(null));
      }
      c.expectMsgClass(T, Terminated.class);
      result(what + " to a connection", "the connection stops (Terminated), as in Pekko");
    }
    awaitOpenChannels(1, T); // the echo listener: both connections closed their sockets
    assertNoErrorsLogged("bind to .* failed");
    assertEchoWorks("nulls");
  }

  // ---- writes -------------------------------------------------------------------------

  private record Peer(ActorRef connection, Socket socket) {}

  private Peer connectToRaw(TestKit handler) throws IOException {
    ServerSocket server = new ServerSocket(0, 10, java.net.InetAddress.getByName(HOST));
    peers.add(server);
    server.setSoTimeout(5000);
    handler.send(manager, TcpMessage.connect((InetSocketAddress) server.getLocalSocketAddress()));
    handler.expectMsgClass(T, Tcp.Connected.class);
    ActorRef connection = handler.getLastSender();
    Socket s = server.accept();
    peers.add(s);
    s.setSoTimeout(10_000);
    handler.send(connection, TcpMessage.register(handler.getRef()));
    return new Peer(connection, s);
  }

  @Test
  void writes() throws Exception {
    TestKit h = new TestKit(system);
    Peer peer = connectToRaw(h);

    // Empty writes: NoAck is no write at all; with an ack, the ack comes.
    h.send(peer.connection(), TcpMessage.write(ByteString.emptyByteString()));
    h.send(peer.connection(), TcpMessage.write(ByteString.emptyByteString(), Ack.INSTANCE));
    h.expectMsg(T, Ack.INSTANCE);
    result("empty Write, no ack / with ack", "nothing / the ack");

    // Oversized: 10 MiB in one Write, 80 times direct-buffer-size: arrives intact.
    byte[] big = new byte[10 << 20];
    new Random(1).nextBytes(big);
    h.send(peer.connection(), TcpMessage.write(ByteString.fromArray(big), Ack.INSTANCE));
    byte[] got = peer.socket().getInputStream().readNBytes(big.length);
    assertArrayEquals(big, got, "10 MiB in one Write");
    h.expectMsg(T, Ack.INSTANCE);
    result("one 10 MiB Write (direct-buffer-size 128 KiB)", "arrives intact, acked");

    // A second Write while one is pending (32 MiB: more than the kernel's buffers hold).
    byte[] huge = new byte[32 << 20];
    new Random(2).nextBytes(huge);
    h.send(peer.connection(), TcpMessage.write(ByteString.fromArray(huge), Ack.INSTANCE));
    h.send(peer.connection(), TcpMessage.write(ByteString.fromString("more"), Ack.INSTANCE));
    Tcp.CommandFailed full = h.expectMsgClass(T, Tcp.CommandFailed.class);
    result("a Write while one is pending", causeOf(full));
    // Write after Close, while the Close waits for the queued bytes: refused with a cause.
    h.send(peer.connection(), TcpMessage.close());
    h.send(peer.connection(), TcpMessage.write(ByteString.fromString("late"), Ack.INSTANCE));
    Tcp.CommandFailed closing = h.expectMsgClass(T, Tcp.CommandFailed.class);
    result("Write after Close (bytes still queued)", causeOf(closing));
    byte[] all = peer.socket().getInputStream().readAllBytes();
    assertArrayEquals(huge, all, "the queued Write, then EOF");
    h.expectMsg(T, Ack.INSTANCE);
    h.expectMsg(T, Tcp.Closed$.MODULE$);
    // Write after Closed: the connection actor is gone; the write is a dead letter, no crash.
    h.watch(peer.connection());
    h.expectMsgClass(T, Terminated.class);
    h.send(peer.connection(), TcpMessage.write(ByteString.fromString("dead"), Ack.INSTANCE));
    h.expectNoMessage(Duration.ofMillis(200));
    result("Write after Closed", "dead letter, no reply (Pekko's behaviour: the connection actor has stopped)");

    // WritePath of a missing file: ErrorClosed with the system's message.
    TestKit f = new TestKit(system);
    Peer other = connectToRaw(f);
    f.send(other.connection(), TcpMessage.writePath(Path.of("/nonexistent/file"), 0, 10, Ack.INSTANCE));
    Tcp.ErrorClosed missing = f.expectMsgClass(T, Tcp.ErrorClosed.class);
    result("WritePath of a missing file", missing);

    // Register twice: the second is ignored, bytes still reach the first handler only.
    TestKit r = new TestKit(system);
    Peer third = connectToRaw(r);
    TestKit intruder = new TestKit(system);
    r.send(third.connection(), TcpMessage.register(intruder.getRef()));
    third.socket().getOutputStream().write("mine".getBytes());
    assertEquals("mine", r.expectMsgClass(T, Tcp.Received.class).data().utf8String());
    intruder.expectNoMessage(Duration.ofMillis(200));
    r.send(third.connection(), TcpMessage.close());
    r.expectMsg(T, Tcp.Closed$.MODULE$);
    result("Register twice", "the second ignored, data to the first handler only (as Pekko)");
    assertNoErrorsLogged(null);
    assertEchoWorks("bad writes");
  }

  // ---- timeouts, events, signals, settings --------------------------------------------

  @Test
  void timeoutsEventsSignalsAndSettings() throws Exception {
    TestKit p = new TestKit(system);
    // A negative connect timeout: expired at once, as in Pekko (port 1: nothing listens,
    // so the connect cannot win the race).
    p.send(manager, TcpMessage.connect(new InetSocketAddress(HOST, 1), null, List.of(),
        FiniteDuration.create(-1, TimeUnit.SECONDS), false));
    result("Connect with timeout -1 s", causeOf(expectFailed(p, ConnectException.class)));

    KqEvents events = KqTcp.get(system).events();
    for (String jvmOwned : List.of("SEGV", "SIGBUS", "QUIT", "PIPE", "KILL", "CHLD", "USR2")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> events.subscribeSignal(jvmOwned, p.getRef()));
      assertTrue(e.getMessage().contains("JVM"), e.getMessage());
    }
    result("subscribeSignal of SEGV, BUS, QUIT, PIPE, KILL, CHLD, USR2",
        "IllegalArgumentException: " + assertThrows(IllegalArgumentException.class, () -> events.subscribeSignal("SEGV", p.getRef())).getMessage());
    result("subscribeSignal(\"NOPE\")",
        "IllegalArgumentException: " + assertThrows(IllegalArgumentException.class, () -> events.subscribeSignal("NOPE", p.getRef())).getMessage());
    assertThrows(NullPointerException.class, () -> events.subscribeSignal(null, p.getRef()));
    assertThrows(NullPointerException.class, () -> events.subscribeSignal("HUP", null));
    result("subscribeSignal with a null name / receiver", "NullPointerException");
    assertThrows(IllegalArgumentException.class, () -> events.scheduleOnce(Duration.ofSeconds(-1), p.getRef(), "x"));
    assertThrows(NullPointerException.class, () -> events.scheduleOnce(null, p.getRef(), "x"));
    assertThrows(NullPointerException.class, () -> events.userEvent(p.getRef(), null));
    assertThrows(IllegalArgumentException.class,
        () -> events.scheduleWithFixedDelay(Duration.ZERO, Duration.ZERO, p.getRef(), "x"));
    result("scheduleOnce(-1 s) / (null) / userEvent(msg null) / fixed delay 0", "IllegalArgumentException / NullPointerException");
    // The events still work.
    events.scheduleOnce(Duration.ofMillis(1), p.getRef(), "tick");
    p.expectMsg(T, "tick");

    for (String bad : List.of("pollers = 0", "direct-buffer-size = 0", "max-channels = -1", "read-budget = 3 GiB")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> KqTcpSettings.from(ConfigFactory.parseString("pekko.io.kq." + bad).withFallback(ConfigFactory.load())));
      assertTrue(e.getMessage().contains("pekko.io.kq."), e.getMessage());
    }
    result("settings pollers = 0, direct-buffer-size = 0, max-channels = -1, read-budget = 3 GiB",
        "IllegalArgumentException naming the key");
    assertNoErrorsLogged(null);
    assertEchoWorks("bad timeouts, signals and settings");
  }
}
