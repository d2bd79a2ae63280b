package io.pekkokq.io;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.ListeningSockets;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Listener sharding in the actor API (pekko.io.kq.tcp.listener-sharding, docs/configuration.md):
 * with two pollers a Bind opens two listening sockets on one port, the kernel spreads the
 * connections over them, each connection actor lives on the poller of the shard that
 * accepted it, and the Bind keeps Pekko's semantics (one Bound, port 0, Unbind, pull
 * mode, "port in use"). The shards are counted in the kernel's own table (Linux).
 */
class ListenerShardingTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static ActorSystem system;

  @BeforeAll
  static void start() {
    system =
        ActorSystem.create(
            "ListenerShardingTest",
            ConfigFactory.parseString("pekko.io.kq.pollers = 2\npekko.io.kq.tcp.listener-sharding = on"));
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  /** A Bind's answer and its sender, the listener. */
  private record Listening(ActorSystem system, InetSocketAddress address, ActorRef listener) {
    int port() {
      return address.getPort();
    }
  }

  private static Listening bind(ActorSystem s, TestKit handler, int port, boolean pullMode) {
    KqTcp.get(s).manager().tell(
        TcpMessage.bind(handler.getRef(), new InetSocketAddress("127.0.0.1", port), 100, List.of(), pullMode),
        handler.getRef());
    Tcp.Bound bound = handler.expectMsgClass(TIMEOUT, Tcp.Bound.class);
    return new Listening(s, bound.localAddress(), handler.getLastSender());
  }

  private static Tcp.CommandFailed bindFails(ActorSystem s, TestKit handler, int port) {
    KqTcp.get(s).manager().tell(
        TcpMessage.bind(handler.getRef(), new InetSocketAddress("127.0.0.1", port), 100), handler.getRef());
    return handler.expectMsgClass(TIMEOUT, Tcp.CommandFailed.class);
  }

  /** Unbinds with a probe of its own: the handler may get its connections' PeerClosed meanwhile. */
  private static void unbind(TestKit handler, Listening listening) {
    TestKit unbinder = new TestKit(listening.system());
    listening.listener().tell(TcpMessage.unbind(), unbinder.getRef());
    unbinder.expectMsgEquals(TIMEOUT, Tcp.Unbound$.MODULE$);
  }

  private static List<SocketChannel> connect(InetSocketAddress address, int n) throws IOException {
    List<SocketChannel> clients = new ArrayList<>();
    for (int i = 0; i < n; i++) clients.add(SocketChannel.open(address));
    return clients;
  }

  private static void closeAll(List<SocketChannel> clients) throws IOException {
    for (SocketChannel c : clients) c.close();
  }

  /** Takes a Connected, registers the handler; returns the poller its actor lives on. */
  private static String acceptConnected(TestKit handler) {
    handler.expectMsgClass(TIMEOUT, Tcp.Connected.class);
    ActorRef connection = handler.getLastSender();
    connection.tell(TcpMessage.register(handler.getRef()), handler.getRef());
    // The home of each poller names its connection actors "p{poller}-{n}".
    String name = connection.path().name();
    return name.substring(0, name.indexOf('-'));
  }

  @Test
  void connectionsLandOnBothPollersAndPortZeroGetsOnePortForAllShards() throws Exception {
    TestKit handler = new TestKit(system);
    Listening listening = bind(system, handler, 0, false);
    assertNotEquals(0, listening.port(), "port 0: the real port is reported");
    if (ListeningSockets.available()) {
      assertEquals(2, ListeningSockets.on(listening.port()), "one listening socket per poller, on one port");
    }
    List<SocketChannel> clients = connect(listening.address(), 64);
    try {
      Set<String> pollers = new HashSet<>();
      for (int i = 0; i < 64; i++) pollers.add(acceptConnected(handler));
      // The kernel hashes each connection's addresses and ports to a shard: all 64 on one
      // of two shards has a chance of 2^-63.
      assertEquals(Set.of("p0", "p1"), pollers, "each poller got at least one of 64 connections");
    } finally {
      closeAll(clients);
      unbind(handler, listening);
    }
  }

  /**
   * The accept path stays on the poller that accepted: the shard of poller i is an actor on
   * poller i's dispatcher, and each connection it accepted is created on that dispatcher by
   * the home of poller i, a child of the manager (the manager itself creates none: it never
   * sees an accepted socket). In pull mode the listener accepts, and the connection still
   * goes to the home of its shard's poller.
   */
  @Test
  void eachConnectionIsCreatedOnItsShardsPollerByThatPollersHomeNotTheManager() throws Exception {
    KqTcpExt ext = KqTcp.get(system);
    ActorRef manager = ext.manager();
    for (boolean pullMode : new boolean[] {false, true}) {
      TestKit handler = new TestKit(system);
      Listening listening = bind(system, handler, 0, pullMode);
      if (!pullMode) {
        for (int i = 0; i < 2; i++) {
          ActorRef shard =
              system.actorSelection(listening.listener().path().child("shard-" + i)).resolveOne(TIMEOUT)
                  .toCompletableFuture().get();
          assertEquals("pekko.io.kq.poller-" + i, ext.dispatcherOf(shard), "shard " + i + " runs on its poller");
        }
      }
      List<SocketChannel> clients = connect(listening.address(), 16);
      try {
        if (pullMode) listening.listener().tell(TcpMessage.resumeAccepting(16), handler.getRef());
        for (int i = 0; i < 16; i++) {
          handler.expectMsgClass(TIMEOUT, Tcp.Connected.class);
          ActorRef connection = handler.getLastSender();
          connection.tell(TcpMessage.register(handler.getRef()), handler.getRef());
          String home = connection.path().parent().name();
          assertTrue(home.matches("poller-[01]"), "parent: " + connection.path());
          assertEquals(manager.path(), connection.path().parent().parent(), "the home is the manager's child");
          String poller = home.substring("poller-".length());
          assertTrue(connection.path().name().startsWith("p" + poller + "-"), connection.path().name());
          assertEquals("pekko.io.kq.poller-" + poller, ext.dispatcherOf(connection), "on its home's poller");
        }
      } finally {
        closeAll(clients);
        unbind(handler, listening);
      }
    }
  }

  /**
   * Connections that reach the port while the Bind is being set up wait in the kernel;
   * none of them is announced before Bound, although each shard accepts on its own poller
   * (Pekko's listener sends Bound before it accepts, too).
   */
  @Test
  void boundComesBeforeAnyConnectedWhenConnectionsAreAlreadyWaiting() throws Exception {
    int port;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      port = probe.getLocalPort();
    }
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
    List<SocketChannel> clients = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    Thread connector =
        new Thread(() -> {
          while (!stop.get() && clients.size() < 8) {
            try {
              clients.add(SocketChannel.open(address));
            } catch (IOException refusedUntilBound) {
              Thread.onSpinWait();
            }
          }
        });
    connector.start();
    TestKit handler = new TestKit(system);
    try {
      KqTcp.get(system).manager().tell(TcpMessage.bind(handler.getRef(), address, 100), handler.getRef());
      // The first message, whatever the connector managed meanwhile.
      handler.expectMsgClass(TIMEOUT, Tcp.Bound.class);
      Listening listening = new Listening(system, address, handler.getLastSender());
      connector.join(TIMEOUT.toMillis());
      assertEquals(8, clients.size(), "the connector got its 8 connections");
      for (int i = 0; i < 8; i++) acceptConnected(handler);
      unbind(handler, listening);
    } finally {
      stop.set(true);
      connector.join(TIMEOUT.toMillis());
      closeAll(clients);
    }
  }

  @Test
  void unbindClosesEveryShardAndAcceptedConnectionsSurvive() throws Exception {
    TestKit handler = new TestKit(system);
    Listening listening = bind(system, handler, 0, false);
    try (SocketChannel client = SocketChannel.open(listening.address())) {
      acceptConnected(handler);
      unbind(handler, listening);
      if (ListeningSockets.available()) assertEquals(0, ListeningSockets.on(listening.port()));
      // Every shard is closed: a connect that a remaining shard would take is refused.
      for (int i = 0; i < 16; i++) {
        assertThrows(ConnectException.class, () -> SocketChannel.open(listening.address()).close());
      }
      // The connection accepted before Unbind still works.
      Tcp.Received received;
      client.write(java.nio.ByteBuffer.wrap(new byte[] {42}));
      received = handler.expectMsgClass(TIMEOUT, Tcp.Received.class);
      assertEquals(42, received.data().apply(0));
    }
  }

  @Test
  void aSecondBindOnAShardedPortIsRefusedAsPortInUse() throws Exception {
    TestKit handler = new TestKit(system);
    Listening listening = bind(system, handler, 0, false);
    TestKit other = new TestKit(system);
    Tcp.CommandFailed failed = bindFails(system, other, listening.port());
    BindException cause = (BindException) failed.cause().get();
    assertTrue(cause.getMessage().contains("127.0.0.1:" + listening.port()), cause.getMessage());
    assertTrue(cause.getMessage().contains("Address already in use"), cause.getMessage());
    // From another actor system of this JVM too (same SO_REUSEPORT, same user).
    ActorSystem second =
        ActorSystem.create("ListenerShardingTest-second", ConfigFactory.parseString("pekko.io.kq.pollers = 2"));
    try {
      bindFails(second, new TestKit(second), listening.port());
    } finally {
      TestKit.shutdownActorSystem(second);
    }
    // The refused Binds took nothing from the first: it still accepts.
    try (SocketChannel client = SocketChannel.open(listening.address())) {
      acceptConnected(handler);
    }
    unbind(handler, listening);
    // Once unbound, the port is free for a sharded Bind again.
    Listening again = bind(system, other, listening.port(), false);
    unbind(other, again);
  }

  @Test
  void pullModeCountsResumeAcceptingOverAllShards() throws Exception {
    TestKit handler = new TestKit(system);
    Listening listening = bind(system, handler, 0, true);
    List<SocketChannel> clients = connect(listening.address(), 12);
    try {
      listening.listener().tell(TcpMessage.resumeAccepting(5), handler.getRef());
      for (int i = 0; i < 5; i++) acceptConnected(handler);
      // Credit spent, whichever shards the 12 landed on: no sixth connection.
      handler.expectNoMessage(Duration.ofMillis(300));
      listening.listener().tell(TcpMessage.resumeAccepting(7), handler.getRef());
      for (int i = 0; i < 7; i++) acceptConnected(handler);
    } finally {
      closeAll(clients);
      unbind(handler, listening);
    }
  }

  @Test
  void aBindThatNamesReusePortItselfKeepsOneListenerAndSharesAsAsked() throws Exception {
    TestKit handler = new TestKit(system);
    KqTcp.get(system).manager().tell(
        TcpMessage.bind(
            handler.getRef(), new InetSocketAddress("127.0.0.1", 0), 100, List.of(KqSO.reusePort(true)), false),
        handler.getRef());
    Tcp.Bound bound = handler.expectMsgClass(TIMEOUT, Tcp.Bound.class);
    Listening listening = new Listening(system, bound.localAddress(), handler.getLastSender());
    if (ListeningSockets.available()) assertEquals(1, ListeningSockets.on(listening.port()));
    // Not a sharded claim: a second Bind that also names reuse-port joins the port, as asked.
    TestKit other = new TestKit(system);
    KqTcp.get(system).manager().tell(
        TcpMessage.bind(other.getRef(), listening.address(), 100, List.of(KqSO.reusePort(true)), false),
        other.getRef());
    Tcp.Bound second = other.expectMsgClass(TIMEOUT, Tcp.Bound.class);
    unbind(other, new Listening(system, second.localAddress(), other.getLastSender()));
    unbind(handler, listening);
  }

  @Test
  void shardingOffOrOnePollerGivesOneListenerAndTheKernelsPortInUse() throws Exception {
    for (String config :
        List.of(
            "pekko.io.kq.pollers = 2\npekko.io.kq.tcp.listener-sharding = off", "pekko.io.kq.pollers = 1")) {
      ActorSystem s = ActorSystem.create("ListenerShardingTest-one", ConfigFactory.parseString(config));
      try {
        TestKit handler = new TestKit(s);
        Listening listening = bind(s, handler, 0, false);
        if (ListeningSockets.available()) assertEquals(1, ListeningSockets.on(listening.port()), config);
        bindFails(s, new TestKit(s), listening.port());
        try (SocketChannel client = SocketChannel.open(listening.address())) {
          acceptConnected(handler);
        }
        unbind(handler, listening);
      } finally {
        TestKit.shutdownActorSystem(s);
      }
    }
  }
}
