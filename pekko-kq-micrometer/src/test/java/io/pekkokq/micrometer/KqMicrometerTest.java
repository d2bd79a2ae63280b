package io.pekkokq.micrometer;

import static org.junit.jupiter.api.Assertions.*;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pekkokq.io.KqTcp;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The snapshot reaches a Micrometer registry: after N echoed connections of M bytes, the
 * registry's meters read N accepted connections and N * M bytes each way, exactly (once all
 * connections have closed), and each poller has its meters.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KqMicrometerTest {
  private static final int CLIENTS = 3;
  private static final int BYTES = 10_000;

  private ActorSystem system;

  @BeforeEach
  void start() {
    // One poller (the default `auto` gives one per core): the per-poller meters checked
    // below are those of pekko-kq-poller-0, the one every socket is on.
    system =
        ActorSystem.create(
            "KqMicrometerTest", com.typesafe.config.ConfigFactory.parseString("pekko.io.kq.pollers = 1"));
  }

  @AfterEach
  void stop() {
    TestKit.shutdownActorSystem(system);
  }

  /** Echoes with Pekko's Tcp protocol only. */
  static final class Echo extends AbstractActor {
    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Connected.class, c -> getSender().tell(TcpMessage.register(getSelf()), getSelf()))
          .match(Tcp.Received.class, r -> getSender().tell(TcpMessage.write(r.data()), getSelf()))
          .build();
    }
  }

  @Test
  void theRegistryReadsTheCountsOfAnEchoServer() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new KqMicrometer(system, Tags.of("system", "test"), Duration.ZERO).bindTo(registry);

    TestKit probe = new TestKit(system);
    ActorRef echo = system.actorOf(Props.create(Echo.class));
    KqTcp.get(system).manager().tell(TcpMessage.bind(echo, new InetSocketAddress("127.0.0.1", 0), 10), probe.getRef());
    Tcp.Bound bound = probe.expectMsgClass(Duration.ofSeconds(10), Tcp.Bound.class);
    for (int i = 0; i < CLIENTS; i++) {
      try (Socket s = new Socket()) {
        s.connect(bound.localAddress(), 10_000);
        s.setSoTimeout(20_000);
        s.getOutputStream().write(new byte[BYTES]);
        InputStream in = s.getInputStream();
        for (int got = 0; got < BYTES; ) {
          int n = in.read(new byte[BYTES], 0, BYTES - got);
          assertTrue(n > 0);
          got += n;
        }
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (count(registry, "pekko.kq.connections.closed") < CLIENTS) {
      if (System.nanoTime() > deadline) fail("not all closed: " + KqTcp.get(system).metrics());
      Thread.sleep(10);
    }
    assertEquals(CLIENTS, count(registry, "pekko.kq.connections.accepted"));
    assertEquals((double) CLIENTS * BYTES, count(registry, "pekko.kq.data.received"));
    assertEquals((double) CLIENTS * BYTES, count(registry, "pekko.kq.data.sent"));
    assertEquals(0.0, registry.get("pekko.kq.connections.open").tag("api", "actor").gauge().value());
    assertEquals(1.0, registry.get("pekko.kq.listeners.open").tag("api", "actor").gauge().value());
    assertEquals(0.0, registry.get("pekko.kq.connections.accepted").tag("api", "streams").functionCounter().count());
    assertEquals("test", registry.get("pekko.kq.data.received").tag("api", "actor").functionCounter().getId().getTag("system"));
    assertEquals(
        0.0,
        registry.get("pekko.kq.connections.connect.errors").tag("api", "actor").tag("cause", "refused")
            .functionCounter().count());
    assertTrue(
        registry.get("pekko.kq.poller.turns").tag("poller", "pekko-kq-poller-0").functionCounter().count() > 0);
    assertTrue(
        registry.get("pekko.kq.poller.turn.longest").tag("poller", "pekko-kq-poller-0").timeGauge()
            .value(TimeUnit.NANOSECONDS) > 0);
  }

  @Test
  void metersShareOneSnapshotForMaxAge() {
    KqMicrometer binder = new KqMicrometer(system, Tags.empty(), Duration.ofHours(1));
    assertSame(binder.snapshot(), binder.snapshot(), "one snapshot within maxAge");
    KqMicrometer fresh = new KqMicrometer(system, Tags.empty(), Duration.ZERO);
    assertNotSame(fresh.snapshot(), fresh.snapshot(), "maxAge zero: a new one each read");
  }

  @Test
  void onPekkosNioTcpTheSocketMetersReadZeroAndThereAreNoPollerMeters() {
    ActorSystem nio =
        ActorSystem.create(
            "KqMicrometerTestNio", com.typesafe.config.ConfigFactory.parseString("pekko.io.kq.native = off"));
    try {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      new KqMicrometer(nio).bindTo(registry);
      assertEquals(0.0, count(registry, "pekko.kq.connections.accepted"));
      assertTrue(registry.find("pekko.kq.poller.turns").meters().isEmpty());
    } finally {
      TestKit.shutdownActorSystem(nio);
    }
  }

  private static double count(SimpleMeterRegistry registry, String name) {
    return registry.get(name).tag("api", "actor").functionCounter().count();
  }
}
