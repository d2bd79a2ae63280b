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
    DatagramSocket s = new DatagramSocket(LOOPBACK_ANY);
    s.setSoTimeout(10_000);
    s.setReceiveBufferSize(1 << 20);
    return s;
  }

  private static String receive(DatagramSocket s) throws IOException {
    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
    s.receive(p);
    return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
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
