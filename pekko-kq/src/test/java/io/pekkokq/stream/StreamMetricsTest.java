package io.pekkokq.stream;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.metrics.ApiMetrics;
import io.pekkokq.metrics.ConnectFailure;
import io.pekkokq.metrics.KqMetrics;
import io.pekkokq.stream.javadsl.FdStreams;
import io.pekkokq.stream.javadsl.KqTcp;
import io.pekkokq.sys.Descriptors;
import io.pekkokq.sys.FileDescriptor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.IOResult;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The metrics snapshot counts the Streams API's and the fd streams' sockets exactly, each
 * under its own API: N echoed connections are N accepts and N connects, M bytes each way
 * are M bytes read and written on each side. An actor system of its own per test, counts
 * compared once every connection has closed, never times.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamMetricsTest {
  private static final int CLIENTS = 4;
  private static final int BYTES = 64 * 1024;

  private ActorSystem system;
  private Materializer mat;

  @BeforeEach
  void start() {
    system = ActorSystem.create("StreamMetricsTest", ConfigFactory.load());
    mat = Materializer.createMaterializer(system);
  }

  @AfterEach
  void stop() {
    TestKit.shutdownActorSystem(system);
  }

  private KqMetrics awaitMetrics(Predicate<KqMetrics> done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    KqMetrics m = KqTcp.get(system).metrics();
    while (!done.test(m)) {
      if (System.nanoTime() > deadline) fail("the counts did not settle within 30 s: " + m);
      Thread.sleep(10);
      m = KqTcp.get(system).metrics();
    }
    return m;
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void countsAnEchoOverStreamsExactlyOnBothSides() throws Exception {
    Tcp.ServerBinding binding =
        await(
            KqTcp.get(system)
                .bind("127.0.0.1", 0)
                .to(Sink.foreach(c -> c.handleWith(Flow.<ByteString>create(), mat)))
                .run(mat));
    InetSocketAddress to = binding.localAddress();
    ByteString payload = ByteString.fromArray(new byte[BYTES]);
    for (int i = 0; i < CLIENTS; i++) {
      ByteString back =
          await(
              Source.single(payload)
                  .via(KqTcp.get(system).outgoingConnection(to.getHostString(), to.getPort()))
                  .runFold(ByteString.emptyByteString(), ByteString::concat, mat));
      assertEquals(BYTES, back.size());
    }
    // Both ends of every connection are this actor system's.
    KqMetrics m = awaitMetrics(s -> s.streams().closedConnections() == 2 * CLIENTS);
    ApiMetrics streams = m.streams();
    assertEquals(CLIENTS, streams.accepted());
    assertEquals(CLIENTS, streams.connected());
    assertEquals(2 * CLIENTS, streams.openedConnections());
    assertEquals(0, streams.openConnections());
    assertEquals(2L * CLIENTS * BYTES, streams.bytesRead(), streams.toString());
    assertEquals(2L * CLIENTS * BYTES, streams.bytesWritten(), streams.toString());
    assertEquals(0, streams.bytesQueuedForWriting());
    assertEquals(1, streams.openListeners());
    assertEquals(0, streams.connectFailures());
    assertEquals(0, m.actor().openedConnections() + m.fdStreams().openedConnections());
    assertEquals(CLIENTS, m.acceptedConnections());
    assertEquals(m.streams().bytesRead(), m.bytesRead());
    assertEquals(
        io.pekkokq.io.KqTcp.get(system).metrics().streams(), KqTcp.get(system).metrics().streams(),
        "both APIs' extensions give the same snapshot");

    await(binding.unbind());
    assertEquals(0, awaitMetrics(s -> s.streams().openListeners() == 0).streams().openListeners());
  }

  @Test
  void countsARefusedConnect() throws Exception {
    io.pekkokq.sys.LibKqueue.skipBecause(io.pekkokq.sys.LibKqueue.SO_ERROR_CONSUMED);
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    ExecutionException failed =
        assertThrows(
            ExecutionException.class,
            () -> await(
                Source.<ByteString>empty()
                    .viaMat(KqTcp.get(system).outgoingConnection("127.0.0.1", port), (a, b) -> b)
                    .to(Sink.ignore())
                    .run(mat)));
    assertNotNull(failed.getCause());
    KqMetrics m = awaitMetrics(s -> s.streams().closedConnections() == 1);
    assertEquals(1, m.streams().connectFailures(ConnectFailure.REFUSED), m.streams().toString());
    assertEquals(1, m.streams().connectFailures());
    assertEquals(0, m.streams().connected());
  }

  @Test
  void countsFdStreamsApart() throws Exception {
    FileDescriptor[] pipe = Descriptors.pipe();
    int chunks = 16;
    CompletionStage<IOResult> written =
        Source.range(1, chunks)
            .map(i -> ByteString.fromArray(new byte[4096]))
            .runWith(FdStreams.sink(pipe[1]), system);
    long read = await(FdStreams.source(pipe[0]).runFold(0L, (n, b) -> n + b.size(), mat));
    assertEquals(chunks * 4096L, read);
    assertEquals(chunks * 4096L, await(written).getCount());
    KqMetrics m = awaitMetrics(s -> s.fdStreams().closedConnections() == 2);
    ApiMetrics fd = m.fdStreams();
    assertEquals(chunks * 4096L, fd.bytesRead());
    assertEquals(chunks * 4096L, fd.bytesWritten());
    assertEquals(2, fd.openedConnections());
    assertEquals(0, fd.accepted());
    assertEquals(0, m.streams().openedConnections(), "not counted as the Streams API's");
  }
}
