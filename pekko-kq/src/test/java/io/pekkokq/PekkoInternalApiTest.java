package io.pekkokq;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.pekkokq.stream.impl.PekkoTcpShapes;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.FutureConverters;
import scala.runtime.BoxedUnit;

/**
 * Guards the Pekko APIs pekko-kq uses that Pekko marks internal ({@code @InternalApi},
 * {@code private[pekko]}) or relies on beyond their documented contract. Pekko's Streams
 * {@code Tcp} objects are built in one place, {@code stream.impl.PekkoTcpShapes}, and
 * tested here through it. Each case makes the
 * call the library makes, in the same form, and checks the behaviour the library relies on,
 * so a Pekko release that changes one fails here (an assertion, or a NoSuchMethodError when
 * the jar built on one Pekko runs on another) rather than in an application.
 * docs/compatibility.md lists each API with the library code that uses it; .ci/run runs this
 * class on every supported Pekko.
 */
class PekkoInternalApiTest {
  private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 4711);
  private static final InetSocketAddress REMOTE = new InetSocketAddress("127.0.0.2", 4712);

  private static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("PekkoInternalApiTest");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  /**
   * stream.impl.PekkoTcpShapes (for ConnectionSourceStage, scaladsl.KqTcp): both
   * ServerBinding constructors are @InternalApi.
   */
  @Test
  void serverBindingRunsTheUnbindActionItIsGiven() throws Exception {
    AtomicInteger unbindCalls = new AtomicInteger();
    CompletableFuture<Done> unbound = new CompletableFuture<>();
    CompletableFuture<Done> whenUnbound = new CompletableFuture<>();
    Tcp.ServerBinding binding =
        PekkoTcpShapes.binding(
            LOCAL,
            () -> {
              unbindCalls.incrementAndGet();
              return unbound;
            },
            whenUnbound);

    assertEquals(LOCAL, binding.localAddress());
    CompletionStage<BoxedUnit> unbind = binding.unbind();
    assertEquals(1, unbindCalls.get(), "unbind() runs the stage's unbind action");
    assertFalse(unbind.toCompletableFuture().isDone(), "unbind() waits for the stage");
    unbound.complete(Done.getInstance());
    unbind.toCompletableFuture().get(5, TimeUnit.SECONDS);

    // the scaladsl view runs the same action and sees the same end
    org.apache.pekko.stream.scaladsl.Tcp.ServerBinding scala = PekkoTcpShapes.scaladsl(binding);
    assertEquals(LOCAL, scala.localAddress());
    FutureConverters.asJava(scala.unbind()).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(2, unbindCalls.get(), "the scaladsl unbind() runs the stage's unbind action too");

    assertFalse(binding.whenUnbound().toCompletableFuture().isDone());
    assertFalse(scala.whenUnbound().isCompleted());
    whenUnbound.complete(Done.getInstance());
    assertEquals(Done.getInstance(), binding.whenUnbound().toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertEquals(
        Done.getInstance(), FutureConverters.asJava(scala.whenUnbound()).toCompletableFuture().get(5, TimeUnit.SECONDS));
  }

  /**
   * stream.impl.PekkoTcpShapes (for ConnectionSourceStage, javadsl.KqTcp's TLS bind,
   * scaladsl.KqTcp): javadsl IncomingConnection is private[pekko].
   */
  @Test
  void incomingConnectionHandlesWithTheFlowItIsGiven() throws Exception {
    Flow<ByteString, ByteString, NotUsed> connectionFlow =
        Flow.of(ByteString.class).map(b -> b.concat(ByteString.fromString("!")));
    Tcp.IncomingConnection connection = PekkoTcpShapes.incoming(LOCAL, REMOTE, connectionFlow);

    assertEquals(LOCAL, connection.localAddress());
    assertEquals(REMOTE, connection.remoteAddress());
    // the handler sends "x" into the connection's flow and gets back what the flow made of it
    Flow<ByteString, ByteString, CompletionStage<ByteString>> handler =
        Flow.fromSinkAndSourceMat(
            Sink.<ByteString>head(), Source.single(ByteString.fromString("x")), Keep.left());
    CompletionStage<ByteString> echoed = connection.handleWith(handler, system);
    assertEquals("x!", echoed.toCompletableFuture().get(5, TimeUnit.SECONDS).utf8String());

    List<ByteString> viaFlow =
        Source.single(ByteString.fromString("y"))
            .via(connection.flow())
            .runWith(Sink.seq(), system)
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS);
    assertEquals(List.of(ByteString.fromString("y!")), viaFlow);

    org.apache.pekko.stream.scaladsl.Tcp.IncomingConnection scala = PekkoTcpShapes.scaladsl(connection);
    assertEquals(LOCAL, scala.localAddress());
    assertEquals(REMOTE, scala.remoteAddress());
    List<ByteString> viaScalaFlow =
        Source.single(ByteString.fromString("z"))
            .via(scala.flow())
            .runWith(Sink.seq(), system)
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS);
    assertEquals(List.of(ByteString.fromString("z!")), viaScalaFlow);
  }

  /** stream.impl.PekkoTcpShapes (for OutgoingConnectionStage, scaladsl.KqTcp): javadsl OutgoingConnection is private[pekko]. */
  @Test
  void outgoingConnectionKeepsItsAddresses() {
    Tcp.OutgoingConnection connection = PekkoTcpShapes.outgoing(REMOTE, LOCAL);
    assertEquals(REMOTE, connection.remoteAddress());
    assertEquals(LOCAL, connection.localAddress());
    org.apache.pekko.stream.scaladsl.Tcp.OutgoingConnection scala = PekkoTcpShapes.scaladsl(connection);
    assertEquals(REMOTE, scala.remoteAddress());
    assertEquals(LOCAL, scala.localAddress());
  }

  /**
   * socket.SocketOptions: Pekko's option classes are nested in Scala objects Java cannot
   * name, so the library takes each class from TcpSO's factory and reads its one field as
   * {@code scala.Product.productElement(0)}, which holds only while they are one-field case
   * classes, each of its own class.
   */
  @Test
  void socketOptionsAreOneFieldProductsOfDistinctClasses() {
    List<Inet.SocketOption> on =
        List.of(TcpSO.reuseAddress(true), TcpSO.keepAlive(true), TcpSO.tcpNoDelay(true));
    for (Inet.SocketOption o : on) {
      assertEquals(Boolean.TRUE, field(o), o.toString());
    }
    assertEquals(Boolean.FALSE, field(TcpSO.keepAlive(false)));
    assertEquals(1234, field(TcpSO.receiveBufferSize(1234)));
    assertEquals(4321, field(TcpSO.sendBufferSize(4321)));
    assertEquals(0x28, field(TcpSO.trafficClass(0x28)));
    assertEquals(Boolean.TRUE, field(TcpSO.oobInline(true)));

    List<Class<?>> classes =
        List.of(
            TcpSO.reuseAddress(true).getClass(),
            TcpSO.keepAlive(true).getClass(),
            TcpSO.tcpNoDelay(true).getClass(),
            TcpSO.receiveBufferSize(1).getClass(),
            TcpSO.sendBufferSize(1).getClass(),
            TcpSO.trafficClass(0).getClass(),
            TcpSO.oobInline(true).getClass());
    assertEquals(classes.size(), classes.stream().distinct().count(), "one class per option: " + classes);
  }

  private static Object field(Inet.SocketOption option) {
    scala.Product product = assertInstanceOf(scala.Product.class, option);
    assertEquals(1, product.productArity(), option + " has one field");
    return product.productElement(0);
  }
}
