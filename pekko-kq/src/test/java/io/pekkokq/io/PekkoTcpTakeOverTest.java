package io.pekkokq.io;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.io.IO;
import org.apache.pekko.io.Tcp$;
import org.apache.pekko.io.TcpExt;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * {@code pekko.io.kq.take-over-pekko-tcp}: Pekko's own Tcp (classic and Streams) runs on
 * pekko-kq when it is on, is untouched when it is off, and is left in place, with a
 * reason, when it already existed. The first test also fails, by name, if a Pekko version
 * changes what the take-over relies on.
 */
class PekkoTcpTakeOverTest {

  @Test
  void pekkoStillHasWhatTheTakeOverReliesOn() throws Exception {
    ActorSystem system = ActorSystem.create("TakeOverShape", ConfigFactory.parseString("pekko.loglevel = WARNING"));
    try {
      assertNotNull(PekkoTcpTakeOver.registryOf((ExtendedActorSystem) system),
          "ActorSystemImpl no longer keeps its extensions in a ConcurrentHashMap field named 'extensions'");
      Method manager = TcpExt.class.getMethod("manager");
      assertFalse(Modifier.isFinal(manager.getModifiers()), "TcpExt.manager() became final");
      assertEquals(ActorRef.class, manager.getReturnType());
      assertNotNull(TcpExt.class.getConstructor(ExtendedActorSystem.class), "TcpExt(ExtendedActorSystem) is gone");
    } finally {
      terminate(system);
    }
  }

  @Test
  void whenOnPekkosTcpAndItsStreamsRunOnPekkoKq() throws Exception {
    ActorSystem system = ActorSystem.create("TakeOverOn",
        ConfigFactory.parseString("pekko.loglevel = WARNING\npekko.io.kq.take-over-pekko-tcp = on")
            .withFallback(ConfigFactory.load()));
    try {
      assertTrue(PekkoTcpTakeOver.get(system).active(), PekkoTcpTakeOver.get(system).reason());
      ActorRef kqManager = KqTcp.get(system).manager();
      assertSame(kqManager, org.apache.pekko.io.Tcp.get(system).manager());
      assertSame(kqManager, org.apache.pekko.io.Tcp.get(system).getManager());
      assertSame(kqManager, IO.apply(Tcp$.MODULE$, system));

      // Pekko Streams' own Tcp, unchanged, binds and echoes through pekko-kq's manager
      Tcp.ServerBinding binding = Tcp.get(system).bind("127.0.0.1", 0)
          .to(Sink.foreach(c -> c.handleWith(Flow.of(ByteString.class), system)))
          .run(system).toCompletableFuture().get(30, TimeUnit.SECONDS);
      int openBefore = KqTcp.get(system).openChannels();
      assertTrue(openBefore >= 1, "the listener is one of pekko-kq's channels");
      ByteString echoed = Source.single(ByteString.fromString("through pekko-kq"))
          .via(Tcp.get(system).outgoingConnection("127.0.0.1", binding.localAddress().getPort()))
          .runFold(ByteString.emptyByteString(), ByteString::concat, system)
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals("through pekko-kq", echoed.utf8String());
      binding.unbind().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      terminate(system);
    }
  }

  @Test
  void whenOffPekkosTcpIsItsOwn() throws Exception {
    ActorSystem system = ActorSystem.create("TakeOverOff", ConfigFactory.parseString("pekko.loglevel = WARNING"));
    try {
      assertFalse(PekkoTcpTakeOver.get(system).active());
      assertSame(TcpExt.class, org.apache.pekko.io.Tcp.get(system).getClass());
    } finally {
      terminate(system);
    }
  }

  @Test
  void whenPekkosTcpAlreadyExistedItIsLeftInPlaceWithAReason() throws Exception {
    // Pekko's Tcp listed before the take-over: it exists by the time the take-over runs,
    // as it does when Artery TCP binds during system start
    ActorSystem system = ActorSystem.create("TakeOverLate", ConfigFactory.parseString(
            "pekko.loglevel = ERROR\npekko.io.kq.take-over-pekko-tcp = on\n"
                + "pekko.library-extensions = [\"org.apache.pekko.io.Tcp\"] ${pekko.library-extensions}")
        .withFallback(ConfigFactory.defaultReference()).resolve());
    try {
      PekkoTcpTakeOver takeOver = PekkoTcpTakeOver.get(system);
      assertFalse(takeOver.active());
      assertTrue(takeOver.reason().contains("already existed"), takeOver.reason());
      assertSame(TcpExt.class, org.apache.pekko.io.Tcp.get(system).getClass());
    } finally {
      terminate(system);
    }
  }

  @Test
  void whenPekkoKqIsNotNativeItIsRefusedWithAReason() throws Exception {
    ActorSystem system = ActorSystem.create("TakeOverNio", ConfigFactory.parseString(
            "pekko.loglevel = ERROR\npekko.io.kq.take-over-pekko-tcp = on\npekko.io.kq.native = off")
        .withFallback(ConfigFactory.load()));
    try {
      PekkoTcpTakeOver takeOver = PekkoTcpTakeOver.get(system);
      assertFalse(takeOver.active());
      assertTrue(takeOver.reason().contains("NIO"), takeOver.reason());
      assertSame(TcpExt.class, org.apache.pekko.io.Tcp.get(system).getClass());
    } finally {
      terminate(system);
    }
  }

  private static void terminate(ActorSystem system) throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
