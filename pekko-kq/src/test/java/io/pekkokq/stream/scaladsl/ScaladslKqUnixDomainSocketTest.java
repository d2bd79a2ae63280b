package io.pekkokq.stream.scaladsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SystemMaterializer;
import org.apache.pekko.stream.scaladsl.Flow;
import org.apache.pekko.stream.scaladsl.Keep;
import org.apache.pekko.stream.scaladsl.Sink;
import org.apache.pekko.stream.scaladsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import scala.Option;
import scala.Tuple2;
import scala.concurrent.Future;
import scala.concurrent.duration.Duration;
import scala.jdk.javaapi.FutureConverters;

/**
 * The scaladsl Unix-socket twin hands out Scala types over the javadsl's stages: bind,
 * echo, peer credentials, unbind removing the socket file, and the javadsl's refusals
 * (a null, a connect to nothing) reaching Scala callers unchanged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScaladslKqUnixDomainSocketTest {
  private ActorSystem system;
  private Materializer materializer;

  @BeforeAll
  void start() {
    system = ActorSystem.create("ScaladslKqUnixDomainSocketTest", ConfigFactory.parseString("pekko.loglevel = WARNING"));
    materializer = SystemMaterializer.get(system).materializer();
  }

  @AfterAll
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void bindsEchoesAndUnbindsWithScalaTypes(@TempDir Path dir) throws Exception {
    KqUnixDomainSocket uds = KqUnixDomainSocket.apply(system);
    Path path = dir.resolve("echo.sock");
    KqUnixDomainSocket.ServerBinding binding =
        await(uds.bindAndHandle(Flow.<ByteString>apply(), path, materializer));
    assertEquals(UnixDomainSocketAddress.of(path), binding.localAddress());
    assertTrue(Files.exists(path), "the socket file is there while bound");

    Tuple2<Future<KqUnixDomainSocket.OutgoingConnection>, Future<ByteString>> run =
        Source.single(ByteString.fromString("scala over a unix socket"))
            .viaMat(uds.outgoingConnection(UnixDomainSocketAddress.of(path), Option.empty(), true, Duration.Inf()),
                Keep.right())
            .toMat(Sink.fold(ByteString.emptyByteString(), (a, b) -> a.concat(b)), Keep.both())
            .run(materializer);
    assertEquals("scala over a unix socket", await(run._2()).utf8String());
    KqUnixDomainSocket.OutgoingConnection connected = await(run._1());
    assertEquals(UnixDomainSocketAddress.of(path), connected.remoteAddress());
    assertEquals(ProcessHandle.current().pid(), connected.peerCredentials().get().pid(),
        "the listener is this process");

    await(binding.unbind());
    await(binding.whenUnbound());
    assertFalse(Files.exists(path), "unbind removes the socket file");
  }

  @Test
  void incomingConnectionsCarryScalaFlowsAndCredentials(@TempDir Path dir) throws Exception {
    KqUnixDomainSocket uds = KqUnixDomainSocket.apply(system);
    Path path = dir.resolve("incoming.sock");
    Tuple2<Future<KqUnixDomainSocket.ServerBinding>, Future<KqUnixDomainSocket.IncomingConnection>> bound =
        uds.bind(path).toMat(Sink.head(), Keep.both()).run(materializer);
    KqUnixDomainSocket.ServerBinding binding = await(bound._1());

    Future<ByteString> reply = Source.single(ByteString.fromString("ping"))
        .via(uds.outgoingConnection(path))
        .runWith(Sink.fold(ByteString.emptyByteString(), (a, b) -> a.concat(b)), materializer);
    KqUnixDomainSocket.IncomingConnection incoming = await(bound._2());
    assertEquals(ProcessHandle.current().pid(), incoming.peerCredentials().get().pid());
    incoming.handleWith(org.apache.pekko.stream.javadsl.Flow.<ByteString>create()
        .map(b -> b.concat(ByteString.fromString("-pong"))).asScala(), materializer);
    assertEquals("ping-pong", await(reply).utf8String());
    await(binding.unbind());
  }

  @Test
  void refusalsReachScalaCallers(@TempDir Path dir) {
    KqUnixDomainSocket uds = KqUnixDomainSocket.apply(system);
    NullPointerException nullPath = assertThrows(NullPointerException.class, () -> uds.bind((Path) null));
    assertEquals("path", nullPath.getMessage());
    NullPointerException nullTimeout = assertThrows(NullPointerException.class,
        () -> uds.outgoingConnection(UnixDomainSocketAddress.of(dir.resolve("x.sock")), Option.empty(), true, null));
    assertTrue(nullTimeout.getMessage().startsWith("connectTimeout"), nullTimeout.getMessage());

    Future<ByteString> nobody = Source.single(ByteString.fromString("hello?"))
        .via(uds.outgoingConnection(dir.resolve("nobody.sock")))
        .runWith(Sink.head(), materializer);
    ExecutionException failed = assertThrows(ExecutionException.class, () -> await(nobody));
    assertTrue(causes(failed, ConnectException.class), "a connect to no listener fails with a ConnectException: " + failed);
  }

  private static boolean causes(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) if (type.isInstance(c)) return true;
    return false;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return FutureConverters.asJava(future).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
