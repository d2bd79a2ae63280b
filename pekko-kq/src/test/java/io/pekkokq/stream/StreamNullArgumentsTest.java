package io.pekkokq.stream;

import static org.junit.jupiter.api.Assertions.*;

import io.pekkokq.stream.javadsl.KqTcp;
import io.pekkokq.stream.javadsl.KqUdp;
import io.pekkokq.sys.NativeUnavailableException;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.io.Inet;
import org.apache.pekko.stream.IgnoreComplete$;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Streams KqTcp refuses a null argument at the call, natively and in the NIO fallback
 * alike, instead of failing later inside a stage; so do both DSLs of KqUdp, which without
 * native pollers refuse at the call too (Pekko has no Streams UDP to hand over to).
 */
class StreamNullArgumentsTest {
  private static ActorSystem nativeSystem;
  private static ActorSystem fallbackSystem;

  @BeforeAll
  static void start() {
    nativeSystem = ActorSystem.create("StreamNullArgumentsTest");
    fallbackSystem =
        ActorSystem.create(
            "StreamNullArgumentsTest-fallback",
            com.typesafe.config.ConfigFactory.parseString("pekko.io.kq.native = off")
                .withFallback(com.typesafe.config.ConfigFactory.load()));
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(nativeSystem);
    TestKit.shutdownActorSystem(fallbackSystem);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void nullArgumentsAreRefusedAtTheCall(boolean nativeMode) {
    KqTcp tcp = KqTcp.get(nativeMode ? nativeSystem : fallbackSystem);
    InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 1);
    assertThrows(NullPointerException.class, () -> tcp.bind(null, 0, 10, List.of(), false, Optional.empty()));
    assertThrows(NullPointerException.class, () -> tcp.bind("127.0.0.1", 0, 10, List.of(), false, null));
    assertThrows(
        NullPointerException.class,
        () -> tcp.outgoingConnection(null, Optional.empty(), List.of(), true, Optional.empty(), Optional.empty()));
    assertThrows(
        NullPointerException.class,
        () -> tcp.outgoingConnection(remote, null, List.of(), true, Optional.empty(), Optional.empty()));
    assertThrows(
        NullPointerException.class,
        () -> tcp.outgoingConnection(remote, Optional.empty(), List.of(), true, null, Optional.empty()));
    assertThrows(
        NullPointerException.class,
        () -> tcp.outgoingConnection(remote, Optional.empty(), List.of(), true, Optional.empty(), null));
    assertThrows(NullPointerException.class, () -> tcp.outgoingConnectionWithTls(remote, null));
    assertThrows(NullPointerException.class, () -> tcp.bindWithTls("127.0.0.1", 0, null));
    assertThrows(
        NullPointerException.class,
        () ->
            tcp.bindWithTls(
                "127.0.0.1", 0, () -> null, 10, List.of(), Optional.empty(), null, IgnoreComplete$.MODULE$));
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void theScaladslTcpRefusesNullArgumentsThroughTheJavadslsChecks(boolean nativeMode) {
    io.pekkokq.stream.scaladsl.KqTcp tcp = io.pekkokq.stream.scaladsl.KqTcp.get(nativeMode ? nativeSystem : fallbackSystem);
    InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 1);
    scala.collection.immutable.List<Inet.SocketOption> none = scala.collection.immutable.List$.MODULE$.empty();
    scala.concurrent.duration.Duration inf = scala.concurrent.duration.Duration.Inf();
    NullPointerException e =
        assertThrows(NullPointerException.class, () -> tcp.bind("127.0.0.1", 0, 10, null, false, inf));
    assertEquals("options", e.getMessage());
    assertThrows(NullPointerException.class, () -> tcp.bind("127.0.0.1", 0, 10, none, false, null));
    assertThrows(
        NullPointerException.class, () -> tcp.outgoingConnection(remote, null, none, true, inf, inf));
    assertThrows(
        NullPointerException.class,
        () -> tcp.outgoingConnection(remote, scala.Option.empty(), null, true, inf, inf));
    assertThrows(
        NullPointerException.class,
        () -> tcp.outgoingConnection(remote, scala.Option.empty(), none, true, null, inf));
  }

  @Test
  void udpFlowsOfBothDslsRefuseNullAndUnresolvedArgumentsAtTheCall() {
    InetSocketAddress local = new InetSocketAddress("127.0.0.1", 0);
    InetSocketAddress unresolved = InetSocketAddress.createUnresolved("no-such-host.invalid", 0);
    scala.collection.immutable.List<Inet.SocketOption> none = scala.collection.immutable.List$.MODULE$.empty();
    assertThrows(NullPointerException.class, () -> KqUdp.sendFlow(null));
    assertThrows(NullPointerException.class, () -> KqUdp.sendFlow(null, nativeSystem));
    assertThrows(NullPointerException.class, () -> KqUdp.sendSink(Collections.singletonList(null), nativeSystem));
    assertThrows(NullPointerException.class, () -> KqUdp.bindFlow(null, nativeSystem));
    assertThrows(IllegalArgumentException.class, () -> KqUdp.bindFlow(unresolved, nativeSystem));
    assertThrows(NullPointerException.class, () -> io.pekkokq.stream.scaladsl.KqUdp.sendFlow(null, nativeSystem));
    assertThrows(NullPointerException.class, () -> io.pekkokq.stream.scaladsl.KqUdp.sendSink(none, null));
    assertThrows(NullPointerException.class, () -> io.pekkokq.stream.scaladsl.KqUdp.bindFlow(null, nativeSystem));
    assertThrows(
        IllegalArgumentException.class, () -> io.pekkokq.stream.scaladsl.KqUdp.bindFlow(unresolved, nativeSystem));
    assertThrows(NullPointerException.class, () -> io.pekkokq.stream.scaladsl.KqUdp.bindFlow(local, null, nativeSystem));
  }

  @Test
  void udpFlowsOfBothDslsSayWhyWithoutNativePollers() {
    InetSocketAddress local = new InetSocketAddress("127.0.0.1", 0);
    for (org.junit.jupiter.api.function.Executable call :
        List.<org.junit.jupiter.api.function.Executable>of(
            () -> KqUdp.sendFlow(fallbackSystem),
            () -> KqUdp.sendSink(fallbackSystem),
            () -> KqUdp.bindFlow(local, fallbackSystem),
            () -> io.pekkokq.stream.scaladsl.KqUdp.sendFlow(fallbackSystem),
            () -> io.pekkokq.stream.scaladsl.KqUdp.sendSink(fallbackSystem),
            () -> io.pekkokq.stream.scaladsl.KqUdp.bindFlow(local, fallbackSystem))) {
      NativeUnavailableException e = assertThrows(NativeUnavailableException.class, call);
      assertTrue(e.getMessage().contains("pekko.io.kq.native = off"), e.getMessage());
    }
  }
}
