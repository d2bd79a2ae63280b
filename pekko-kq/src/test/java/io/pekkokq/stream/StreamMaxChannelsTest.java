package io.pekkokq.stream;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.io.KqTcpExt;
import io.pekkokq.stream.javadsl.KqTcp;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BindFailedException;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.StreamTcpException;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * Streams sockets count against pekko.io.kq.max-channels like the actor API's: a listener
 * and each connection hold one place, beyond the limit Bind and Connect fail and accepted
 * connections are closed, and every way out gives the place back.
 */
class StreamMaxChannelsTest {

  private interface Body {
    void run(ActorSystem system, Materializer mat, KqTcpExt ext) throws Exception;
  }

  /** Runs {@code body} in an actor system of its own with max-channels = {@code maxChannels}. */
  private static void withSystem(int maxChannels, Body body) throws Exception {
    ActorSystem system =
        ActorSystem.create(
            "StreamMaxChannelsTest", ConfigFactory.parseString("pekko.io.kq.max-channels = " + maxChannels));
    try {
      body.run(system, Materializer.createMaterializer(system), io.pekkokq.io.KqTcp.get(system));
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }

  private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) fail("not within 5 s: " + what);
      Thread.sleep(5);
    }
  }

  private static Tcp.ServerBinding bindEcho(ActorSystem system, Materializer mat, AtomicInteger handled)
      throws Exception {
    KqTcp kq = KqTcp.get(system);
    return kq.bind("127.0.0.1", 0)
        .to(Sink.foreach(c -> {
          handled.incrementAndGet();
          c.handleWith(Flow.<ByteString>create(), mat);
        }))
        .run(mat)
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
  }

  private static Pair<CompletionStage<Tcp.OutgoingConnection>, CompletionStage<List<ByteString>>> echoOnce(
      ActorSystem system, Materializer mat, InetSocketAddress to) {
    return Source.single(ByteString.fromString("ping"))
        .viaMat(KqTcp.get(system).outgoingConnection(to.getHostString(), to.getPort()), Keep.right())
        .toMat(Sink.seq(), Keep.both())
        .run(mat);
  }

  @Test
  void listenersAndBothEndsOfEachConnectionHoldAPlaceUntilTheyClose() throws Exception {
    withSystem(100, (system, mat, ext) -> {
      AtomicInteger handled = new AtomicInteger();
      Tcp.ServerBinding binding = bindEcho(system, mat, handled);
      assertEquals(1, ext.openChannels(), "the listener");
      for (int i = 0; i < 5; i++) {
        List<ByteString> back =
            echoOnce(system, mat, binding.localAddress()).second().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals("ping", back.stream().map(ByteString::utf8String).reduce("", String::concat));
      }
      eventually("every connection gave its place back", () -> ext.openChannels() == 1);
      binding.unbind().toCompletableFuture().get(5, TimeUnit.SECONDS);
      eventually("the listener gave its place back", () -> ext.openChannels() == 0);
    });
  }

  @Test
  void anAcceptedConnectionBeyondTheLimitIsClosedAndAConnectBeyondItFails() throws Exception {
    // Two places: the listener and the client's socket. The accepted end finds none.
    withSystem(2, (system, mat, ext) -> {
      AtomicInteger handled = new AtomicInteger();
      Tcp.ServerBinding binding = bindEcho(system, mat, handled);
      Pair<CompletionStage<Tcp.OutgoingConnection>, CompletionStage<List<ByteString>>> client =
          echoOnce(system, mat, binding.localAddress());
      List<ByteString> back;
      try {
        back = client.second().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (ExecutionException reset) {
        back = List.of(); // closed by the server before or while our bytes arrived
      }
      assertTrue(back.isEmpty(), "nothing was echoed: " + back);
      assertEquals(0, handled.get(), "the refused connection never reached the handler");
      eventually("the client's place came back", () -> ext.openChannels() == 1);
    });
  }

  @Test
  void aConnectOrBindBeyondTheLimitFailsWithTheReason() throws Exception {
    withSystem(1, (system, mat, ext) -> {
      Tcp.ServerBinding binding = bindEcho(system, mat, new AtomicInteger());
      assertEquals(1, ext.openChannels());

      ExecutionException connect =
          assertThrows(
              ExecutionException.class,
              () -> echoOnce(system, mat, binding.localAddress()).first().toCompletableFuture().get(5, TimeUnit.SECONDS));
      assertInstanceOf(StreamTcpException.class, connect.getCause());
      assertTrue(String.valueOf(connect.getCause().getMessage()).contains("max-channels"), connect.getCause().toString());

      ExecutionException bind =
          assertThrows(
              ExecutionException.class,
              () -> KqTcp.get(system).bind("127.0.0.1", 0).to(Sink.ignore()).run(mat)
                  .toCompletableFuture().get(5, TimeUnit.SECONDS));
      assertInstanceOf(BindFailedException.class, bind.getCause());
      assertTrue(String.valueOf(bind.getCause().getMessage()).contains("max-channels"), bind.getCause().toString());
      assertEquals(1, ext.openChannels(), "refused sockets took no place");
    });
  }
}
