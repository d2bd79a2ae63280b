package io.pekkokq.io.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.typesafe.config.ConfigFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.Udp;
import org.apache.pekko.io.UdpConnected;
import org.apache.pekko.io.UdpConnectedMessage;
import org.apache.pekko.io.UdpMessage;
import org.apache.pekko.io.UdpSO;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;

/**
 * The UDP half of the differential suite: each scenario is written once against Pekko's
 * public {@code Udp} and {@code UdpConnected} APIs and runs against Pekko's own managers
 * ({@code pekko}) and pekko-kq's ({@code kq}: {@code KqUdp}, {@code KqUdpConnected}; {@code
 * kq-fallback}: the same with {@code native = off}, which hands out Pekko's managers), with
 * plain JDK DatagramSockets at the other end. Drivers are chosen as for the TCP
 * parity tests ({@link ParityFixture#drivers()}).
 */
class UdpParityTest {
  private static final Duration T = Duration.ofSeconds(5);
  private static final Duration QUIET = Duration.ofMillis(300);
  private static final InetSocketAddress LOOPBACK_ANY = new InetSocketAddress("127.0.0.1", 0);

  private ActorSystem system;
  private ActorRef udp;
  private ActorRef connected;
  private final List<DatagramSocket> raws = new ArrayList<>();

  /** A user ack token. */
  record Ack(int id) implements Udp.Event, UdpConnected.Event {}

  /** Kept apart so that pekko-only runs never load the kq classes. */
  private static final class Kq {
    static ActorRef udp(ActorSystem system) {
      return io.pekkokq.io.KqUdp.get(system).manager();
    }

    static ActorRef connected(ActorSystem system) {
      return io.pekkokq.io.KqUdpConnected.get(system).manager();
    }
  }

  private void start(String driver) {
    String fallback = driver.equals("kq-fallback") ? ParityFixture.FALLBACK_CONFIG : "";
    system = ActorSystem.create("udp-parity-" + driver, ConfigFactory.parseString(fallback +
        "pekko.loglevel = WARNING\npekko.stdout-loglevel = WARNING\npekko.log-dead-letters = off\n"
            + "pekko.log-dead-letters-during-shutdown = off\n").withFallback(ConfigFactory.load()));
    boolean kq = driver.startsWith("kq");
    udp = kq ? Kq.udp(system) : Udp.get(system).manager();
    connected = kq ? Kq.connected(system) : UdpConnected.get(system).manager();
  }

  @AfterEach
  void stop() {
    raws.forEach(DatagramSocket::close);
    raws.clear();
    // A Scala FiniteDuration: the java.time overload exists only from Pekko 1.2 (.ci/pekko-versions.sh).
    if (system != null)
      TestKit.shutdownActorSystem(
          system, scala.concurrent.duration.FiniteDuration.create(15, java.util.concurrent.TimeUnit.SECONDS), true);
    system = null;
  }

  private DatagramSocket raw() throws Exception {
    DatagramSocket s = new DatagramSocket(LOOPBACK_ANY);
    s.setSoTimeout((int) T.toMillis());
    raws.add(s);
    return s;
  }

  private static void rawSend(DatagramSocket from, String text, InetSocketAddress to) throws Exception {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    from.send(new DatagramPacket(b, b.length, to));
  }

  private static DatagramPacket rawReceive(DatagramSocket s) throws Exception {
    DatagramPacket p = new DatagramPacket(new byte[65_536], 65_536);
    s.receive(p);
    return p;
  }

  private static String text(DatagramPacket p) {
    return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
  }

  /** Binds a socket for {@code handler}: its Bound event and the socket actor (its sender). */
  private ActorRef bind(TestKit handler, Iterable<Inet.SocketOption> options) {
    handler.send(udp, UdpMessage.bind(handler.getRef(), LOOPBACK_ANY, options));
    Udp.Bound bound = handler.expectMsgClass(T, Udp.Bound.class);
    assertNotEquals(0, bound.localAddress().getPort());
    lastBound = bound.localAddress();
    return handler.getLastSender();
  }

  private InetSocketAddress lastBound;

  private ActorRef bind(TestKit handler) {
    return bind(handler, List.of());
  }

  @ParityTest
  void boundSocketReceivesWithTheSenderAndAnswersWithAnAck(String d) throws Exception {
    start(d);
    TestKit handler = new TestKit(system);
    ActorRef socket = bind(handler);
    assertNotEquals(udp, socket, "Bound comes from the socket actor, not the manager");
    assertEquals(InetAddress.getByName("127.0.0.1"), lastBound.getAddress());
    DatagramSocket peer = raw();
    rawSend(peer, "ping", lastBound);
    Udp.Received r = handler.expectMsgClass(T, Udp.Received.class);
    assertEquals("ping", r.data().utf8String());
    assertEquals(peer.getLocalSocketAddress(), r.sender());
    handler.send(socket, UdpMessage.send(ByteString.fromString("pong"), r.sender(), new Ack(1)));
    handler.expectMsgEquals(T, new Ack(1));
    assertEquals("pong", text(rawReceive(peer)));
  }

  @ParityTest
  void sendWithoutAckGetsNoAnswer(String d) throws Exception {
    start(d);
    TestKit handler = new TestKit(system);
    ActorRef socket = bind(handler);
    DatagramSocket peer = raw();
    handler.send(socket, UdpMessage.send(ByteString.fromString("quiet"), (InetSocketAddress) peer.getLocalSocketAddress()));
    assertEquals("quiet", text(rawReceive(peer)));
    handler.expectNoMessage(QUIET);
  }

  @ParityTest
  void everyAckedSendArrivesInOrderOnLoopback(String d) throws Exception {
    start(d);
    TestKit handler = new TestKit(system);
    ActorRef socket = bind(handler);
    DatagramSocket peer = raw();
    peer.setReceiveBufferSize(1 << 20);
    InetSocketAddress to = (InetSocketAddress) peer.getLocalSocketAddress();
    for (int i = 0; i < 100; i++) {
      handler.send(socket, UdpMessage.send(ByteString.fromString("d" + i), to, new Ack(i)));
      handler.expectMsgEquals(T, new Ack(i)); // one at a time, as Pekko's protocol asks
    }
    for (int i = 0; i < 100; i++) assertEquals("d" + i, text(rawReceive(peer)));
  }

  @ParityTest
  void bindingAPortInUseIsCommandFailed(String d) throws Exception {
    start(d);
    DatagramSocket taken = raw();
    TestKit handler = new TestKit(system);
    Udp.Command bind = UdpMessage.bind(handler.getRef(), (InetSocketAddress) taken.getLocalSocketAddress());
    handler.send(udp, bind);
    assertEquals(bind, handler.expectMsgClass(T, Udp.CommandFailed.class).cmd());
  }

  @ParityTest
  void unbindAnswersUnboundStopsTheSocketAndFreesThePort(String d) throws Exception {
    start(d);
    TestKit handler = new TestKit(system);
    ActorRef socket = bind(handler);
    handler.watch(socket);
    handler.send(socket, UdpMessage.unbind());
    handler.expectMsgEquals(T, Udp.Unbound$.MODULE$);
    handler.expectTerminated(T, socket);
    try (DatagramSocket again = new DatagramSocket(lastBound)) {
      assertEquals(lastBound.getPort(), again.getLocalPort());
    }
  }

  /**
   * Nothing is lost across SuspendReading / ResumeReading. (Whether a datagram arriving
   * just after SuspendReading is held differs: Pekko changes the selector's interest
   * asynchronously; KqUdpTest checks that pekko-kq holds it.)
   */
  @ParityTest
  void aDatagramSentWhileSuspendedArrivesAfterResume(String d) throws Exception {
    start(d);
    TestKit handler = new TestKit(system);
    ActorRef socket = bind(handler);
    handler.send(socket, UdpMessage.suspendReading());
    DatagramSocket peer = raw();
    rawSend(peer, "held", lastBound);
    handler.send(socket, UdpMessage.resumeReading());
    assertEquals("held", handler.expectMsgClass(T, Udp.Received.class).data().utf8String());
  }

  @ParityTest
  void theSocketStopsWhenItsHandlerDies(String d) throws Exception {
    start(d);
    TestKit handler = new TestKit(system);
    ActorRef socket = bind(handler);
    TestKit watcher = new TestKit(system);
    watcher.watch(socket);
    system.stop(handler.getRef());
    watcher.expectMsgClass(T, Terminated.class);
  }

  @ParityTest
  void optionsOfPekkosUdpSoAreAccepted(String d) throws Exception {
    start(d);
    TestKit handler = new TestKit(system);
    bind(handler, List.of(UdpSO.broadcast(true), UdpSO.reuseAddress(true),
        UdpSO.receiveBufferSize(1 << 18), UdpSO.sendBufferSize(1 << 18), UdpSO.trafficClass(0x10)));
    DatagramSocket peer = raw();
    rawSend(peer, "with options", lastBound);
    assertEquals("with options", handler.expectMsgClass(T, Udp.Received.class).data().utf8String());
  }

  @ParityTest
  void simpleSenderSendsToAnyoneAndAcks(String d) throws Exception {
    start(d);
    TestKit commander = new TestKit(system);
    commander.send(udp, UdpMessage.simpleSender());
    commander.expectMsgEquals(T, Udp.SimpleSenderReady$.MODULE$);
    ActorRef sender = commander.getLastSender();
    DatagramSocket a = raw(), b = raw();
    commander.send(sender, UdpMessage.send(ByteString.fromString("to a"), (InetSocketAddress) a.getLocalSocketAddress(), new Ack(1)));
    commander.expectMsgEquals(T, new Ack(1));
    commander.send(sender, UdpMessage.send(ByteString.fromString("to b"), (InetSocketAddress) b.getLocalSocketAddress(), new Ack(2)));
    commander.expectMsgEquals(T, new Ack(2));
    DatagramPacket atA = rawReceive(a), atB = rawReceive(b);
    assertEquals("to a", text(atA));
    assertEquals("to b", text(atB));
    assertEquals(atA.getPort(), atB.getPort(), "one socket sends both");
  }

  @ParityTest
  void connectedSocketTalksToItsPeerOnly(String d) throws Exception {
    start(d);
    DatagramSocket peer = raw(), stranger = raw();
    TestKit handler = new TestKit(system);
    handler.send(connected, UdpConnectedMessage.connect(handler.getRef(), (InetSocketAddress) peer.getLocalSocketAddress()));
    handler.expectMsgEquals(T, UdpConnected.Connected$.MODULE$);
    ActorRef socket = handler.getLastSender();
    handler.send(socket, UdpConnectedMessage.send(ByteString.fromString("hello"), new Ack(1)));
    handler.expectMsgEquals(T, new Ack(1));
    DatagramPacket got = rawReceive(peer);
    assertEquals("hello", text(got));
    InetSocketAddress socketAddress = (InetSocketAddress) got.getSocketAddress();
    rawSend(stranger, "not for you", socketAddress); // filtered by the kernel: not the peer
    rawSend(peer, "reply", socketAddress);
    assertEquals("reply", handler.expectMsgClass(T, UdpConnected.Received.class).data().utf8String());
    handler.expectNoMessage(QUIET);
    handler.watch(socket);
    handler.send(socket, UdpConnectedMessage.disconnect());
    handler.expectMsgEquals(T, UdpConnected.Disconnected$.MODULE$);
    handler.expectTerminated(T, socket);
  }

  @ParityTest
  void manySendersAreTellApart(String d) throws Exception {
    start(d);
    TestKit handler = new TestKit(system);
    bind(handler);
    Set<InetSocketAddress> expected = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      DatagramSocket peer = raw();
      expected.add((InetSocketAddress) peer.getLocalSocketAddress());
      rawSend(peer, "from " + i, lastBound);
    }
    Set<InetSocketAddress> seen = new HashSet<>();
    for (int i = 0; i < 5; i++) seen.add(handler.expectMsgClass(T, Udp.Received.class).sender());
    assertEquals(expected, seen);
  }
}
