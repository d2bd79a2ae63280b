package io.pekkokq.stream.scaladsl;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.sys.Descriptors;
import io.pekkokq.sys.FileDescriptor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.IOResult;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SystemMaterializer;
import org.apache.pekko.stream.scaladsl.Flow;
import org.apache.pekko.stream.scaladsl.Keep;
import org.apache.pekko.stream.scaladsl.Sink;
import org.apache.pekko.stream.scaladsl.Source;
import org.apache.pekko.stream.scaladsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import scala.Tuple2;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * The scaladsl twins hand out Pekko's scaladsl types and work end to end. The Pekko
 * constructors behind them (stream.impl.PekkoTcpShapes) are guarded by
 * PekkoInternalApiTest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScaladslKqTcpTest {
  private ActorSystem system;
  private Materializer materializer;

  @BeforeAll
  void start() {
    system = ActorSystem.create("ScaladslKqTcpTest", ConfigFactory.parseString("pekko.loglevel = WARNING"));
    materializer = SystemMaterializer.get(system).materializer();
  }

  @AfterAll
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void bindsEchoesAndUnbindsWithPekkosScaladslTypes() throws Exception {
    KqTcp tcp = KqTcp.apply(system);
    Tcp.ServerBinding binding =
        await(tcp.bindAndHandle(Flow.<ByteString>apply(), "127.0.0.1", 0, materializer));
    int port = binding.localAddress().getPort();
    assertTrue(port > 0);

    Tuple2<Future<Tcp.OutgoingConnection>, Future<ByteString>> run =
        Source.single(ByteString.fromString("scala shapes"))
            .viaMat(tcp.outgoingConnection("127.0.0.1", port), Keep.right())
            .toMat(Sink.fold(ByteString.emptyByteString(), (a, b) -> a.concat(b)), Keep.both())
            .run(materializer);
    Tcp.OutgoingConnection connection = await(run._1());
    assertEquals(port, connection.remoteAddress().getPort());
    assertTrue(connection.localAddress().getPort() > 0);
    assertEquals("scala shapes", await(run._2()).utf8String());

    await(binding.unbind());
    await(binding.whenUnbound());
  }

  @Test
  void handleOnPollerThreadRunsTheHandlerOnAPollerThread() throws Exception {
    KqTcp tcp = KqTcp.apply(system);
    java.util.concurrent.ConcurrentLinkedQueue<String> threads = new java.util.concurrent.ConcurrentLinkedQueue<>();
    Flow<ByteString, ByteString, org.apache.pekko.NotUsed> handler =
        org.apache.pekko.stream.javadsl.Flow.of(ByteString.class).map(b -> {
          threads.add(Thread.currentThread().getName());
          return b;
        }).asScala();
    Tcp.ServerBinding binding =
        await(
            tcp.bind("127.0.0.1", 0)
                .to(Sink.foreach(c -> {
                  tcp.handleOnPollerThread(c, handler, materializer);
                  return scala.runtime.BoxedUnit.UNIT;
                }))
                .run(materializer));
    Future<ByteString> reply =
        Source.single(ByteString.fromString("on a poller"))
            .via(tcp.outgoingConnection("127.0.0.1", binding.localAddress().getPort()))
            .runWith(Sink.fold(ByteString.emptyByteString(), (a, b) -> a.concat(b)), materializer);
    assertEquals("on a poller", await(reply).utf8String());
    assertFalse(threads.isEmpty());
    for (String thread : threads) assertTrue(thread.startsWith("pekko-kq-poller-"), "the handler ran on " + thread);
    await(binding.unbind());
  }

  @Test
  void fdStreamsCarryBytesThroughAPipe() throws Exception {
    FileDescriptor[] pipe = Descriptors.pipe();
    Future<IOResult> written =
        Source.single(ByteString.fromString("through a pipe")).runWith(FdStreams.sink(pipe[1]), materializer);
    Tuple2<Future<IOResult>, Future<ByteString>> read =
        FdStreams.source(pipe[0])
            .toMat(Sink.fold(ByteString.emptyByteString(), (a, b) -> a.concat(b)), Keep.both())
            .run(materializer);
    assertEquals(14, await(written).count());
    assertEquals("through a pipe", await(read._2()).utf8String());
    assertEquals(14, await(read._1()).count());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return FutureConverters.asJava(future).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
