package io.pekkokq.stream;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.ListeningSockets;
import io.pekkokq.metrics.KqMetrics;
import io.pekkokq.metrics.PollerMetrics;
import io.pekkokq.stream.javadsl.KqTcp;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BindFailedException;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Listener sharding in the Streams API (pekko.io.kq.tcp.listener-sharding): with two
 * pollers one bind is two listening sockets on one port, one on each poller, its
 * connections are registered with both pollers, and the ServerBinding keeps Pekko's
 * semantics (port 0, unbind, backpressure over all shards, "port in use").
 */
class StreamListenerShardingTest {
  private static ActorSystem system;
  private static Materializer mat;

  @BeforeAll
  static void start() {
    system =
        ActorSystem.create(
            "StreamListenerShardingTest",
            ConfigFactory.parseString("pekko.io.kq.pollers = 2\npekko.io.kq.tcp.listener-sharding = on"));
    mat = Materializer.createMaterializer(system);
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) fail("not within 10 s: " + what);
      Thread.sleep(5);
    }
  }

  /** Binds an echo server whose connection graphs run on Pekko's default dispatcher. */
  private static Tcp.ServerBinding bindEcho(int port) throws Exception {
    return KqTcp.get(system)
        .bind("127.0.0.1", port)
        .to(Sink.foreach(c -> c.handleWith(Flow.<ByteString>create(), mat)))
        .run(mat)
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private static void echoOneByte(SocketChannel client, int b) throws IOException {
    client.write(ByteBuffer.wrap(new byte[] {(byte) b}));
    ByteBuffer back = ByteBuffer.allocate(1);
    while (back.hasRemaining()) {
      if (client.read(back) < 0) fail("closed before the echo");
    }
    assertEquals((byte) b, back.get(0));
  }

  private static KqMetrics metrics() {
    return KqTcp.get(system).metrics();
  }

  @Test
  void connectionsAreRegisteredWithBothPollersOnOnePort() throws Exception {
    Tcp.ServerBinding binding = bindEcho(0);
    int port = binding.localAddress().getPort();
    assertNotEquals(0, port);
    if (ListeningSockets.available()) assertEquals(2, ListeningSockets.on(port), "one listening socket per poller");
    List<SocketChannel> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 64; i++) {
        SocketChannel c = SocketChannel.open(binding.localAddress());
        clients.add(c);
        echoOneByte(c, i); // its connection stage is registered now
      }
      // Each poller: its listener shard and at least one of the 64 connections, registered
      // with the poller of the shard that accepted it (the kernel hashes each connection
      // to a shard; all 64 on one of two has a chance of 2^-63).
      List<PollerMetrics> pollers = metrics().pollers();
      assertEquals(2, pollers.size());
      for (PollerMetrics p : pollers) assertTrue(p.registrations() >= 2, p.toString());
      assertEquals(66, pollers.get(0).registrations() + pollers.get(1).registrations(), pollers.toString());
      assertEquals(1, metrics().streams().openListeners(), "still one listener per bind in the metrics");
    } finally {
      for (SocketChannel c : clients) c.close();
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void unbindClosesEveryShardAndAcceptedConnectionsSurvive() throws Exception {
    Tcp.ServerBinding binding = bindEcho(0);
    InetSocketAddress address = binding.localAddress();
    try (SocketChannel client = SocketChannel.open(address)) {
      echoOneByte(client, 1);
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (ListeningSockets.available()) assertEquals(0, ListeningSockets.on(address.getPort()));
      for (int i = 0; i < 16; i++) {
        assertThrows(ConnectException.class, () -> SocketChannel.open(address).close());
      }
      echoOneByte(client, 2);
    }
  }

  @Test
  void aSecondBindOnAShardedPortFailsAsPortInUseInBothApis() throws Exception {
    Tcp.ServerBinding binding = bindEcho(0);
    int port = binding.localAddress().getPort();
    try {
      ExecutionException e = assertThrows(ExecutionException.class, () -> bindEcho(port));
      assertInstanceOf(BindFailedException.class, e.getCause());
      Throwable cause = e.getCause().getCause();
      assertInstanceOf(BindException.class, cause);
      assertTrue(cause.getMessage().contains("127.0.0.1:" + port), cause.getMessage());
      // The actor API's Bind on the same port: CommandFailed.
      TestKit probe = new TestKit(system);
      io.pekkokq.io.KqTcp.get(system).manager().tell(
          org.apache.pekko.io.TcpMessage.bind(probe.getRef(), new InetSocketAddress("127.0.0.1", port), 100),
          probe.getRef());
      probe.expectMsgClass(java.time.Duration.ofSeconds(10), org.apache.pekko.io.Tcp.CommandFailed.class);
      try (SocketChannel client = SocketChannel.open(binding.localAddress())) {
        echoOneByte(client, 3); // the first binding is untouched
      }
    } finally {
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void backpressureHoldsTheConnectionsOfEveryShard() throws Exception {
    long acceptedBefore = metrics().streams().accepted();
    // A queue sink that buffers one element: at most pulls + 1 connections are accepted.
    Pair<CompletionStage<Tcp.ServerBinding>, SinkQueueWithCancel<Tcp.IncomingConnection>> bound =
        KqTcp.get(system)
            .bind("127.0.0.1", 0, 100, List.of(), false, Optional.empty())
            .toMat(Sink.queue(), Keep.both())
            .addAttributes(Attributes.inputBuffer(1, 1))
            .run(mat);
    Tcp.ServerBinding binding = bound.first().toCompletableFuture().get(10, TimeUnit.SECONDS);
    SinkQueueWithCancel<Tcp.IncomingConnection> queue = bound.second();
    List<SocketChannel> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) clients.add(SocketChannel.open(binding.localAddress()));
      for (int i = 0; i < 2; i++) take(queue);
      eventually("2 taken and 1 buffered", () -> metrics().streams().accepted() - acceptedBefore == 3);
      Thread.sleep(300); // whichever shards the other 5 are queued on, none is accepted
      assertEquals(3, metrics().streams().accepted() - acceptedBefore);
      for (int i = 0; i < 6; i++) take(queue);
      assertEquals(8, metrics().streams().accepted() - acceptedBefore);
    } finally {
      for (SocketChannel c : clients) c.close();
      queue.cancel();
      binding.whenUnbound().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static void take(SinkQueueWithCancel<Tcp.IncomingConnection> queue) throws Exception {
    Optional<Tcp.IncomingConnection> c = queue.pull().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertTrue(c.isPresent());
    c.get().handleWith(Flow.<ByteString>create(), mat);
  }

  @Test
  void shardingOffGivesOneListener() throws Exception {
    ActorSystem s =
        ActorSystem.create(
            "StreamListenerShardingTest-off",
            ConfigFactory.parseString("pekko.io.kq.pollers = 2\npekko.io.kq.tcp.listener-sharding = off"));
    try {
      Tcp.ServerBinding binding =
          KqTcp.get(s).bind("127.0.0.1", 0).to(Sink.ignore()).run(Materializer.createMaterializer(s))
              .toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (ListeningSockets.available()) assertEquals(1, ListeningSockets.on(binding.localAddress().getPort()));
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      TestKit.shutdownActorSystem(s);
    }
  }
}
