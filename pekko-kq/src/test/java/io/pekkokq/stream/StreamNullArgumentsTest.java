package io.pekkokq.stream;

import static org.junit.jupiter.api.Assertions.*;

import io.pekkokq.stream.javadsl.KqTcp;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.IgnoreComplete$;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Streams KqTcp refuses a null argument at the call, natively and in the NIO fallback
 * alike, instead of failing later inside a stage.
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
}
