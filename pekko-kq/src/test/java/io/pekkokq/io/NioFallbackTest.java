package io.pekkokq.io;

import static org.junit.jupiter.api.Assertions.*;

import io.pekkokq.event.KqEvents;
import io.pekkokq.sys.Descriptors;
import io.pekkokq.sys.FileDescriptor;
import io.pekkokq.sys.NativeUnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.stream.IOResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp.ServerBinding;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An actor system with {@code pekko.io.kq.native = off}: what the nio fallback gives
 * besides the actor API (which the parity suite's kq-fallback driver covers): Streams
 * KqTcp on Pekko's Tcp, events on Pekko's scheduler, signals and fd streams refused with a
 * clear exception, and a config error for a bad fallback value.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NioFallbackTest {
  private static ActorSystem system;

  @BeforeAll
  static void start() {
    system =
        ActorSystem.create(
            "NioFallbackTest",
            com.typesafe.config.ConfigFactory.parseString("pekko.io.kq.native = off")
                .withFallback(com.typesafe.config.ConfigFactory.load()));
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void theExtensionSaysItIsNotNativeAndWhy() {
    KqTcpExt ext = KqTcp.get(system);
    assertFalse(ext.isNative());
    assertTrue(ext.whyNotNative().orElseThrow().getMessage().contains("pekko.io.kq.native = off"));
    assertEquals(org.apache.pekko.io.Tcp.get(system).manager(), ext.manager(), "Pekko's own manager");
    assertEquals("pekko.actor.default-dispatcher", ext.dispatcherOf(ext.manager()));
    assertThrows(NativeUnavailableException.class, () -> ext.pollerDispatcher(0));
  }

  @Test
  void streamsKqTcpEchoesThroughPekkosTcp() throws Exception {
    io.pekkokq.stream.javadsl.KqTcp tcp = io.pekkokq.stream.javadsl.KqTcp.get(system);
    ServerBinding binding = await(tcp.bindAndHandle(Flow.of(ByteString.class), "127.0.0.1", 0));
    try {
      ByteString reply =
          await(
              Source.single(ByteString.fromString("over nio"))
                  .via(tcp.outgoingConnection("127.0.0.1", binding.localAddress().getPort()))
                  .runFold(ByteString.emptyByteString(), ByteString::concat, system));
      assertEquals("over nio", reply.utf8String());
      assertEquals(org.apache.pekko.stream.Attributes.none(), tcp.onPollerThread());
    } finally {
      await(binding.unbind());
    }
  }

  @Test
  void handleOnPollerThreadHandlesAPekkoConnectionWhereverPekkoRunsIt() throws Exception {
    io.pekkokq.stream.javadsl.KqTcp tcp = io.pekkokq.stream.javadsl.KqTcp.get(system);
    ServerBinding binding =
        await(
            tcp.bind("127.0.0.1", 0)
                .to(org.apache.pekko.stream.javadsl.Sink.foreach(
                    c -> tcp.handleOnPollerThread(c, Flow.of(ByteString.class), system)))
                .run(system));
    try {
      ByteString reply =
          await(
              Source.single(ByteString.fromString("no poller"))
                  .via(tcp.outgoingConnection("127.0.0.1", binding.localAddress().getPort()))
                  .runFold(ByteString.emptyByteString(), ByteString::concat, system));
      assertEquals("no poller", reply.utf8String());
    } finally {
      await(binding.unbind());
    }
  }

  @Test
  void timersAndUserEventsRunOnPekkosSchedulerAndSignalsAreRefused() {
    KqEvents events = KqTcp.get(system).events();
    TestKit probe = new TestKit(system);
    events.scheduleOnce(Duration.ofMillis(20), probe.getRef(), "once");
    probe.expectMsg(Duration.ofSeconds(5), "once");
    Cancellable beat = events.scheduleWithFixedDelay(Duration.ZERO, Duration.ofMillis(20), probe.getRef(), "beat");
    probe.expectMsg(Duration.ofSeconds(5), "beat");
    probe.expectMsg(Duration.ofSeconds(5), "beat");
    assertTrue(beat.cancel());
    assertFalse(beat.cancel(), "a second cancel prevents nothing");
    Cancellable stopped = events.scheduleOnce(Duration.ofSeconds(30), probe.getRef(), "never");
    assertTrue(stopped.cancel());
    events.userEvent(probe.getRef(), "poked").trigger();
    probe.receiveWhile(Duration.ofMillis(200), m -> m); // a beat may have been in flight
    events.userEvent(probe.getRef(), "poked again").trigger();
    probe.expectMsg(Duration.ofSeconds(5), "poked again");
    NativeUnavailableException refused =
        assertThrows(NativeUnavailableException.class, () -> events.subscribeSignal("HUP", probe.getRef()));
    assertTrue(refused.getMessage().contains("UNIX signals need pekko-kq's native library"), refused.getMessage());
    probe.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void fdStreamsFailTheirMaterializedValueWithTheReason() throws Exception {
    FileDescriptor[] pipe = Descriptors.pipe(); // the library is loaded; this system just does not use it
    try {
      CompletionStage<IOResult> written =
          Source.single(ByteString.fromString("x"))
              .runWith(io.pekkokq.stream.javadsl.FdStreams.sink(pipe[1]), system);
      ExecutionException e = assertThrows(ExecutionException.class, () -> await(written));
      assertInstanceOf(NativeUnavailableException.class, e.getCause(), e.toString());
      CompletionStage<IOResult> read =
          io.pekkokq.stream.javadsl.FdStreams.source(pipe[0])
              .toMat(Sink.ignore(), org.apache.pekko.stream.javadsl.Keep.left())
              .run(system);
      e = assertThrows(ExecutionException.class, () -> await(read));
      assertInstanceOf(NativeUnavailableException.class, e.getCause(), e.toString());
      assertFalse(pipe[0].isOpen() || pipe[1].isOpen(), "each stream closed the descriptor it owned");
    } finally {
      pipe[0].close();
      pipe[1].close();
    }
  }

  @Test
  void anUnknownFallbackValueIsAConfigurationError() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                KqTcpSettings.from(
                    com.typesafe.config.ConfigFactory.parseString("pekko.io.kq.fallback = maybe")
                        .withFallback(com.typesafe.config.ConfigFactory.load())));
    assertTrue(e.getMessage().contains("pekko.io.kq.fallback must be nio or fail"), e.getMessage());
  }
}
