package io.pekkokq.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pekkokq.stream.javadsl.KqUdp;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import com.typesafe.config.ConfigFactory;
import io.pekkokq.LogProbe;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Streams datagram flows (KqUdp.sendFlow, sendSink, bindFlow) against JDK sockets. */
class StreamUdpTest {
  private static final InetSocketAddress LOOPBACK_ANY = new InetSocketAddress("127.0.0.1", 0);
  private static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("stream-udp");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system, scala.concurrent.duration.FiniteDuration.create(15, java.util.concurrent.TimeUnit.SECONDS), true); // Scala duration: Pekko 1.1 has no java.time overload
  }

  private static DatagramSocket raw() throws IOException {
    return UdpPeer.open();
  }

  private static String receive(DatagramSocket s) throws IOException {
    return UdpPeer.receive(s);
  }

  @Test
  void sendFlowSendsEveryDatagramInOrderAndEmitsEachOnceSent() throws Exception {
    try (DatagramSocket peer = raw()) {
      InetSocketAddress to = (InetSocketAddress) peer.getLocalSocketAddress();
      List<Datagram> out = new ArrayList<>();
      for (int i = 0; i < 100; i++) out.add(Datagram.create(ByteString.fromString("s" + i), to));
      List<Datagram> emitted =
          Source.from(out).via(KqUdp.sendFlow(system)).runWith(Sink.seq(), system)
              .toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(out, emitted);
      for (int i = 0; i < 100; i++) assertEquals("s" + i, receive(peer));
    }
  }

  @Test
  void sendSinkSends() throws Exception {
    try (DatagramSocket peer = raw()) {
      InetSocketAddress to = (InetSocketAddress) peer.getLocalSocketAddress();
      Source.single(Datagram.create(ByteString.fromString("sink"), to)).runWith(KqUdp.sendSink(system), system);
      assertEquals("sink", receive(peer));
    }
  }

  @Test
  void bindFlowEchoesWithTheSendersAddress() throws Exception {
    CompletionStage<InetSocketAddress> bound =
        KqUdp.bindFlow(LOOPBACK_ANY, system)
            .join(Flow.of(Datagram.class).map(d -> d.withData(d.data().concat(ByteString.fromString("!")))))
            .run(system);
    InetSocketAddress server = bound.toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertNotEquals(0, server.getPort());
    try (DatagramSocket peer = raw()) {
      for (String text : new String[] {"one", "two"}) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        peer.send(new DatagramPacket(b, b.length, server));
        assertEquals(text + "!", receive(peer));
      }
    }
  }

  @Test
  void bindFlowEmitsOnlyWhatDownstreamAsksFor() throws Exception {
    Pair<CompletionStage<InetSocketAddress>, CompletionStage<List<Datagram>>> run =
        Source.<Datagram>maybe()
            .viaMat(KqUdp.bindFlow(LOOPBACK_ANY, system), Keep.right())
            .take(3)
            .toMat(Sink.seq(), Keep.both())
            .run(system);
    InetSocketAddress server = run.first().toCompletableFuture().get(10, TimeUnit.SECONDS);
    try (DatagramSocket peer = raw()) {
      for (int i = 0; i < 3; i++) {
        byte[] b = ("r" + i).getBytes(StandardCharsets.UTF_8);
        peer.send(new DatagramPacket(b, b.length, server));
      }
      List<Datagram> got = run.second().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(3, got.size());
      for (int i = 0; i < 3; i++) {
        assertEquals("r" + i, got.get(i).data().utf8String());
        assertEquals(peer.getLocalSocketAddress(), got.get(i).remote());
      }
    }
  }

  @Test
  void anOversizedDatagramFailsTheFlowWithItsSizeAndTheLimit() throws Exception {
    try (DatagramSocket peer = raw()) {
      InetSocketAddress to = (InetSocketAddress) peer.getLocalSocketAddress();
      CompletionStage<List<Datagram>> result =
          Source.single(Datagram.create(ByteString.fromArray(new byte[65_508]), to))
              .via(KqUdp.sendFlow(system))
              .runWith(Sink.seq(), system);
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> result.toCompletableFuture().get(10, TimeUnit.SECONDS));
      assertInstanceOf(IOException.class, e.getCause());
      assertTrue(e.getCause().getMessage().contains("65507"), e.getCause().getMessage());
    }
  }

  @Test
  void aDatagramLargerThanAnyUdpDatagramFailsTheFlowToo() throws Exception {
    try (DatagramSocket peer = raw()) {
      InetSocketAddress to = (InetSocketAddress) peer.getLocalSocketAddress();
      CompletionStage<List<Datagram>> result =
          Source.single(Datagram.create(ByteString.fromArray(new byte[70_000]), to))
              .via(KqUdp.sendFlow(system))
              .runWith(Sink.seq(), system);
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> result.toCompletableFuture().get(10, TimeUnit.SECONDS));
      assertTrue(e.getCause().getMessage().contains("70000 bytes"), e.getCause().getMessage());
    }
  }

  @Test
  void aDatagramToAnUnresolvedAddressFailsTheFlowSayingSo() throws Exception {
    InetSocketAddress unresolved = InetSocketAddress.createUnresolved("no-such-host.invalid", 9);
    CompletionStage<List<Datagram>> result =
        Source.single(Datagram.create(ByteString.fromString("x"), unresolved))
            .via(KqUdp.sendFlow(system))
            .runWith(Sink.seq(), system);
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> result.toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("unresolved address"), e.getCause().getMessage());
  }

  /**
   * A datagram longer than receive-buffer-size (the kernel flags it MSG_TRUNC) is not
   * emitted cut short: it is dropped with a warning naming its sender, and the flow goes on.
   */
  @Test
  void aTruncatedDatagramIsDroppedWithAWarningAndTheFlowGoesOn() throws Exception {
    ActorSystem small =
        ActorSystem.create(
            "stream-udp-small",
            ConfigFactory.parseString("pekko.io.kq.udp.receive-buffer-size = 16\npekko.loglevel = WARNING")
                .withFallback(ConfigFactory.load()));
    try (DatagramSocket peer = raw()) {
      LogProbe warnings = LogProbe.warnings(small);
      Pair<CompletionStage<InetSocketAddress>, CompletionStage<List<Datagram>>> run =
          Source.<Datagram>maybe()
              .viaMat(KqUdp.bindFlow(LOOPBACK_ANY, small), Keep.right())
              .take(1)
              .toMat(Sink.seq(), Keep.both())
              .run(small);
      InetSocketAddress server = run.first().toCompletableFuture().get(10, TimeUnit.SECONDS);
      byte[] longer = new byte[100], fits = "fits".getBytes(StandardCharsets.UTF_8);
      peer.send(new DatagramPacket(longer, longer.length, server));
      peer.send(new DatagramPacket(fits, fits.length, server));
      List<Datagram> got = run.second().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals("fits", got.get(0).data().utf8String());
      String warning = warnings.await(Duration.ofSeconds(10), "receive-buffer-size (16 bytes)");
      assertTrue(warning.contains(String.valueOf(peer.getLocalPort())), warning + " names the sender");
    } finally {
      TestKit.shutdownActorSystem(small, scala.concurrent.duration.FiniteDuration.create(15, TimeUnit.SECONDS), true);
    }
  }

  @Test
  void bindingAPortInUseFailsTheMaterializedAddress() throws Exception {
    try (DatagramSocket taken = raw()) {
      CompletionStage<InetSocketAddress> bound =
          Source.<Datagram>maybe()
              .viaMat(KqUdp.bindFlow((InetSocketAddress) taken.getLocalSocketAddress(), system), Keep.right())
              .to(Sink.ignore())
              .run(system);
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> bound.toCompletableFuture().get(10, TimeUnit.SECONDS));
      assertInstanceOf(BindException.class, e.getCause());
    }
  }
}
