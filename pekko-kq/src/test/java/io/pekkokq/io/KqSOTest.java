package io.pekkokq.io;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.socket.SocketOptions;
import io.pekkokq.sys.AbsentSocketOptions;
import io.pekkokq.sys.Loopback;
import io.pekkokq.sys.OpenSockets;
import io.pekkokq.sys.Socket;
import io.pekkokq.sys.SocketOption;
import io.pekkokq.sys.UnsupportedSocketOptionException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.stream.javadsl.Flow;
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
 * Every socket option pekko-kq sets (KqSO's, Pekko's TcpSO, and the configured defaults of
 * pekko.io.kq.tcp.socket-options), read back with getsockopt on the very sockets a Bind and
 * a Connect made, through the actor API and through Streams ({@link OpenSockets} finds them
 * by their ports); and an option the platform lacks or pekko-kq cannot set failing the Bind
 * or Connect (CommandFailed; Streams: a failed binding or connection) with its name. Linux
 * has every option; elsewhere TCP_USER_TIMEOUT and TCP_QUICKACK are expected to fail so.
 */
class KqSOTest {
  private static final boolean LINUX = System.getProperty("os.name").startsWith("Linux");
  private static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 0);
  private static final InetSocketAddress V6 = new InetSocketAddress("::1", 0);
  private static final Duration T = Duration.ofSeconds(10);

  private ActorSystem system;

  @AfterEach
  void stop() {
    if (system != null) TestKit.shutdownActorSystem(system);
    system = null;
  }

  /** One option as a command passes it, what getsockopt names, and what it must read. */
  record Expected(Inet.SocketOption option, SocketOption name, int value, boolean atLeast, boolean setupOnly) {
    void check(int fd, String where) {
      int read = OpenSockets.option(fd, name);
      if (atLeast) assertTrue(read >= value, where + " " + name + ": " + read + " < " + value);
      else assertEquals(value, read, where + " " + name);
    }
  }

  /** Every option pekko-kq sets on TCP sockets, each with a value unlike the kernel's default. */
  static List<Expected> everyOption() {
    List<Expected> all = new ArrayList<>();
    if (LINUX) {
      all.add(new Expected(KqSO.tcpUserTimeout(Duration.ofMillis(12_345)), SocketOption.TCP_USER_TIMEOUT, 12_345, false, false));
      all.add(new Expected(KqSO.quickAck(false), SocketOption.TCP_QUICKACK, 0, false, false)); // on by default
    }
    all.add(new Expected(KqSO.keepAliveIdle(Duration.ofSeconds(61)), SocketOption.TCP_KEEPIDLE, 61, false, false));
    all.add(new Expected(KqSO.keepAliveInterval(Duration.ofSeconds(7)), SocketOption.TCP_KEEPINTVL, 7, false, false));
    all.add(new Expected(KqSO.keepAliveCount(4), SocketOption.TCP_KEEPCNT, 4, false, false));
    all.add(new Expected(KqSO.notSentLowWatermark(16_384), SocketOption.TCP_NOTSENT_LOWAT, 16_384, false, false));
    all.add(new Expected(KqSO.cork(true), SocketOption.TCP_CORK, 1, false, false));
    all.add(new Expected(TcpSO.trafficClass(0x28), SocketOption.TRAFFIC_CLASS, 0x28, false, false));
    all.add(new Expected(TcpSO.keepAlive(true), SocketOption.KEEP_ALIVE, 1, false, false));
    all.add(new Expected(TcpSO.oobInline(true), SocketOption.OOB_INLINE, 1, false, false));
    all.add(new Expected(TcpSO.tcpNoDelay(false), SocketOption.TCP_NO_DELAY, 0, false, false)); // overrides the default
    all.add(new Expected(TcpSO.sendBufferSize(96 * 1024), SocketOption.SEND_BUFFER_SIZE, 96 * 1024, true, false));
    all.add(new Expected(TcpSO.receiveBufferSize(96 * 1024), SocketOption.RECEIVE_BUFFER_SIZE, 96 * 1024, true, true));
    all.add(new Expected(TcpSO.reuseAddress(true), SocketOption.REUSE_ADDRESS, 1, false, true));
    all.add(new Expected(KqSO.reusePort(true), SocketOption.REUSE_PORT, 1, false, true));
    return all;
  }

  private static final Expected FAST_OPEN = new Expected(KqSO.tcpFastOpen(5), SocketOption.TCP_FASTOPEN, 5, false, true);

  private static List<Inet.SocketOption> options(List<Expected> expected) {
    return expected.stream().map(Expected::option).collect(java.util.stream.Collectors.toList());
  }

  /** The ports of one connection: the listener's, and the client's. */
  record Ports(int listener, int client) {
    int listenerFd() {
      return OpenSockets.listener(listener);
    }

    int acceptedFd() {
      return OpenSockets.connection(listener, client);
    }

    int clientFd() {
      return OpenSockets.connection(client, listener);
    }
  }

  // ---- read back, actor API and Streams ------------------------------------------------

  @Test
  void actorApiSetsEveryOptionOnListenerAndBothEnds() {
    system = ActorSystem.create("KqSOTest");
    List<Expected> bindOptions = new ArrayList<>(everyOption());
    if (LINUX) bindOptions.add(FAST_OPEN); // macOS and FreeBSD read it back as on/off
    Ports p = actorConnection(options(bindOptions), options(everyOption()));
    checkAll(p, bindOptions, everyOption());
  }

  @Test
  void streamsSetEveryOptionOnListenerAndBothEnds() throws Exception {
    system = ActorSystem.create("KqSOTest");
    List<Expected> bindOptions = new ArrayList<>(everyOption());
    if (LINUX) bindOptions.add(FAST_OPEN);
    Ports p = streamsConnection(options(bindOptions), options(everyOption()));
    checkAll(p, bindOptions, everyOption());
  }

  /**
   * TCP_QUICKACK is a state the kernel changes by itself: a listening socket reads 1, and a
   * client that entered the handshake with quick-ack off delays its last ACK, which puts it
   * back in quick-ack mode when the delayed-ACK timer fires, at a moment no test controls.
   * The accepted end, which has nothing to acknowledge, keeps what was set: read there.
   */
  private static boolean isState(Expected e) {
    return e.name() == SocketOption.TCP_QUICKACK;
  }

  private static void checkAll(Ports p, List<Expected> bindOptions, List<Expected> connectOptions) {
    for (Expected e : bindOptions) if (!isState(e)) e.check(p.listenerFd(), "listener");
    for (Expected e : bindOptions) {
      // a setup option is the listener's; the accepted socket inherits the buffer size
      if (!e.setupOnly() || e.name() == SocketOption.RECEIVE_BUFFER_SIZE) e.check(p.acceptedFd(), "accepted");
    }
    for (Expected e : connectOptions) if (!isState(e)) e.check(p.clientFd(), "client");
  }

  private static final String DEFAULTS =
      "pekko.io.kq.tcp.socket-options {\n"
          + "  tcp-no-delay = off\n  keep-alive = on\n  keep-alive-idle = 77s\n  keep-alive-count = 3\n"
          + "  not-sent-low-watermark = 32 KiB\n  traffic-class = 184\n  fast-open = 7\n"
          + (LINUX ? "  user-timeout = 20s\n  quick-ack = off\n" : "")
          + "}\n";

  /** The configured defaults, and a command's own option overriding one of them. */
  private void checkDefaults(Ports p) {
    int accepted = p.acceptedFd();
    int client = p.clientFd();
    for (int fd : new int[] {accepted, client}) {
      String where = fd == accepted ? "accepted" : "client";
      assertEquals(0, OpenSockets.option(fd, SocketOption.TCP_NO_DELAY), where);
      assertEquals(1, OpenSockets.option(fd, SocketOption.KEEP_ALIVE), where);
      assertEquals(3, OpenSockets.option(fd, SocketOption.TCP_KEEPCNT), where);
      assertEquals(32 * 1024, OpenSockets.option(fd, SocketOption.TCP_NOTSENT_LOWAT), where);
      assertEquals(184, OpenSockets.option(fd, SocketOption.TRAFFIC_CLASS), where);
      if (LINUX) assertEquals(20_000, OpenSockets.option(fd, SocketOption.TCP_USER_TIMEOUT), where);
    }
    if (LINUX) assertEquals(0, OpenSockets.option(accepted, SocketOption.TCP_QUICKACK), "accepted (see isState)");
    assertEquals(77, OpenSockets.option(accepted, SocketOption.TCP_KEEPIDLE), "the default");
    assertEquals(33, OpenSockets.option(client, SocketOption.TCP_KEEPIDLE), "the Connect's own option wins");
    if (LINUX) assertEquals(7, OpenSockets.option(p.listenerFd(), SocketOption.TCP_FASTOPEN), "listener");
  }

  @Test
  void actorApiAppliesTheConfiguredDefaultsAndTheCommandOverridesThem() {
    system = ActorSystem.create("KqSOTest", ConfigFactory.parseString(DEFAULTS).withFallback(ConfigFactory.load()));
    checkDefaults(actorConnection(List.of(), List.of(KqSO.keepAliveIdle(Duration.ofSeconds(33)))));
  }

  @Test
  void streamsApplyTheConfiguredDefaultsAndTheCommandOverridesThem() throws Exception {
    system = ActorSystem.create("KqSOTest", ConfigFactory.parseString(DEFAULTS).withFallback(ConfigFactory.load()));
    checkDefaults(streamsConnection(List.of(), List.of(KqSO.keepAliveIdle(Duration.ofSeconds(33)))));
  }

  @Test
  void tcpNoDelayIsOnByDefaultAsInPekko() throws Exception {
    system = ActorSystem.create("KqSOTest");
    Ports p = actorConnection(List.of(), List.of());
    assertEquals(1, OpenSockets.option(p.acceptedFd(), SocketOption.TCP_NO_DELAY));
    assertEquals(1, OpenSockets.option(p.clientFd(), SocketOption.TCP_NO_DELAY));
    Ports s = streamsConnection(List.of(), List.of());
    assertEquals(1, OpenSockets.option(s.acceptedFd(), SocketOption.TCP_NO_DELAY));
    assertEquals(1, OpenSockets.option(s.clientFd(), SocketOption.TCP_NO_DELAY));
  }

  // ---- failures ------------------------------------------------------------------------

  @Test
  void anOptionThePlatformLacksFailsActorBindAndConnectNamingIt() {
    system = ActorSystem.create("KqSOTest");
    List<Inet.SocketOption> lacking = List.of(KqSO.tcpUserTimeout(Duration.ofSeconds(30)));
    try (AbsentSocketOptions absent = AbsentSocketOptions.simulate(SocketOption.TCP_USER_TIMEOUT)) {
      assertActorBindAndConnectFail(lacking, "TCP_USER_TIMEOUT");
    }
  }

  @Test
  void anOptionThePlatformLacksFailsStreamsBindingAndConnectionNamingIt() throws Exception {
    system = ActorSystem.create("KqSOTest");
    List<Inet.SocketOption> lacking = List.of(KqSO.quickAck(true));
    try (AbsentSocketOptions absent = AbsentSocketOptions.simulate(SocketOption.TCP_QUICKACK)) {
      assertStreamsBindAndConnectFail(lacking, "TCP_QUICKACK");
    }
  }

  @Test
  void aConfiguredDefaultThePlatformLacksFailsEveryBindAndConnectNamingIt() throws Exception {
    system =
        ActorSystem.create(
            "KqSOTest",
            ConfigFactory.parseString("pekko.io.kq.tcp.socket-options.user-timeout = 30s")
                .withFallback(ConfigFactory.load()));
    try (AbsentSocketOptions absent = AbsentSocketOptions.simulate(SocketOption.TCP_USER_TIMEOUT)) {
      assertActorBindAndConnectFail(List.of(), "TCP_USER_TIMEOUT");
      assertStreamsBindAndConnectFail(List.of(), "TCP_USER_TIMEOUT");
    }
  }

  @Test
  void aSocketThatRefusesAnOptionFailsTheBindAndConnectNamingIt() throws Exception {
    system = ActorSystem.create("KqSOTest");
    List<Inet.SocketOption> refused = List.of(KqSO.v6Only(true)); // on an IPv4 socket
    assertActorBindAndConnectFail(refused, "IPV6_V6ONLY");
    assertStreamsBindAndConnectFail(refused, "IPV6_V6ONLY");
  }

  /** An option object pekko-kq cannot set natively: refused by name, never ignored. */
  static final class JavaNetOnly extends Inet.AbstractSocketOption {
    @Override
    public void afterConnect(java.net.Socket s) {}

    @Override
    public String toString() {
      return "JavaNetOnly";
    }
  }

  @Test
  void anOptionOfAnUnknownKindFailsTheBindAndConnectNamingIt() throws Exception {
    system = ActorSystem.create("KqSOTest");
    assertActorBindAndConnectFail(List.of(new JavaNetOnly()), "JavaNetOnly");
    assertStreamsBindAndConnectFail(List.of(new JavaNetOnly()), "JavaNetOnly");
  }

  @Test
  void aRefusedOptionNamesItself() throws Exception {
    try (Socket s = Socket.openTcpFor(V4)) {
      UnsupportedSocketOptionException e =
          assertThrows(
              UnsupportedSocketOptionException.class,
              () -> SocketOptions.forClient(Map.of(), List.of(KqSO.v6Only(true)), true).beforeBindOrConnect(s));
      assertEquals(SocketOption.IPV6_V6ONLY, e.option());
      assertTrue(e.getMessage().contains("IPV6_V6ONLY"), e.getMessage());
    }
  }

  @Test
  void ipv6OptionsReadBackOnIpv6Sockets() throws Exception {
    try (Socket s = Socket.openTcpFor(V6)) {
      SocketOptions.forListener(Map.of(), List.of(KqSO.v6Only(true), TcpSO.trafficClass(0xb8)), true)
          .beforeBindOrConnect(s);
      assertEquals(1, s.getOption(SocketOption.IPV6_V6ONLY));
      assertEquals(0xb8, s.getOption(SocketOption.TRAFFIC_CLASS)); // IPV6_TCLASS
      SocketOptions.forListener(Map.of(), List.of(KqSO.v6Only(false)), true).beforeBindOrConnect(s);
      assertEquals(0, s.getOption(SocketOption.IPV6_V6ONLY));
    }
  }

  @Test
  void badValuesAreRejectedWhereTheyArePassed() {
    assertThrows(IllegalArgumentException.class, () -> KqSO.keepAliveIdle(Duration.ofMillis(500)));
    assertThrows(IllegalArgumentException.class, () -> KqSO.keepAliveIdle(Duration.ofMillis(1500)));
    assertThrows(IllegalArgumentException.class, () -> KqSO.keepAliveCount(0));
    assertThrows(IllegalArgumentException.class, () -> KqSO.tcpUserTimeout(Duration.ofSeconds(-1)));
    assertThrows(NullPointerException.class, () -> KqSO.keepAliveInterval(null));
    assertThrows(IllegalArgumentException.class, () -> KqSO.tcpFastOpen(0));
  }

  @Test
  void badConfiguredDefaultsFailTheSettingsNamingTheKey() {
    for (String bad :
        List.of("keep-alive-idle = 1500ms", "keep-alive-count = 0", "traffic-class = 256", "tcp-nodelay = on")) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> KqTcpSettings.from(
                  ConfigFactory.parseString("pekko.io.kq.tcp.socket-options." + bad).withFallback(ConfigFactory.load())),
              bad);
      assertTrue(e.getMessage().contains(bad.substring(0, bad.indexOf(' '))), e.getMessage());
    }
  }

  /** The resolved options themselves: defaults, the command's, and which reach connections. */
  @ParameterizedTest(name = "{1}")
  @MethodSource("resolvedCases")
  void resolvedOptionsSetOnRawSockets(Inet.SocketOption option, SocketOption name, int expected) throws Exception {
    SocketOptions resolved = SocketOptions.forListener(Map.of(), List.of(option), true);
    try (Loopback l = Loopback.open()) {
      resolved.beforeBindOrConnect(l.client);
      resolved.configureConnected(l.server);
      assertEquals(expected, l.client.getOption(name), "before connect");
      assertEquals(expected, l.server.getOption(name), "on a connection");
    }
  }

  static Stream<Arguments> resolvedCases() {
    return everyOption().stream()
        .filter(e -> !e.setupOnly() && !e.atLeast())
        .map(e -> Arguments.of(e.option(), e.name(), e.value()));
  }

  // ---- the NIO fallback ------------------------------------------------------------------

  private static final String FALLBACK = "pekko.io.kq.native = off\n";

  @Test
  void onTheNioFallbackTheKeepAliveTimingsAreSetThroughTheJdk() {
    system = ActorSystem.create("KqSOTest", ConfigFactory.parseString(FALLBACK).withFallback(ConfigFactory.load()));
    assertFalse(KqTcp.get(system).isNative());
    List<Inet.SocketOption> options =
        List.of(TcpSO.keepAlive(true), KqSO.keepAliveIdle(Duration.ofSeconds(61)), KqSO.keepAliveInterval(Duration.ofSeconds(7)),
            KqSO.keepAliveCount(4), KqSO.reusePort(true));
    Ports p = actorConnection(options, options);
    for (int fd : new int[] {p.acceptedFd(), p.clientFd()}) {
      assertEquals(61, OpenSockets.option(fd, SocketOption.TCP_KEEPIDLE));
      assertEquals(7, OpenSockets.option(fd, SocketOption.TCP_KEEPINTVL));
      assertEquals(4, OpenSockets.option(fd, SocketOption.TCP_KEEPCNT));
    }
    assertEquals(1, OpenSockets.option(p.listenerFd(), SocketOption.REUSE_PORT));
  }

  @Test
  void onTheNioFallbackConfiguredDefaultsAreSaidNotToApply() {
    system =
        ActorSystem.create(
            "KqSOTest",
            ConfigFactory.parseString(FALLBACK + "pekko.io.kq.tcp.socket-options.keep-alive-idle = 45s\n")
                .withFallback(ConfigFactory.load()));
    io.pekkokq.LogProbe warnings = io.pekkokq.LogProbe.warnings(system);
    assertFalse(KqTcp.get(system).isNative());
    warnings.await(T, "pekko.io.kq.tcp.socket-options", "TCP_KEEPIDLE=45", "do not apply");
  }

  @Test
  void onTheNioFallbackReusePortReachesAUdpSocketThroughTheJdk() {
    system = ActorSystem.create("KqSOTest", ConfigFactory.parseString(FALLBACK).withFallback(ConfigFactory.load()));
    TestKit handler = new TestKit(system);
    handler.send(
        KqUdp.get(system).manager(),
        org.apache.pekko.io.UdpMessage.bind(handler.getRef(), V4, List.of(KqSO.reusePort(true))));
    org.apache.pekko.io.Udp.Bound bound = handler.expectMsgClass(T, org.apache.pekko.io.Udp.Bound.class);
    assertEquals(1, OpenSockets.option(OpenSockets.listener(bound.localAddress().getPort()), SocketOption.REUSE_PORT));
  }

  @Test
  void onTheNioFallbackAnOptionTheJdkLacksFailsTheBindAndConnectNamingIt() throws Exception {
    system = ActorSystem.create("KqSOTest", ConfigFactory.parseString(FALLBACK).withFallback(ConfigFactory.load()));
    assertActorBindAndConnectFail(List.of(KqSO.notSentLowWatermark(16_384)), "TCP_NOTSENT_LOWAT");
    assertStreamsBindAndConnectFail(List.of(KqSO.cork(true)), "TCP_CORK");
  }

  // ---- helpers -------------------------------------------------------------------------

  private Ports actorConnection(List<Inet.SocketOption> bindOptions, List<Inet.SocketOption> connectOptions) {
    TestKit server = new TestKit(system);
    TestKit client = new TestKit(system);
    ActorRef manager = KqTcp.get(system).manager();
    manager.tell(TcpMessage.bind(server.getRef(), V4, 10, bindOptions, false), server.getRef());
    Tcp.Bound bound = server.expectMsgClass(T, Tcp.Bound.class);
    manager.tell(
        TcpMessage.connect(bound.localAddress(), null, connectOptions, (scala.concurrent.duration.FiniteDuration) null, false),
        client.getRef());
    Tcp.Connected connected = client.expectMsgClass(T, Tcp.Connected.class);
    client.getLastSender().tell(TcpMessage.register(client.getRef()), client.getRef());
    server.expectMsgClass(T, Tcp.Connected.class);
    server.getLastSender().tell(TcpMessage.register(server.getRef()), server.getRef());
    return new Ports(bound.localAddress().getPort(), connected.localAddress().getPort());
  }

  private Ports streamsConnection(List<Inet.SocketOption> bindOptions, List<Inet.SocketOption> connectOptions)
      throws Exception {
    io.pekkokq.stream.javadsl.KqTcp streams = io.pekkokq.stream.javadsl.KqTcp.get(system);
    CompletableFuture<org.apache.pekko.stream.javadsl.Tcp.IncomingConnection> incoming = new CompletableFuture<>();
    org.apache.pekko.stream.javadsl.Tcp.ServerBinding binding =
        streams.bind("127.0.0.1", 0, 10, bindOptions, true, Optional.empty())
            .toMat(Sink.foreach(c -> {
              c.handleWith(Flow.of(ByteString.class), system);
              incoming.complete(c);
            }), Keep.left())
            .run(system)
            .toCompletableFuture().get(T.toSeconds(), TimeUnit.SECONDS);
    org.apache.pekko.stream.javadsl.Tcp.OutgoingConnection outgoing =
        Source.<ByteString>maybe()
            .viaMat(
                streams.outgoingConnection(
                    binding.localAddress(), Optional.empty(), connectOptions, true, Optional.empty(), Optional.empty()),
                Keep.right())
            .to(Sink.ignore())
            .run(system)
            .toCompletableFuture().get(T.toSeconds(), TimeUnit.SECONDS);
    incoming.get(T.toSeconds(), TimeUnit.SECONDS);
    return new Ports(binding.localAddress().getPort(), outgoing.localAddress().getPort());
  }

  private void assertActorBindAndConnectFail(List<Inet.SocketOption> options, String name) {
    TestKit probe = new TestKit(system);
    ActorRef manager = KqTcp.get(system).manager();
    manager.tell(TcpMessage.bind(probe.getRef(), V4, 10, options, false), probe.getRef());
    assertNames(probe.expectMsgClass(T, Tcp.CommandFailed.class), name);

    // a listener of its own, which Pekko's NIO Tcp opens whatever the options
    java.net.ServerSocket peer = openPeer();
    manager.tell(
        TcpMessage.connect(
            new InetSocketAddress("127.0.0.1", peer.getLocalPort()), null, options,
            (scala.concurrent.duration.FiniteDuration) null, false),
        probe.getRef());
    assertNames(probe.expectMsgClass(T, Tcp.CommandFailed.class), name);
    closeQuietly(peer);
  }

  private void assertStreamsBindAndConnectFail(List<Inet.SocketOption> options, String name) throws Exception {
    io.pekkokq.stream.javadsl.KqTcp streams = io.pekkokq.stream.javadsl.KqTcp.get(system);
    CompletionStage<org.apache.pekko.stream.javadsl.Tcp.ServerBinding> failed =
        streams.bind("127.0.0.1", 0, 10, options, true, Optional.empty())
            .toMat(Sink.ignore(), Keep.left())
            .run(system);
    assertNames(failure(failed), name);

    java.net.ServerSocket peer = openPeer();
    CompletionStage<org.apache.pekko.stream.javadsl.Tcp.OutgoingConnection> connection =
        Source.<ByteString>maybe()
            .viaMat(
                streams.outgoingConnection(
                    new InetSocketAddress("127.0.0.1", peer.getLocalPort()), Optional.empty(), options, true,
                    Optional.empty(), Optional.empty()),
                Keep.right())
            .to(Sink.ignore())
            .run(system);
    assertNames(failure(connection), name);
    closeQuietly(peer);
  }

  private static java.net.ServerSocket openPeer() {
    try {
      return new java.net.ServerSocket(0, 10, java.net.InetAddress.getByName("127.0.0.1"));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void closeQuietly(java.net.ServerSocket s) {
    try {
      s.close();
    } catch (java.io.IOException ignored) {
      // the test is over
    }
  }

  private static Throwable failure(CompletionStage<?> stage) {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> stage.toCompletableFuture().get(T.toSeconds(), TimeUnit.SECONDS));
    return e.getCause();
  }

  private static void assertNames(Tcp.CommandFailed failed, String name) {
    assertTrue(failed.cause().isDefined(), "CommandFailed carries the cause: " + failed);
    assertNames(failed.cause().get(), name);
  }

  private static void assertNames(Throwable t, String name) {
    StringBuilder messages = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) messages.append(c).append(" / ");
    assertTrue(messages.toString().contains(name), messages.toString());
  }
}
