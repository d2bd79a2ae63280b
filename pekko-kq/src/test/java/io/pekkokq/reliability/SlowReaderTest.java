package io.pekkokq.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pekkokq.io.KqTcp;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slow reader: a KqTcp client pushes hundreds of MiB with ack-based writes to a KqTcp
 * connection in pull mode that reads at a fixed, low rate. The process's heap (after GC)
 * and direct memory stay bounded, sampled throughout, and every byte arrives (SHA-256).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowReaderTest extends ReliabilityFixture {
  static final long RATE = 64L << 20; // bytes per second the reader allows itself

  enum Ack implements Tcp.Event {
    INSTANCE
  }

  enum Resume {
    INSTANCE
  }

  record Result(String digest, long bytes, long millis) {}

  /** Reads one chunk per ResumeReading, and asks for the next only when the rate allows. */
  static final class SlowReader extends AbstractActor {
    private final ActorRef connection;
    private final CompletableFuture<Result> result;
    private final MessageDigest sha = MessageDigest.getInstance("SHA-256");
    private long bytes;
    private long started;

    SlowReader(ActorRef connection, CompletableFuture<Result> result) throws Exception {
      this.connection = connection;
      this.result = result;
    }

    @Override
    public void preStart() {
      started = System.nanoTime();
      connection.tell(TcpMessage.resumeReading(), getSelf());
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Received.class, r -> {
            for (java.nio.ByteBuffer b : r.data().getByteBuffers()) sha.update(b);
            bytes += r.data().size();
            long due = started + bytes * 1_000_000_000L / RATE;
            long wait = due - System.nanoTime();
            if (wait <= 0) connection.tell(TcpMessage.resumeReading(), getSelf());
            else KqTcp.get(getContext().getSystem()).events().scheduleOnce(Duration.ofNanos(wait), getSelf(), Resume.INSTANCE);
          })
          .matchEquals(Resume.INSTANCE, r -> connection.tell(TcpMessage.resumeReading(), getSelf()))
          .match(Tcp.ConnectionClosed.class, c -> {
            if (c.isPeerClosed()) {
              result.complete(new Result(HexFormat.of().formatHex(sha.digest()), bytes,
                  TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
            } else {
              result.completeExceptionally(new AssertionError("reader: " + c + " after " + bytes));
            }
            getContext().stop(getSelf());
          })
          .build();
    }
  }

  static final class PullServer extends AbstractActor {
    private final CompletableFuture<Result> result;

    PullServer(CompletableFuture<Result> result) {
      this.result = result;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Connected.class, c -> {
            ActorRef connection = getSender();
            ActorRef h = getContext().actorOf(Props.create(SlowReader.class, () -> new SlowReader(connection, result)));
            connection.tell(TcpMessage.register(h), getSelf());
          })
          .build();
    }
  }

  /** Writes 1 MiB slices, the next only on the previous one's ack; closes at the end or the deadline. */
  static final class Pusher extends AbstractActor {
    private final InetSocketAddress server;
    private final ActorRef manager;
    private final long total;
    private final long deadline;
    private final CompletableFuture<Result> result;
    private final MessageDigest sha = MessageDigest.getInstance("SHA-256");
    private final Random random = new Random(5);
    private ActorRef connection;
    private long written;

    Pusher(InetSocketAddress server, ActorRef manager, long total, long deadline, CompletableFuture<Result> result)
        throws Exception {
      this.server = server;
      this.manager = manager;
      this.total = total;
      this.deadline = deadline;
      this.result = result;
    }

    @Override
    public void preStart() {
      manager.tell(TcpMessage.connect(server), getSelf());
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Connected.class, c -> {
            connection = getSender();
            connection.tell(TcpMessage.register(getSelf()), getSelf());
            writeNext();
          })
          .matchEquals(Ack.INSTANCE, a -> writeNext())
          .match(Tcp.ConnectionClosed.class, c -> {
            if (c == Tcp.Closed$.MODULE$) {
              result.complete(new Result(HexFormat.of().formatHex(sha.digest()), written, 0));
            } else {
              result.completeExceptionally(new AssertionError("pusher: " + c + " after " + written));
            }
          })
          .match(Tcp.CommandFailed.class, f -> result.completeExceptionally(new AssertionError("pusher: " + f)))
          .build();
    }

    private void writeNext() {
      if (written >= total || System.nanoTime() - deadline > 0) {
        connection.tell(TcpMessage.close(), getSelf());
        return;
      }
      int size = (int) Math.min(1 << 20, total - written);
      int offset = random.nextInt(IntegrityTest.POOL.length - size + 1);
      ByteString slice = ByteString.fromArray(IntegrityTest.POOL, offset, size);
      for (java.nio.ByteBuffer b : slice.getByteBuffers()) sha.update(b);
      written += size;
      connection.tell(TcpMessage.write(slice, Ack.INSTANCE), getSelf());
    }
  }

  @Test
  void aFastWriterAndASlowReaderKeepMemoryBoundedAndLoseNothing() throws Exception {
    start("slow-reader");
    assertEchoWorks("warm-up");
    long total = scaled(512L << 20);
    Duration bound = Duration.ofSeconds(Math.max(5, (long) (1.5 * total / RATE)));
    long heapBefore = heapAfterGc();
    long directBefore = directUsed();
    long rssBefore = rss();
    // Sample memory while the transfer runs: direct every 50 ms, heap after a GC every second.
    AtomicBoolean sampling = new AtomicBoolean(true);
    AtomicLong peakDirect = new AtomicLong(directBefore);
    AtomicLong peakHeap = new AtomicLong(heapBefore);
    AtomicLong peakRss = new AtomicLong(rssBefore);
    Thread sampler = new Thread(() -> {
      long lastGc = System.nanoTime();
      while (sampling.get()) {
        peakDirect.accumulateAndGet(directUsed(), Math::max);
        peakRss.accumulateAndGet(rss(), Math::max);
        if (System.nanoTime() - lastGc > 1_000_000_000L) {
          System.gc();
          peakHeap.accumulateAndGet(heapAfterLastGc(), Math::max);
          lastGc = System.nanoTime();
        }
        sleep(50);
      }
    }, "memory-sampler");
    sampler.setDaemon(true);
    sampler.start();
    CompletableFuture<Result> read = new CompletableFuture<>();
    CompletableFuture<Result> pushed = new CompletableFuture<>();
    TestKit probe = new TestKit(system);
    probe.send(manager, TcpMessage.bind(
        system.actorOf(Props.create(PullServer.class, () -> new PullServer(read))),
        new InetSocketAddress(HOST, 0), 10, java.util.List.of(), true));
    InetSocketAddress server = probe.expectMsgClass(T, Tcp.Bound.class).localAddress();
    probe.getLastSender().tell(TcpMessage.resumeAccepting(1), probe.getRef()); // pull mode: accept one
    long deadline = System.nanoTime() + bound.toNanos();
    system.actorOf(Props.create(Pusher.class,
        () -> new Pusher(server, manager, total, deadline, pushed)));
    Result sent = pushed.get(bound.toSeconds() + 60, TimeUnit.SECONDS);
    Result got = read.get(bound.toSeconds() + 60, TimeUnit.SECONDS);
    sampling.set(false);
    sampler.join();
    assertEquals(sent.bytes(), got.bytes(), "bytes read");
    assertEquals(sent.digest(), got.digest(), "SHA-256 of what was written and of what was read");
    assertNoErrorsLogged(null);
    long heapGrowth = peakHeap.get() - heapBefore;
    long directGrowth = peakDirect.get() - directBefore;
    // Unbounded buffering would show as growth on the order of the transfer itself.
    assertTrue(directGrowth < 32L << 20, () -> "direct memory grew by " + mib(directGrowth));
    assertTrue(heapGrowth < 64L << 20, () -> "heap after GC grew by " + mib(heapGrowth));
    report("slow reader",
        mib(sent.bytes()) + " in 1 MiB ack-based writes to a pull-mode reader limited to " + mib(RATE) + "/s"
            + (sent.bytes() < total ? " (stopped at the " + bound.toSeconds() + " s bound)" : ""),
        String.format("PASS: SHA-256 equal; read in %d ms (%.0f MiB/s); peak growth over baseline: heap after GC %s, "
                + "direct %s, RSS %s -> peak %s",
            got.millis(), got.bytes() / 1048576.0 / (got.millis() / 1000.0), mib(Math.max(0, heapGrowth)),
            mib(Math.max(0, directGrowth)), mib(rssBefore), mib(peakRss.get())));
  }
}
