package io.pekkokq.io;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.metrics.ApiMetrics;
import io.pekkokq.metrics.ConnectFailure;
import io.pekkokq.metrics.KqMetrics;
import io.pekkokq.metrics.PollerMetrics;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The metrics snapshot counts the actor API's sockets exactly: N connections are N
 * accepts, M bytes echoed are M bytes read and M written. Each scenario runs in an actor
 * system of its own, so nothing else is counted; the assertions wait for quiescence (all
 * connections closed) and then compare exact numbers, never times.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ActorMetricsTest {
  private static final int CLIENTS = 5;
  private static final int BYTES = 100_000;

  private static ActorSystem system(String config) {
    return ActorSystem.create("ActorMetricsTest", ConfigFactory.parseString(config).withFallback(ConfigFactory.load()));
  }

  /** Waits (generously) until the snapshot satisfies {@code done}, and returns it. */
  static KqMetrics awaitMetrics(KqTcpExt ext, Predicate<KqMetrics> done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    KqMetrics m = ext.metrics();
    while (!done.test(m)) {
      if (System.nanoTime() > deadline) fail("the counts did not settle within 30 s: " + m);
      Thread.sleep(10);
      m = ext.metrics();
    }
    return m;
  }

  private static Tcp.Bound bindEcho(ActorSystem system, TestKit probe) {
    ActorRef server = system.actorOf(Props.create(KqTcpEchoTest.EchoServer.class));
    KqTcp.get(system).manager().tell(
        TcpMessage.bind(server, new InetSocketAddress("127.0.0.1", 0), 100), probe.getRef());
    return probe.expectMsgClass(Duration.ofSeconds(10), Tcp.Bound.class);
  }

  /** Sends {@code BYTES} bytes, reads them all back, closes. */
  private static void echoOnce(InetSocketAddress server, byte seed) throws Exception {
    byte[] data = new byte[BYTES];
    Arrays.fill(data, seed);
    try (Socket s = new Socket()) {
      s.connect(server, 10_000);
      s.setSoTimeout(20_000);
      Thread writer = new Thread(() -> {
        try {
          s.getOutputStream().write(data);
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      writer.start();
      byte[] back = new byte[BYTES];
      InputStream in = s.getInputStream();
      for (int off = 0; off < BYTES; ) {
        int n = in.read(back, off, BYTES - off);
        assertTrue(n > 0, "echo ended early at " + off);
        off += n;
      }
      writer.join();
      assertArrayEquals(data, back);
    }
  }

  @Test
  void countsAcceptsBytesAndClosesOfAnEchoServerExactly() throws Exception {
    // One poller (the default `auto` gives one per core): the per-poller counts below are
    // those of the poller every socket is on. Several pollers' counts: ListenerShardingTest.
    ActorSystem system = system("pekko.io.kq.pollers = 1");
    try {
      KqTcpExt ext = KqTcp.get(system);
      TestKit probe = new TestKit(system);
      Tcp.Bound bound = bindEcho(system, probe);
      for (int i = 0; i < CLIENTS; i++) echoOnce(bound.localAddress(), (byte) i);

      KqMetrics m = awaitMetrics(ext, s -> s.actor().closedConnections() == CLIENTS);
      ApiMetrics actor = m.actor();
      assertTrue(m.isNative());
      assertTrue(m.enabled());
      assertEquals(CLIENTS, actor.accepted());
      assertEquals(CLIENTS, actor.openedConnections());
      assertEquals(0, actor.openConnections());
      assertEquals(1, actor.openListeners());
      assertEquals((long) CLIENTS * BYTES, actor.bytesRead());
      assertEquals((long) CLIENTS * BYTES, actor.bytesWritten());
      assertEquals(0, actor.bytesQueuedForWriting());
      assertEquals(0, actor.connected());
      assertEquals(0, actor.connectFailures());
      assertEquals(0, actor.maxChannelsRefusals());
      // Each connection reads at least once per chunk and once more for the end of stream.
      assertTrue(actor.readCalls() >= CLIENTS * 2L, actor.toString());
      assertTrue(actor.writeCalls() >= CLIENTS, actor.toString());
      // The sums at the top are the actor API's: nothing else ran in this actor system.
      assertEquals(CLIENTS, m.acceptedConnections());
      assertEquals(0, m.openConnections());
      assertEquals((long) CLIENTS * BYTES, m.bytesRead());
      assertEquals((long) CLIENTS * BYTES, m.bytesWritten());
      assertEquals(0, m.streams().openedConnections() + m.fdStreams().openedConnections());

      assertEquals(1, m.pollers().size());
      PollerMetrics p = m.pollers().get(0);
      assertEquals("pekko-kq-poller-0", p.name());
      assertTrue(p.turns() > 0 && p.events() > 0 && p.tasksRun() > 0, p.toString());
      assertTrue(p.registrations() >= 1, "the listener is registered: " + p);
      assertTrue(p.longestTurnNanos() > 0, p.toString());

    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }

  @Test
  void countsOutgoingConnectionsAndRefusedConnects() throws Exception {
    ActorSystem system = system("");
    try (ServerSocket peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      KqTcpExt ext = KqTcp.get(system);
      TestKit probe = new TestKit(system);
      int connects = 3;
      for (int i = 0; i < connects; i++) {
        ext.manager().tell(TcpMessage.connect((InetSocketAddress) peer.getLocalSocketAddress()), probe.getRef());
        probe.expectMsgClass(Duration.ofSeconds(10), Tcp.Connected.class);
        probe.getLastSender().tell(TcpMessage.register(probe.getRef()), probe.getRef());
        peer.accept().close(); // the peer closes: the connection ends with PeerClosed
        probe.expectMsgClass(Duration.ofSeconds(10), Tcp.ConnectionClosed.class);
      }
      // On libkqueue a refused connect is never reported (LibKqueue.SO_ERROR_CONSUMED): the
      // connection counts are checked there without it.
      int refused = io.pekkokq.sys.LibKqueue.RUNNING ? 0 : 1;
      if (refused == 1) {
        InetSocketAddress nobody;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
          nobody = (InetSocketAddress) closed.getLocalSocketAddress();
        }
        ext.manager().tell(TcpMessage.connect(nobody), probe.getRef());
        probe.expectMsgClass(Duration.ofSeconds(10), Tcp.CommandFailed.class);
      }

      KqMetrics m = awaitMetrics(ext, s -> s.actor().closedConnections() == connects + refused);
      ApiMetrics actor = m.actor();
      assertEquals(connects, actor.connected());
      assertEquals(refused, actor.connectFailures());
      assertEquals(refused, actor.connectFailures(ConnectFailure.REFUSED));
      assertEquals(connects + refused, actor.openedConnections(), "the refused connect had its socket too");
      assertEquals(0, actor.openConnections());
      assertEquals(0, actor.accepted());
      assertEquals(0, actor.openListeners());
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }

  @Test
  void countsRefusalsByMaxChannels() throws Exception {
    ActorSystem system = system("pekko.io.kq.max-channels = 1");
    try {
      KqTcpExt ext = KqTcp.get(system);
      TestKit probe = new TestKit(system);
      bindEcho(system, probe); // takes the one place
      ext.manager().tell(TcpMessage.connect(new InetSocketAddress("127.0.0.1", 9)), probe.getRef());
      probe.expectMsgClass(Duration.ofSeconds(10), Tcp.CommandFailed.class);
      KqMetrics m = ext.metrics();
      assertEquals(1, m.actor().maxChannelsRefusals());
      assertEquals(0, m.actor().connectFailures(), "a refusal by max-channels is not a connect failure");
      assertEquals(1, m.actor().openListeners());
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }

  @Test
  void countsNothingPerSocketWhenSwitchedOff() throws Exception {
    // One poller: the turns checked below are those of the poller the sockets are on.
    ActorSystem system = system("pekko.io.kq.metrics.enabled = off\npekko.io.kq.pollers = 1");
    try {
      KqTcpExt ext = KqTcp.get(system);
      TestKit probe = new TestKit(system);
      Tcp.Bound bound = bindEcho(system, probe);
      echoOnce(bound.localAddress(), (byte) 7);
      KqMetrics m = ext.metrics();
      assertFalse(m.enabled());
      assertEquals(0, m.acceptedConnections());
      assertEquals(0, m.bytesRead());
      assertEquals(0, m.total().openListeners());
      PollerMetrics p = m.pollers().get(0);
      assertTrue(p.turns() > 0, "the pollers count their turns either way: " + p);
      assertEquals(0, p.longestTurnNanos(), "no turn is timed");
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }

  @Test
  void aSystemOnPekkosNioTcpHasAnEmptySnapshot() {
    ActorSystem system = system("pekko.io.kq.native = off");
    try {
      KqMetrics m = KqTcp.get(system).metrics();
      assertFalse(m.isNative());
      assertTrue(m.pollers().isEmpty());
      assertEquals(0, m.openConnections());
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }
}
