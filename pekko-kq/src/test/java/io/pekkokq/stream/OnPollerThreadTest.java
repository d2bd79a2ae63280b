package io.pekkokq.stream;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.stream.impl.OneIslandPlacement;
import io.pekkokq.stream.javadsl.KqTcp;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.event.Logging;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SystemMaterializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp.IncomingConnection;
import org.apache.pekko.stream.javadsl.Tcp.ServerBinding;
import org.apache.pekko.stream.snapshot.MaterializerState;
import org.apache.pekko.stream.snapshot.StreamSnapshot;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * A connection's graph on its poller's thread: {@code KqTcp.handleOnPollerThread} runs the
 * connection stage and the handler as ONE interpreter actor on the poller's thread, where
 * {@code withAttributes(onPollerThread())} costs Pekko two (docs/streams.md, "On the
 * poller thread").
 *
 * <p>Interpreter actors are counted from Pekko's own lifecycle events ({@code
 * pekko.actor.debug.lifecycle}: every actor publishes "started" on the event stream as it
 * starts), so one that stops at once (an island with no stages) counts too. The count is
 * read after a barrier: a stream snapshot of the materializer asks every interpreter
 * actor it supervises, which answers only after it started, and the counter is asked
 * after that, so every start event is in its mailbox before the question.
 */
class OnPollerThreadTest {
  private static final int CONNECTIONS = 3;

  /** Counts the interpreter actors that started. */
  static final class InterpreterStarts extends AbstractActor {
    private int started;

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Logging.Debug.class, d -> {
            if (d.logClass().getName().endsWith(".ActorGraphInterpreter")
                && String.valueOf(d.message()).startsWith("started")) started++;
          })
          .matchEquals("count", m -> getSender().tell(started, getSelf()))
          .build();
    }
  }

  /** How a test runs a connection's graph with {@code handler}. */
  interface Placement {
    void run(KqTcp kq, IncomingConnection c, Flow<ByteString, ByteString, NotUsed> handler, Materializer mat);
  }

  /** What running CONNECTIONS connections with one placement showed. */
  static final class Observed {
    int interpretersStarted;
    final List<String> handlerThreads = new ArrayList<>();
    final List<List<String>> interpreters = new ArrayList<>();
  }

  private static Observed connectWith(Placement placement) throws Exception {
    ActorSystem system =
        ActorSystem.create(
            "on-poller",
            ConfigFactory.parseString("pekko.io.kq.pollers = 2\npekko.actor.debug.lifecycle = on"));
    try {
      KqTcp kq = KqTcp.get(system);
      Materializer mat = SystemMaterializer.get(system).materializer();
      ActorRef counter = system.actorOf(Props.create(InterpreterStarts.class, InterpreterStarts::new));
      system.getEventStream().subscribe(counter, Logging.Debug.class);
      ConcurrentLinkedQueue<String> threads = new ConcurrentLinkedQueue<>();
      Flow<ByteString, ByteString, NotUsed> handler =
          Flow.of(ByteString.class).map(b -> {
            threads.add(Thread.currentThread().getName());
            return b;
          });
      ServerBinding binding =
          kq.bind("127.0.0.1", 0, 100, List.of(), false, Optional.empty())
              .to(Sink.foreach(c -> placement.run(kq, c, handler, mat)))
              .run(mat)
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      InetSocketAddress address = binding.localAddress();
      List<Socket> open = new ArrayList<>();
      try {
        // a first connection: whatever runs once per materializer runs here
        open.add(echoOnce(address, "warm"));
        int before = countAfterBarrier(system, mat, counter);
        threads.clear();
        for (int i = 0; i < CONNECTIONS; i++) open.add(echoOnce(address, "hello " + i));
        Observed o = new Observed();
        o.interpretersStarted = countAfterBarrier(system, mat, counter) - before;
        o.handlerThreads.addAll(threads);
        for (StreamSnapshot s : snapshots(mat)) {
          for (var interpreter : CollectionConverters.asJava(s.activeInterpreters())) {
            List<String> labels = new ArrayList<>();
            for (var logic : CollectionConverters.asJava(interpreter.logics())) labels.add(logic.label());
            o.interpreters.add(labels);
          }
        }
        return o;
      } finally {
        for (Socket s : open) s.close();
        binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }

  private static List<StreamSnapshot> snapshots(Materializer mat) throws Exception {
    return new ArrayList<>(
        CollectionConverters.asJava(
            FutureConverters.asJava(MaterializerState.streamSnapshots(mat)).toCompletableFuture().get(10, TimeUnit.SECONDS)));
  }

  private static int countAfterBarrier(ActorSystem system, Materializer mat, ActorRef counter) throws Exception {
    snapshots(mat); // every interpreter alive has started; one already stopped had started too
    return (Integer) Patterns.ask(counter, "count", Duration.ofSeconds(10)).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Socket echoOnce(InetSocketAddress address, String text) throws Exception {
    Socket s = new Socket();
    s.connect(address, 5000);
    s.setSoTimeout(10_000);
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
    return s;
  }

  @Test
  void handleOnPollerThreadRunsEachConnectionAsOneInterpreterOnAPollerThread() throws Exception {
    Observed o = connectWith((kq, c, handler, mat) -> kq.handleOnPollerThread(c, handler, mat));
    assertEquals(CONNECTIONS, o.interpretersStarted, "interpreter actors started for " + CONNECTIONS + " connections");
    assertEquals(CONNECTIONS, o.handlerThreads.size());
    for (String thread : o.handlerThreads) {
      assertTrue(thread.matches("pekko-kq-poller-[01]"), "the handler ran on " + thread);
    }
    long fused =
        o.interpreters.stream()
            .filter(labels -> labels.stream().anyMatch(l -> l.contains("KqIncomingConnection"))
                && labels.stream().anyMatch(l -> l.contains("map(")))
            .count();
    assertEquals(CONNECTIONS + 1, fused, "connection stage and handler in one interpreter: " + o.interpreters);
  }

  @Test
  void theDispatcherAttributeOnTheWholeGraphCostsPekkoASecondInterpreterPerConnection() throws Exception {
    // The evidence behind handleOnPollerThread (and proof the count above sees an extra
    // interpreter): Pekko makes the graph an island of its own inside an empty root one.
    Observed o =
        connectWith((kq, c, handler, mat) -> c.flow().join(handler).withAttributes(kq.onPollerThread()).run(mat));
    assertEquals(2 * CONNECTIONS, o.interpretersStarted);
    for (String thread : o.handlerThreads) {
      assertTrue(thread.matches("pekko-kq-poller-[01]"), "the handler ran on " + thread);
    }
  }

  @Test
  void theDefaultsReadByTheProbeAreTheMaterializersOwn() {
    ActorSystem system =
        ActorSystem.create(
            "on-poller-defaults",
            ConfigFactory.parseString("pekko.stream.materializer.max-input-buffer-size = 4"));
    try {
      Materializer mat = Materializer.createMaterializer(system);
      Attributes defaults = new OneIslandPlacement().defaultsOf(mat);
      Attributes.InputBuffer buffer = defaults.getAttribute(Attributes.InputBuffer.class).orElseThrow();
      assertEquals(4, buffer.max(), "the configured input buffer");
      // INTERNAL API, read only to check that nothing of the materializer's defaults is lost
      assertEquals(
          ((org.apache.pekko.stream.impl.PhasedFusingActorMaterializer) mat).defaultAttributes(), defaults);
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }
}
