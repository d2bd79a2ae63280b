package io.pekkokq.io;

import static org.junit.jupiter.api.Assertions.*;

import io.pekkokq.socket.SocketOptions;
import io.pekkokq.sys.Loopback;
import io.pekkokq.sys.Socket;
import io.pekkokq.sys.SocketOption;
import io.pekkokq.sys.UnsupportedSocketOptionException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.event.NoLogging;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * KqSO's TCP options and Pekko's TrafficClass, each read back with getsockopt where pekko-kq
 * sets it (listener before bind, client before connect, both ends once connected); and an
 * option a socket refuses
 * failing the Bind or Connect (actor API and Streams) with an error that names it. Linux
 * has every option; elsewhere the Linux-only ones are expected to fail the same way.
 */
class KqSOTest {
  private static final boolean LINUX = System.getProperty("os.name").startsWith("Linux");
  private static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 0);
  private static final InetSocketAddress V6 = new InetSocketAddress("::1", 0);

  private ActorSystem system;

  @AfterEach
  void stop() {
    if (system != null) TestKit.shutdownActorSystem(system);
    system = null;
  }

  /** option, what getsockopt names, the value it must read back, set on connections too. */
  static Stream<Arguments> options() {
    return Stream.of(
        Arguments.of(KqSO.tcpUserTimeout(Duration.ofMillis(12_345)), SocketOption.TCP_USER_TIMEOUT, 12_345, true),
        Arguments.of(KqSO.keepAliveIdle(Duration.ofSeconds(61)), SocketOption.TCP_KEEPIDLE, 61, true),
        Arguments.of(KqSO.keepAliveInterval(Duration.ofSeconds(7)), SocketOption.TCP_KEEPINTVL, 7, true),
        Arguments.of(KqSO.keepAliveCount(4), SocketOption.TCP_KEEPCNT, 4, true),
        Arguments.of(KqSO.notSentLowWatermark(16_384), SocketOption.TCP_NOTSENT_LOWAT, 16_384, true),
        Arguments.of(KqSO.cork(true), SocketOption.TCP_CORK, 1, true), // off by default
        Arguments.of(KqSO.quickAck(false), SocketOption.TCP_QUICKACK, 0, true), // on by default
        Arguments.of(TcpSO.trafficClass(0x28), SocketOption.TRAFFIC_CLASS, 0x28, true),
        Arguments.of(KqSO.tcpFastOpen(5), SocketOption.TCP_FASTOPEN, 5, false));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("options")
  void optionReadsBackOnListenerClientAndBothConnectedEnds(
      Inet.SocketOption option, SocketOption name, int expected, boolean onConnections) throws Exception {
    if (!LINUX && (name == SocketOption.TCP_USER_TIMEOUT || name == SocketOption.TCP_QUICKACK)) {
      try (Socket s = Socket.openTcpFor(V4)) {
        UnsupportedSocketOptionException e =
            assertThrows(UnsupportedSocketOptionException.class, () -> before(s, option));
        assertTrue(e.getMessage().contains(name.name()), e.getMessage());
      }
      return;
    }
    try (Socket listener = Socket.openTcpFor(V4)) {
      before(listener, option);
      listener.bind(V4);
      listener.listen(8);
      // quick-ack is a state of a connection: a socket before connect or listening reads 1
      boolean connectionState = name == SocketOption.TCP_QUICKACK;
      if (!connectionState) assertEquals(expected, listener.getOption(name), "listener");
      if (!onConnections) return; // a listener's option (TCP_FASTOPEN)
      try (Socket client = Socket.openTcpFor(V4)) {
        before(client, option);
        if (!connectionState) assertEquals(expected, client.getOption(name), "client before connect");
        boolean now = client.connect(listener.localAddress());
        try (Socket accepted = Loopback.acceptOne(listener)) {
          if (!now) client.finishConnect();
          SocketOptions.configureConnected(accepted, scala(option), NoLogging.getInstance());
          SocketOptions.configureConnected(client, scala(option), NoLogging.getInstance());
          assertEquals(expected, accepted.getOption(name), "accepted connection");
          assertEquals(expected, client.getOption(name), "connected client");
        }
      }
    }
  }

  @Test
  void ipv6OptionsReadBackOnIpv6Sockets() throws Exception {
    try (Socket s = Socket.openTcpFor(V6)) {
      before(s, KqSO.v6Only(true));
      assertEquals(1, s.getOption(SocketOption.IPV6_V6ONLY));
      before(s, KqSO.v6Only(false));
      assertEquals(0, s.getOption(SocketOption.IPV6_V6ONLY));
      before(s, TcpSO.trafficClass(0xb8)); // IPV6_TCLASS on an IPv6 socket
      assertEquals(0xb8, s.getOption(SocketOption.TRAFFIC_CLASS));
    }
  }

  @Test
  void aRefusedOptionNamesItself() throws Exception {
    try (Socket s = Socket.openTcpFor(V4)) {
      UnsupportedSocketOptionException e =
          assertThrows(UnsupportedSocketOptionException.class, () -> before(s, KqSO.v6Only(true)));
      assertEquals(SocketOption.IPV6_V6ONLY, e.option());
      assertTrue(e.getMessage().contains("IPV6_V6ONLY"), e.getMessage());
    }
  }

  @Test
  void badValuesAreRejectedWhereTheyArePassed() {
    assertThrows(IllegalArgumentException.class, () -> KqSO.keepAliveIdle(Duration.ofMillis(500)));
    assertThrows(IllegalArgumentException.class, () -> KqSO.keepAliveCount(0));
    assertThrows(IllegalArgumentException.class, () -> KqSO.tcpUserTimeout(Duration.ofSeconds(-1)));
    assertThrows(NullPointerException.class, () -> KqSO.keepAliveInterval(null));
    assertThrows(IllegalArgumentException.class, () -> KqSO.tcpFastOpen(0));
  }

  @Test
  void actorApiBindAndConnectFailNamingARefusedOption() {
    system = ActorSystem.create("KqSOTest");
    TestKit probe = new TestKit(system);
    ActorRef manager = KqTcp.get(system).manager();
    List<Inet.SocketOption> refused = List.of(KqSO.v6Only(true));

    manager.tell(TcpMessage.bind(probe.getRef(), V4, 10, refused, false), probe.getRef());
    assertNamesV6Only(probe.expectMsgClass(Duration.ofSeconds(10), Tcp.CommandFailed.class));

    manager.tell(TcpMessage.bind(probe.getRef(), V4, 10, List.of(), false), probe.getRef());
    Tcp.Bound bound = probe.expectMsgClass(Duration.ofSeconds(10), Tcp.Bound.class);
    manager.tell(
        TcpMessage.connect(bound.localAddress(), null, refused, (scala.concurrent.duration.FiniteDuration) null, false), probe.getRef());
    assertNamesV6Only(probe.expectMsgClass(Duration.ofSeconds(10), Tcp.CommandFailed.class));
  }

  @Test
  void actorApiConnectionsWorkWithEveryOptionSet() {
    system = ActorSystem.create("KqSOTest");
    TestKit server = new TestKit(system);
    TestKit client = new TestKit(system);
    ActorRef manager = KqTcp.get(system).manager();
    List<Inet.SocketOption> all =
        options().map(a -> (Inet.SocketOption) a.get()[0])
            .filter(o -> LINUX || !(o.toString().contains("USER_TIMEOUT") || o.toString().contains("QUICKACK")))
            .filter(o -> !o.toString().contains("TCP_CORK")) // corked data waits: not for an echo
            .collect(java.util.stream.Collectors.toList());
    manager.tell(TcpMessage.bind(server.getRef(), V4, 10, all, false), server.getRef());
    Tcp.Bound bound = server.expectMsgClass(Duration.ofSeconds(10), Tcp.Bound.class);
    manager.tell(TcpMessage.connect(bound.localAddress(), null, all, (scala.concurrent.duration.FiniteDuration) null, false), client.getRef());
    client.expectMsgClass(Duration.ofSeconds(10), Tcp.Connected.class);
    ActorRef clientConnection = client.getLastSender();
    clientConnection.tell(TcpMessage.register(client.getRef()), client.getRef());
    server.expectMsgClass(Duration.ofSeconds(10), Tcp.Connected.class);
    ActorRef serverConnection = server.getLastSender();
    serverConnection.tell(TcpMessage.register(server.getRef()), server.getRef());
    clientConnection.tell(TcpMessage.write(ByteString.fromString("ping")), client.getRef());
    assertEquals("ping", server.expectMsgClass(Duration.ofSeconds(10), Tcp.Received.class).data().utf8String());
  }

  @Test
  void streamsBindAndConnectFailNamingARefusedOption() throws Exception {
    system = ActorSystem.create("KqSOTest");
    io.pekkokq.stream.javadsl.KqTcp streams = io.pekkokq.stream.javadsl.KqTcp.get(system);
    List<Inet.SocketOption> refused = List.of(KqSO.v6Only(true));

    CompletionStage<org.apache.pekko.stream.javadsl.Tcp.ServerBinding> failed =
        streams.bind("127.0.0.1", 0, 10, refused, true, Optional.empty())
            .toMat(Sink.ignore(), Keep.left())
            .run(system);
    assertNamesV6Only(failure(failed));

    org.apache.pekko.stream.javadsl.Tcp.ServerBinding binding =
        streams.bind("127.0.0.1", 0).toMat(Sink.ignore(), Keep.left()).run(system)
            .toCompletableFuture().get(10, TimeUnit.SECONDS);
    CompletionStage<org.apache.pekko.stream.javadsl.Tcp.OutgoingConnection> connection =
        Source.<ByteString>maybe()
            .viaMat(
                streams.outgoingConnection(
                    binding.localAddress(), Optional.empty(), refused, true, Optional.empty(), Optional.empty()),
                Keep.right())
            .to(Sink.ignore())
            .run(system);
    assertNamesV6Only(failure(connection));
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static void before(Socket socket, Inet.SocketOption option) throws Exception {
    SocketOptions.beforeBindOrConnect(socket, scala(option), NoLogging.getInstance());
  }

  private static scala.collection.immutable.List<Inet.SocketOption> scala(Inet.SocketOption... options) {
    return scala.jdk.javaapi.CollectionConverters.asScala(List.of(options)).toList();
  }

  private static Throwable failure(CompletionStage<?> stage) throws Exception {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> stage.toCompletableFuture().get(10, TimeUnit.SECONDS));
    return e.getCause();
  }

  private static void assertNamesV6Only(Tcp.CommandFailed failed) {
    assertTrue(failed.cause().isDefined(), "CommandFailed carries the cause: " + failed);
    assertNamesV6Only(failed.cause().get());
  }

  private static void assertNamesV6Only(Throwable t) {
    StringBuilder messages = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) messages.append(c).append(" / ");
    assertTrue(messages.toString().contains("IPV6_V6ONLY"), messages.toString());
  }
}
