package io.pekkokq.io;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * Actors and stream stages on the pollers' dispatchers: where they run, which dispatcher a
 * handler is told to use, and that the pool placement (worker-dispatcher set to a Pekko
 * dispatcher) still works.
 */
class PollerDispatcherTest {

  /** Echoes and records the thread of each Received. */
  static final class RecordingEcho extends AbstractActor {
    private final ConcurrentLinkedQueue<String> threads;

    RecordingEcho(ConcurrentLinkedQueue<String> threads) {
      this.threads = threads;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Received.class, r -> {
            threads.add(Thread.currentThread().getName());
            getSender().tell(TcpMessage.write(r.data()), getSelf());
          })
          .match(Tcp.ConnectionClosed.class, c -> getContext().stop(getSelf()))
          .build();
    }
  }

  /** Creates each handler on the dispatcher KqTcpExt.dispatcherOf names for its connection. */
  static final class Server extends AbstractActor {
    private final ConcurrentLinkedQueue<String> threads;
    private final ConcurrentLinkedQueue<String> dispatchers;

    Server(ConcurrentLinkedQueue<String> threads, ConcurrentLinkedQueue<String> dispatchers) {
      this.threads = threads;
      this.dispatchers = dispatchers;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Connected.class, c -> {
            String dispatcher = KqTcp.get(getContext().getSystem()).dispatcherOf(getSender());
            dispatchers.add(dispatcher);
            ActorRef handler =
                getContext().actorOf(
                    Props.create(RecordingEcho.class, () -> new RecordingEcho(threads))
                        .withDispatcher(dispatcher));
            getSender().tell(TcpMessage.register(handler), getSelf());
          })
          .build();
    }
  }

  private static void echoOnce(InetSocketAddress address, String text) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(address, 5000);
      s.setSoTimeout(5000);
      s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
      byte[] back = new byte[text.length()];
      InputStream in = s.getInputStream();
      int off = 0;
      while (off < back.length) {
        int n = in.read(back, off, back.length - off);
        assertTrue(n > 0, "echo ended early");
        off += n;
      }
      assertEquals(text, new String(back, StandardCharsets.UTF_8));
    }
  }

  private static InetSocketAddress bindServer(
      ActorSystem system, ConcurrentLinkedQueue<String> threads, ConcurrentLinkedQueue<String> dispatchers) {
    TestKit probe = new TestKit(system);
    ActorRef server = system.actorOf(Props.create(Server.class, () -> new Server(threads, dispatchers)));
    KqTcp.get(system).manager().tell(
        TcpMessage.bind(server, new InetSocketAddress("127.0.0.1", 0), 100), probe.getRef());
    return probe.expectMsgClass(Duration.ofSeconds(5), Tcp.Bound.class).localAddress();
  }

  @Test
  void byDefaultAHandlerOnItsConnectionsDispatcherRunsOnThatPollersThread() throws Exception {
    // Sharding off: 4 connections spread round-robin are sure to reach both pollers, while
    // the kernel's hash over two shards would put all 4 on one in 1 run of 8
    // (ListenerShardingTest covers the sharded placement with 64).
    ActorSystem system =
        ActorSystem.create(
            "poller-dispatch",
            ConfigFactory.parseString("pekko.io.kq.pollers = 2\npekko.io.kq.tcp.listener-sharding = off"));
    try {
      ConcurrentLinkedQueue<String> threads = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<String> dispatchers = new ConcurrentLinkedQueue<>();
      InetSocketAddress address = bindServer(system, threads, dispatchers);
      for (int i = 0; i < 4; i++) echoOnce(address, "hello " + i);
      assertEquals(4, threads.size());
      for (String dispatcher : dispatchers) {
        assertTrue(dispatcher.matches("pekko\\.io\\.kq\\.poller-[01]"), dispatcher);
      }
      assertEquals(2, dispatchers.stream().distinct().count(), "connections are spread over both pollers");
      for (String thread : threads) {
        assertTrue(thread.matches("pekko-kq-poller-[01]"), "handler ran on " + thread);
      }
      KqTcpExt ext = KqTcp.get(system);
      assertEquals("pekko.io.kq.poller-1", ext.pollerDispatcher(1));
      assertThrows(IllegalArgumentException.class, () -> ext.pollerDispatcher(2));
      assertEquals(
          "pekko.actor.default-dispatcher",
          ext.dispatcherOf(new TestKit(system).getRef()),
          "an actor that is no socket of ours gets Pekko's default");
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }

  @Test
  void aSystemWithConnectionsAndHandlersOnThePollersTerminatesAndStopsThePollers() throws Exception {
    // The manager on poller 0 too: it stops the pollers from poller 0's own thread.
    ActorSystem system =
        ActorSystem.create(
            "poller-shutdown",
            ConfigFactory.parseString("pekko.io.kq.pollers = 2\npekko.io.kq.management-dispatcher = poller"));
    KqTcpExt ext = KqTcp.get(system);
    ConcurrentLinkedQueue<String> threads = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> dispatchers = new ConcurrentLinkedQueue<>();
    InetSocketAddress address = bindServer(system, threads, dispatchers);
    Socket[] open = new Socket[100];
    try {
      for (int i = 0; i < open.length; i++) {
        open[i] = new Socket();
        open[i].connect(address, 5000);
      }
      echoOnce(address, "still answering with 100 connections open");
      TestKit.shutdownActorSystem(system, scala.concurrent.duration.Duration.create(20, TimeUnit.SECONDS), true);
      for (int i = 0; i < ext.pollers().size(); i++) {
        assertFalse(ext.pollers().get(i).isRunning(), "poller " + i + " stopped with the system");
      }
      // Each connection actor closed its socket on the way down (stopped without a close
      // command: reset, as Pekko does), so every client sees the end instead of a timeout.
      for (Socket s : open) {
        s.setSoTimeout(5000);
        try {
          assertEquals(-1, s.getInputStream().read(), "the server side closed");
        } catch (java.net.SocketException reset) {
          assertTrue(String.valueOf(reset.getMessage()).contains("reset"), reset.toString());
        }
      }
    } finally {
      for (Socket s : open) if (s != null) s.close();
    }
  }

  /** Blocks its thread for as long as it is told: what must never run on a poller. */
  static final class Sleeper extends AbstractActor {
    @Override
    public Receive createReceive() {
      return receiveBuilder().match(Long.class, millis -> Thread.sleep(millis)).build();
    }
  }

  @Test
  void anActorThatBlocksAPollerIsReportedWithThePollersStack() throws Exception {
    ActorSystem system =
        ActorSystem.create(
            "blocked-poller", ConfigFactory.parseString("pekko.io.kq.blocked-poller-warning = 200ms"));
    try {
      TestKit probe = new TestKit(system);
      system.getEventStream().subscribe(probe.getRef(), org.apache.pekko.event.Logging.Warning.class);
      String dispatcher = KqTcp.get(system).pollerDispatcher(0);
      ActorRef sleeper = system.actorOf(Props.create(Sleeper.class).withDispatcher(dispatcher));
      sleeper.tell(1500L, ActorRef.noSender());
      Object warning =
          probe.fishForMessage(
              Duration.ofSeconds(5),
              "a warning about the blocked poller",
              m -> m instanceof org.apache.pekko.event.Logging.Warning
                  && String.valueOf(((org.apache.pekko.event.Logging.Warning) m).message())
                      .contains("pekko-kq-poller-0 has been busy"));
      String text = String.valueOf(((org.apache.pekko.event.Logging.Warning) warning).message());
      assertTrue(text.contains("Thread.sleep"), "the report shows where the poller thread is: " + text);
      assertTrue(text.contains("pekko.io.kq.poller-0"), text);
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }

  @Test
  void blockedPollerWarningCanBeSwitchedOffButNotSetToNothing() {
    ActorSystem off =
        ActorSystem.create("watchdog-off", ConfigFactory.parseString("pekko.io.kq.blocked-poller-warning = off"));
    try {
      assertNull(KqTcp.get(off).settings().blockedPollerWarning);
    } finally {
      TestKit.shutdownActorSystem(off);
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> KqTcpSettings.from(
            ConfigFactory.parseString("pekko.io.kq.blocked-poller-warning = 0s")
                .withFallback(ConfigFactory.load())));
  }

  @Test
  void withWorkerDispatcherSetToAPekkoDispatcherSocketsRunThereAndStillEcho() throws Exception {
    ActorSystem system =
        ActorSystem.create(
            "pool-dispatch",
            ConfigFactory.parseString("pekko.io.kq.worker-dispatcher = \"pekko.actor.default-dispatcher\""));
    try {
      ConcurrentLinkedQueue<String> threads = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<String> dispatchers = new ConcurrentLinkedQueue<>();
      InetSocketAddress address = bindServer(system, threads, dispatchers);
      for (int i = 0; i < 3; i++) echoOnce(address, "pool " + i);
      assertEquals(List.of("pekko.actor.default-dispatcher"), dispatchers.stream().distinct().toList());
      for (String thread : threads) {
        assertTrue(thread.contains("default-dispatcher"), "handler ran on " + thread);
      }
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }

  @Test
  void aStreamConnectionRunWithOnPollerThreadRunsItsStagesOnThePoller() throws Exception {
    ActorSystem system = ActorSystem.create("stream-on-poller");
    try {
      Materializer mat = Materializer.createMaterializer(system);
      io.pekkokq.stream.javadsl.KqTcp kq = io.pekkokq.stream.javadsl.KqTcp.get(system);
      ConcurrentLinkedQueue<String> threads = new ConcurrentLinkedQueue<>();
      Flow<ByteString, ByteString, ?> echo =
          Flow.<ByteString>create().map(b -> {
            threads.add(Thread.currentThread().getName());
            return b;
          });
      InetSocketAddress address =
          kq.bind("127.0.0.1", 0)
              .to(Sink.foreach(c -> c.flow().join(echo).withAttributes(kq.onPollerThread()).run(mat)))
              .run(mat)
              .toCompletableFuture()
              .get(5, TimeUnit.SECONDS)
              .localAddress();
      echoOnce(address, "stream on the poller");
      assertFalse(threads.isEmpty());
      // Whichever poller onPollerThread() chose (the default may give several), all on it.
      String first = threads.peek();
      assertTrue(first.matches("pekko-kq-poller-\\d+"), first);
      for (String thread : threads) assertEquals(first, thread);
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }
}
