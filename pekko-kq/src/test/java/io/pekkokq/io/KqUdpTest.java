package io.pekkokq.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.LogProbe;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.io.Udp;
import org.apache.pekko.io.UdpConnected;
import org.apache.pekko.io.UdpConnectedMessage;
import org.apache.pekko.io.UdpMessage;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What KqUdp does beyond Pekko's Udp protocol, or differently: limits, truncation, batches. */
class KqUdpTest {
  private static final Duration T = Duration.ofSeconds(10);
  private static final InetSocketAddress LOOPBACK_ANY = new InetSocketAddress("127.0.0.1", 0);
  private ActorSystem system;

  record Ack(int id) implements Udp.Event, UdpConnected.Event {}

  private ActorSystem start(String config) {
    system = ActorSystem.create("kq-udp", ConfigFactory.parseString(config + "\npekko.loglevel = WARNING\n")
        .withFallback(ConfigFactory.load()));
    return system;
  }

  @AfterEach
  void stop() {
    if (system != null) TestKit.shutdownActorSystem(system, scala.concurrent.duration.FiniteDuration.create(15, java.util.concurrent.TimeUnit.SECONDS), true); // Scala duration: Pekko 1.1 has no java.time overload
  }

  private ActorRef bind(TestKit handler, InetSocketAddress at, List<org.apache.pekko.io.Inet.SocketOption> options) {
    handler.send(KqUdp.get(system).manager(), UdpMessage.bind(handler.getRef(), at, options));
    handler.expectMsgClass(T, Udp.Bound.class);
    return handler.getLastSender();
  }

  private static String text(DatagramPacket p) {
    return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
  }

  @Test
  void anOversizedSendIsCommandFailedAndTheSocketGoesOn() throws Exception {
    start("");
    LogProbe warnings = LogProbe.warnings(system);
    TestKit handler = new TestKit(system);
    ActorRef socket = bind(handler, LOOPBACK_ANY, List.of());
    try (DatagramSocket peer = new DatagramSocket(LOOPBACK_ANY)) {
      peer.setSoTimeout(10_000);
      InetSocketAddress to = (InetSocketAddress) peer.getLocalSocketAddress();
      Udp.Command big = UdpMessage.send(ByteString.fromArray(new byte[65_508]), to, new Ack(1));
      handler.send(socket, big);
      assertEquals(big, handler.expectMsgClass(T, Udp.CommandFailed.class).cmd());
      warnings.await(T, "65508 bytes", "65507");
      Udp.Command tooBigForAnySlot = UdpMessage.send(ByteString.fromArray(new byte[70_000]), to, new Ack(2));
      handler.send(socket, tooBigForAnySlot);
      assertEquals(tooBigForAnySlot, handler.expectMsgClass(T, Udp.CommandFailed.class).cmd());
      warnings.await(T, "70000 bytes", "65507");
      handler.send(socket, UdpMessage.send(ByteString.fromArray(new byte[65_507]), to, new Ack(3)));
      handler.expectMsgEquals(T, new Ack(3));
      DatagramPacket p = new DatagramPacket(new byte[70_000], 70_000);
      peer.receive(p);
      assertEquals(65_507, p.getLength(), "the largest IPv4 datagram goes out whole");
    }
  }

  @Test
  void aDatagramLongerThanTheReceiveBufferIsDroppedNotCut() throws Exception {
    start("pekko.io.kq.udp.receive-buffer-size = 16");
    LogProbe warnings = LogProbe.warnings(system);
    TestKit handler = new TestKit(system);
    handler.send(KqUdp.get(system).manager(), UdpMessage.bind(handler.getRef(), LOOPBACK_ANY));
    Udp.Bound bound = handler.expectMsgClass(T, Udp.Bound.class);
    try (DatagramSocket peer = new DatagramSocket(LOOPBACK_ANY)) {
      byte[] longer = new byte[100], fits = "fits".getBytes(StandardCharsets.UTF_8);
      peer.send(new DatagramPacket(longer, longer.length, bound.localAddress()));
      peer.send(new DatagramPacket(fits, fits.length, bound.localAddress()));
      assertEquals("fits", handler.expectMsgClass(T, Udp.Received.class).data().utf8String());
      handler.expectNoMessage(Duration.ofMillis(300));
      String warning = warnings.await(T, "receive-buffer-size", "(16 bytes)");
      assertTrue(warning.contains(String.valueOf(peer.getLocalPort())), warning + " names the sender");
    }
  }

  /** The driver takes a max-channels place per socket and gives it back when the socket closes. */
  @Test
  void maxChannelsRefusesABindAndAnUnbindGivesThePlaceBack() throws Exception {
    start("pekko.io.kq.max-channels = 1");
    LogProbe errors = LogProbe.errors(system);
    TestKit handler = new TestKit(system);
    ActorRef first = bind(handler, LOOPBACK_ANY, List.of());
    Udp.Command second = UdpMessage.bind(handler.getRef(), LOOPBACK_ANY);
    handler.send(KqUdp.get(system).manager(), second);
    assertEquals(second, handler.expectMsgClass(T, Udp.CommandFailed.class).cmd());
    errors.await(T, "max-channels (1)");
    handler.send(first, UdpMessage.unbind());
    handler.expectMsgEquals(T, Udp.Unbound$.MODULE$);
    bind(handler, LOOPBACK_ANY, List.of()); // the place came back
  }

  @Test
  void aBurstOfUnackedSendsAllArrive() throws Exception {
    start("pekko.io.kq.udp.batch-size = 8");
    TestKit handler = new TestKit(system);
    ActorRef socket = bind(handler, LOOPBACK_ANY, List.of());
    try (DatagramSocket peer = new DatagramSocket(LOOPBACK_ANY)) {
      peer.setReceiveBufferSize(4 << 20);
      peer.setSoTimeout(10_000);
      InetSocketAddress to = (InetSocketAddress) peer.getLocalSocketAddress();
      int n = 60; // below send-queue-limit (64): none may be refused
      for (int i = 0; i < n; i++) handler.send(socket, UdpMessage.send(ByteString.fromString("b" + i), to));
      for (int i = 0; i < n; i++) {
        DatagramPacket p = new DatagramPacket(new byte[64], 64);
        peer.receive(p);
        assertEquals("b" + i, text(p));
      }
    }
  }

  /**
   * An echo handler's Sends never leave the mailbox empty, so the FLUSH message waits
   * behind them; a full batch goes out without it, so a burst longer than
   * send-queue-limit is not refused while the kernel takes the datagrams. 120 datagrams
   * of 4 bytes fit the peer's default receive buffer many times over.
   */
  @Test
  void aBurstLongerThanTheSendQueueLimitAllArrive() throws Exception {
    start("pekko.io.kq.udp.send-queue-limit = 64\npekko.io.kq.udp.batch-size = 16");
    TestKit handler = new TestKit(system);
    ActorRef socket = bind(handler, LOOPBACK_ANY, List.of());
    try (DatagramSocket peer = new DatagramSocket(LOOPBACK_ANY)) {
      peer.setSoTimeout(10_000);
      InetSocketAddress to = (InetSocketAddress) peer.getLocalSocketAddress();
      int n = 120;
      for (int i = 0; i < n; i++) handler.send(socket, UdpMessage.send(ByteString.fromString("c" + i), to));
      for (int i = 0; i < n; i++) {
        DatagramPacket p = new DatagramPacket(new byte[64], 64);
        peer.receive(p);
        assertEquals("c" + i, text(p));
      }
      handler.expectNoMessage(Duration.ofMillis(200)); // no CommandFailed
    }
  }

  @Test
  void ipv6WorksBothWays() throws Exception {
    start("");
    TestKit handler = new TestKit(system);
    InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 0);
    handler.send(KqUdp.get(system).manager(), UdpMessage.bind(handler.getRef(), v6));
    Udp.Bound bound = handler.expectMsgClass(T, Udp.Bound.class);
    ActorRef socket = handler.getLastSender();
    try (DatagramSocket peer = new DatagramSocket(v6)) {
      peer.setSoTimeout(10_000);
      byte[] b = "six".getBytes(StandardCharsets.UTF_8);
      peer.send(new DatagramPacket(b, b.length, bound.localAddress()));
      Udp.Received r = handler.expectMsgClass(T, Udp.Received.class);
      assertEquals("six", r.data().utf8String());
      assertEquals(peer.getLocalSocketAddress(), r.sender());
      handler.send(socket, UdpMessage.send(ByteString.fromString("back"), r.sender(), new Ack(1)));
      handler.expectMsgEquals(T, new Ack(1));
      DatagramPacket p = new DatagramPacket(new byte[16], 16);
      peer.receive(p);
      assertEquals("back", text(p));
    }
  }

  /**
   * The peer's host answers each datagram with an ICMP port-unreachable, which the kernel
   * turns into ECONNREFUSED on the socket. As in Pekko it is ignored on reading: every Send
   * is answered (Ack, or CommandFailed should the error meet a send), nothing is received,
   * and the socket lives on until Disconnect.
   */
  @Test
  void aConnectedSocketWhosePeerPortIsClosedAnswersEverySendAndLives() throws Exception {
    start("");
    InetSocketAddress gone;
    try (DatagramSocket closed = new DatagramSocket(LOOPBACK_ANY)) {
      gone = (InetSocketAddress) closed.getLocalSocketAddress();
    }
    TestKit handler = new TestKit(system);
    handler.send(KqUdpConnected.get(system).manager(), UdpConnectedMessage.connect(handler.getRef(), gone));
    handler.expectMsgEquals(T, UdpConnected.Connected$.MODULE$);
    ActorRef socket = handler.getLastSender();
    for (int i = 0; i < 20; i++) {
      handler.send(socket, UdpConnectedMessage.send(ByteString.fromString("hello?"), new Ack(i)));
      Object answer = handler.expectMsgAnyClassOf(T, Ack.class, UdpConnected.CommandFailed.class);
      if (answer instanceof Ack) assertEquals(new Ack(i), answer);
    }
    handler.send(socket, UdpConnectedMessage.disconnect());
    handler.expectMsgEquals(T, UdpConnected.Disconnected$.MODULE$);
  }

  @Test
  void suspendedReadingHoldsDatagramsInTheKernelUntilResumed() throws Exception {
    start("");
    TestKit handler = new TestKit(system);
    handler.send(KqUdp.get(system).manager(), UdpMessage.bind(handler.getRef(), LOOPBACK_ANY));
    Udp.Bound bound = handler.expectMsgClass(T, Udp.Bound.class);
    ActorRef socket = handler.getLastSender();
    try (DatagramSocket peer = new DatagramSocket(LOOPBACK_ANY)) {
      handler.send(socket, UdpMessage.suspendReading());
      // Answered after SuspendReading in the same mailbox: the socket has stopped reading.
      handler.send(socket, UdpMessage.send(ByteString.fromString("x"), (InetSocketAddress) peer.getLocalSocketAddress(), new Ack(1)));
      handler.expectMsgEquals(T, new Ack(1));
      byte[] b = "held".getBytes(StandardCharsets.UTF_8);
      peer.send(new DatagramPacket(b, b.length, bound.localAddress()));
      handler.expectNoMessage(Duration.ofMillis(300));
      handler.send(socket, UdpMessage.resumeReading());
      assertEquals("held", handler.expectMsgClass(T, Udp.Received.class).data().utf8String());
    }
  }

  @Test
  void aMulticastGroupJoinedWithKqUdpSoDelivers() throws Exception {
    start("");
    NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getByName("127.0.0.1"));
    InetAddress group = InetAddress.getByName("239.255.77.1");
    TestKit handler = new TestKit(system);
    handler.send(KqUdp.get(system).manager(), UdpMessage.bind(handler.getRef(),
        new InetSocketAddress("0.0.0.0", 0), List.of(KqUdpSO.joinGroup(group, lo))));
    Udp.Bound bound = handler.expectMsgClass(T, Udp.Bound.class);
    try (DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET)) {
      sender.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
      sender.send(ByteBuffer.wrap("to the group".getBytes(StandardCharsets.UTF_8)),
          new InetSocketAddress(group, bound.localAddress().getPort()));
    }
    assertEquals("to the group", handler.expectMsgClass(T, Udp.Received.class).data().utf8String());
  }
}
