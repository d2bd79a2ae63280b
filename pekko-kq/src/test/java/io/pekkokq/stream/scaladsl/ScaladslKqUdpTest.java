package io.pekkokq.stream.scaladsl;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.stream.Datagram;
import io.pekkokq.stream.UdpPeer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.UdpSO;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.scaladsl.Flow;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * scaladsl.KqUdp hands out Scala Flows and Sinks (a Future of the bound address) and
 * works end to end with Scala option lists; the javadsl's own behaviour is in
 * StreamUdpTest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScaladslKqUdpTest {
  private static final InetSocketAddress LOOPBACK_ANY = new InetSocketAddress("127.0.0.1", 0);
  private ActorSystem system;

  @BeforeAll
  void start() {
    system = ActorSystem.create("ScaladslKqUdpTest", ConfigFactory.parseString("pekko.loglevel = WARNING"));
  }

  @AfterAll
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static scala.collection.immutable.List<Inet.SocketOption> scalaOptions(Inet.SocketOption... options) {
    return CollectionConverters.asScala(List.of(options)).toList();
  }

  private static DatagramSocket peer() throws Exception {
    return UdpPeer.open();
  }

  private static String receive(DatagramSocket s) throws Exception {
    return UdpPeer.receive(s);
  }

  @Test
  void sendFlowWithScalaOptionsSendsAndEmitsEveryDatagramInOrder() throws Exception {
    try (DatagramSocket peer = peer()) {
      InetSocketAddress to = (InetSocketAddress) peer.getLocalSocketAddress();
      List<Datagram> out = new ArrayList<>();
      for (int i = 0; i < 20; i++) out.add(Datagram.create(ByteString.fromString("s" + i), to));
      Flow<Datagram, Datagram, ?> flow = KqUdp.sendFlow(scalaOptions(UdpSO.sendBufferSize(1 << 16)), system);
      List<Datagram> emitted =
          Source.from(out).via(flow).runWith(Sink.seq(), system).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(out, emitted);
      for (int i = 0; i < 20; i++) assertEquals("s" + i, receive(peer));
    }
  }

  @Test
  void sendSinkSends() throws Exception {
    try (DatagramSocket peer = peer()) {
      InetSocketAddress to = (InetSocketAddress) peer.getLocalSocketAddress();
      Source.single(Datagram.create(ByteString.fromString("scala sink"), to)).runWith(KqUdp.sendSink(system), system);
      assertEquals("scala sink", receive(peer));
    }
  }

  @Test
  void bindFlowMaterializesAFutureOfTheBoundAddressAndEchoes() throws Exception {
    Flow<Datagram, Datagram, Future<InetSocketAddress>> bind =
        KqUdp.bindFlow(LOOPBACK_ANY, scalaOptions(UdpSO.reuseAddress(true)), system);
    Future<InetSocketAddress> bound =
        org.apache.pekko.stream.javadsl.Flow.of(Datagram.class)
            .map(d -> d.withData(ByteString.fromString("echo:").concat(d.data())))
            .joinMat(bind, Keep.right())
            .run(system);
    InetSocketAddress server = FutureConverters.asJava(bound).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertNotEquals(0, server.getPort());
    try (DatagramSocket peer = peer()) {
      byte[] b = "hi".getBytes(StandardCharsets.UTF_8);
      peer.send(new DatagramPacket(b, b.length, server));
      assertEquals("echo:hi", receive(peer));
    }
  }
}
