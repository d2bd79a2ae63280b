package io.pekkokq.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pekkokq.stream.javadsl.KqTcp;
import io.pekkokq.sys.LibKqueue;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.BindFailedException;
import org.apache.pekko.stream.StreamTcpException;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp.OutgoingConnection;
import org.apache.pekko.stream.javadsl.Tcp.ServerBinding;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The Streams variants of the reliability cases, on {@code io.pekkokq.stream.javadsl.KqTcp}:
 * each connection is a stage owning its socket, so these exercise a second owner of
 * descriptors and readiness, with the same properties asked of the actor API.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StreamsReliabilityTest extends ReliabilityFixture {
  private final List<AutoCloseable> peers = new ArrayList<>();
  private final List<String> results = new ArrayList<>();

  @AfterEach
  void closePeers() throws Exception {
    for (AutoCloseable c : peers) {
      try {
        c.close();
      } catch (IOException ignored) {
        // best effort
      }
    }
  }

  private void result(String what, Object outcome) {
    results.add(what + " -> " + outcome);
  }

  @AfterEach
  void reportResults(TestInfo info) {
    if (!results.isEmpty()) {
      report("streams: " + info.getDisplayName().replace("()", ""), results.size() + " checks",
          "PASS: " + String.join("; ", results));
    }
  }

  private KqTcp tcp() {
    return KqTcp.get(system);
  }

  static <T> T await(CompletionStage<T> stage, long seconds) throws Exception {
    return stage.toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }

  private static Throwable failureOf(CompletionStage<?> stage, long seconds) throws Exception {
    try {
      Object v = stage.toCompletableFuture().get(seconds, TimeUnit.SECONDS);
      fail("expected a failure, got " + v);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  private InetSocketAddress bindEchoStream() throws Exception {
    ServerBinding b = await(tcp().bindAndHandle(Flow.of(ByteString.class), HOST, 0), 10);
    return b.localAddress();
  }

  // ---- stale events -------------------------------------------------------------------

  /** Server side of one connection: learns the id from the first bytes, checks every byte. */
  static final class Checker {
    final ConcurrentLinkedQueue<String> violations;
    ByteString head = ByteString.emptyByteString();
    byte[] unit;
    long offset;
    boolean early;

    Checker(ConcurrentLinkedQueue<String> violations) {
      this.violations = violations;
    }

    ByteString check(ByteString data) {
      ByteString check = data;
      if (unit == null) {
        head = head.concat(data);
        if (head.size() < StaleEventsTest.UNIT) return data;
        unit = head.take(StaleEventsTest.UNIT).toArray();
        int id = Integer.parseInt(new String(unit, 1, 7, StandardCharsets.US_ASCII));
        early = id % 7 == 0;
        check = head;
      }
      for (byte b : check.toArray()) {
        if (b != unit[(int) (offset % StaleEventsTest.UNIT)]) {
          violations.add("server stage for " + new String(unit, StandardCharsets.US_ASCII) + " got a foreign byte at " + offset);
          break;
        }
        offset++;
      }
      return data;
    }
  }

  @Test
  void staleEvents() throws Exception {
    start("streams-stale");
    int total = scaled(3000);
    int concurrency = 100;
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    ServerBinding binding = await(tcp().bindWithHandler(c -> {
      Checker checker = new Checker(violations);
      // Every seventh client is closed by the server after its first chunk.
      return Flow.of(ByteString.class).map(checker::check).takeWhile(x -> !checker.early, true);
    }, HOST, 0), 10);
    InetSocketAddress server = binding.localAddress();
    int fdsBefore = openFds();
    long t0 = System.nanoTime();
    List<String> outcomes = await(Source.range(0, total - 1)
        .mapAsyncUnordered(concurrency, id -> {
          int mode = id % 4; // 0: whole echo, 1: cancel after the first chunk, 2: upstream fails, 3: whole echo
          byte[] payload = StaleEventsTest.payloadOf(id, StaleEventsTest.UNIT + (id * 7919) % (48 * 1024));
          Source<ByteString, NotUsed> out = Source.from(List.of(
              ByteString.fromArray(payload, 0, payload.length / 2),
              ByteString.fromArray(payload, payload.length / 2, payload.length - payload.length / 2)));
          if (mode == 2) out = out.concat(Source.failed(new RuntimeException("client " + id + " aborts")));
          Source<ByteString, NotUsed> in = out.via(tcp().outgoingConnection(server, Optional.empty(), List.of(), true,
              Optional.empty(), Optional.empty())).mapMaterializedValue(m -> NotUsed.getInstance());
          if (mode == 1) in = in.take(1);
          AtomicLong offset = new AtomicLong();
          return in.runForeach(data -> {
                for (byte b : data.toArray()) {
                  long o = offset.getAndIncrement();
                  if (o >= payload.length || b != payload[(int) o]) {
                    violations.add("client " + id + " got a foreign byte at " + o);
                    break;
                  }
                }
              }, system)
              .handle((done, failure) -> {
                if (failure == null && (mode == 0 || mode == 3) && id % 7 != 0 && offset.get() != payload.length) {
                  violations.add("client " + id + " completed after " + offset.get() + " of " + payload.length + " bytes");
                }
                return failure == null ? "completed" : "failed";
              });
        })
        .runWith(Sink.seq(), system), 120);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertEquals(total, outcomes.size());
    assertTrue(violations.isEmpty(), () -> violations.size() + " misdeliveries, first: " + violations.peek());
    assertTrue(eventually(T, () -> openFds() <= fdsBefore), () -> "descriptors left: " + (openFds() - fdsBefore));
    assertNoErrorsLogged(null);
    await(binding.unbind(), 10);
    assertEchoWorks("streams stale events");
    long failed = outcomes.stream().filter("failed"::equals).count();
    result(total + " connections, " + concurrency + " at a time (whole echo, cancel early, upstream failure, server closes 1/7)",
        "0 misdeliveries; " + (total - failed) + " completed, " + failed + " failed as asked; " + ms + " ms");
  }

  // ---- churn --------------------------------------------------------------------------

  @Test
  void churn() throws Exception {
    start("streams-churn");
    InetSocketAddress server = bindEchoStream();
    ByteString payload = ByteString.fromString(String.format("%-64s", "a streams cycle"));
    int concurrency = 16;
    AtomicLong failures = new AtomicLong();
    // Warm-up, then measure.
    cycles(server, payload, concurrency, Duration.ofSeconds(2), failures);
    int fdsBefore = openFds();
    long heapBefore = heapAfterGc();
    long directBefore = directUsed();
    Duration duration = scaled(Duration.ofSeconds(12));
    long t0 = System.nanoTime();
    long cycles = cycles(server, payload, concurrency, duration, failures);
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(0, failures.get(), "failed cycles");
    assertTrue(eventually(T, () -> openFds() <= fdsBefore), () -> "descriptors: before " + fdsBefore + ", after " + openFds());
    long heapAfter = heapAfterGc();
    long directAfter = directUsed();
    assertTrue(heapAfter - heapBefore < 32L << 20, () -> "heap after GC grew from " + mib(heapBefore) + " to " + mib(heapAfter));
    assertTrue(directAfter - directBefore <= 1L << 20, () -> "direct grew from " + mib(directBefore) + " to " + mib(directAfter));
    assertNoErrorsLogged(null);
    result(String.format("%d cycles (connect, 64 B echo, close) in %.1f s, %d at a time", cycles, seconds, concurrency),
        String.format("0 failed; fds %d -> %d; heap after GC %s -> %s; direct %s -> %s", fdsBefore, openFds(),
            mib(heapBefore), mib(heapAfter), mib(directBefore), mib(directAfter)));
  }

  private long cycles(InetSocketAddress server, ByteString payload, int concurrency, Duration duration, AtomicLong failures)
      throws Exception {
    long deadline = System.nanoTime() + duration.toNanos();
    AtomicLong cycles = new AtomicLong();
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      CompletableFuture<Void> loop = new CompletableFuture<>();
      loops.add(loop);
      cycleLoop(server, payload, deadline, cycles, failures, loop);
    }
    CompletableFuture.allOf(loops.toArray(new CompletableFuture<?>[0])).get(duration.toSeconds() + 60, TimeUnit.SECONDS);
    return cycles.get();
  }

  private void cycleLoop(InetSocketAddress server, ByteString payload, long deadline, AtomicLong cycles,
      AtomicLong failures, CompletableFuture<Void> loop) {
    if (System.nanoTime() - deadline > 0) {
      loop.complete(null);
      return;
    }
    Source.single(payload)
        .via(tcp().outgoingConnection(server, Optional.empty(), List.of(), true, Optional.empty(), Optional.empty()))
        .runFold(ByteString.emptyByteString(), ByteString::concat, system)
        .whenComplete((echo, failure) -> {
          if (failure == null && echo.equals(payload)) cycles.incrementAndGet();
          else failures.incrementAndGet();
          cycleLoop(server, payload, deadline, cycles, failures, loop);
        });
  }

  // ---- many connections ---------------------------------------------------------------

  @Test
  void manyConnections() throws Exception {
    LibKqueue.skipBecause(LibKqueue.OVERFLOW_DROPPED);
    start("streams-many");
    InetSocketAddress server = bindEchoStream();
    assertEchoWorks("warm-up");
    long limit = fdSoftLimit();
    int fdsBefore = openFds();
    long affordable = limit < 0 ? 5000 : (limit - fdsBefore - 512) / 2;
    int n = (int) Math.min(scaled(5000), affordable);
    Assumptions.assumeTrue(n >= 1000, "skipped: ulimit -n " + limit + " allows only " + n + " connections");
    CompletableFuture<ByteString> release = new CompletableFuture<>();
    AtomicInteger echoed = new AtomicInteger();
    CompletableFuture<Void> allEchoed = new CompletableFuture<>();
    List<CompletionStage<ByteString>> done = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      ByteString line = ByteString.fromString("stream connection " + i + "\n");
      // Stays open (upstream not complete) until release: all n are open at once.
      Source<ByteString, NotUsed> out = Source.single(line)
          .concat(Source.completionStage(release).filter(b -> !b.isEmpty()));
      done.add(out.via(tcp().outgoingConnection(server, Optional.empty(), List.of(), true, Optional.empty(), Optional.empty()))
          .map(b -> b)
          .runFold(ByteString.emptyByteString(), (acc, b) -> {
            ByteString all = acc.concat(b);
            if (all.size() == line.size() && echoed.incrementAndGet() == n) allEchoed.complete(null);
            return all;
          }, system));
    }
    allEchoed.get(120, TimeUnit.SECONDS);
    long echoedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    int fdsAtPeak = openFds();
    // Both ends of every connection are open at once; unrelated descriptors of earlier
    // tests may still be closing in the background, hence the small allowance.
    assertTrue(fdsAtPeak >= fdsBefore + 2 * n - 32, "descriptors at the peak: " + fdsAtPeak + ", before: " + fdsBefore);
    release.complete(ByteString.emptyByteString());
    for (int i = 0; i < n; i++) {
      assertEquals("stream connection " + i + "\n", await(done.get(i), 60).utf8String());
    }
    assertTrue(eventually(T, () -> openFds() <= fdsBefore), () -> "descriptors: before " + fdsBefore + ", after " + openFds());
    assertNoErrorsLogged(null);
    result(n + " concurrent connections (" + 2 * n + " sockets)",
        "all open and echoed at " + echoedMs + " ms (" + fdsAtPeak + " fds), all closed; fds back to " + openFds());
  }

  // ---- integrity and slow reader ------------------------------------------------------

  @Test
  void integrity() throws Exception {
    start("streams-integrity");
    long total = scaled(256L << 20);
    CompletableFuture<String> atServer = new CompletableFuture<>();
    ServerBinding binding = await(tcp().bindWithHandler(c -> {
      MessageDigest sha = sha256();
      return Flow.of(ByteString.class)
          .map(b -> {
            for (java.nio.ByteBuffer bb : b.getByteBuffers()) sha.update(bb);
            return b;
          })
          .watchTermination((m, f) -> {
            f.thenRun(() -> atServer.complete(HexFormat.of().formatHex(sha.digest())));
            return m;
          });
    }, HOST, 0), 10);
    MessageDigest sent = sha256();
    MessageDigest back = sha256();
    Random random = new Random(17);
    AtomicLong written = new AtomicLong();
    AtomicInteger elements = new AtomicInteger();
    long t0 = System.nanoTime();
    Source<ByteString, NotUsed> data = Source.repeat(0)
        .takeWhile(x -> written.get() < total)
        .map(x -> {
          ByteString slice = IntegrityTest.randomSlice(random, (int) Math.min(2 << 20, total - written.get()));
          for (java.nio.ByteBuffer bb : slice.getByteBuffers()) sent.update(bb);
          written.addAndGet(slice.size());
          elements.incrementAndGet();
          return slice;
        });
    long received = await(data.via(tcp().outgoingConnection(binding.localAddress(), Optional.empty(), List.of(), true,
            Optional.empty(), Optional.empty()))
        .runFold(0L, (n, b) -> {
          for (java.nio.ByteBuffer bb : b.getByteBuffers()) back.update(bb);
          return n + b.size();
        }, system), 150);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    String sentHex = HexFormat.of().formatHex(sent.digest());
    assertEquals(total, received, "bytes echoed");
    assertEquals(sentHex, await(atServer, 10), "SHA-256 at the server");
    assertEquals(sentHex, HexFormat.of().formatHex(back.digest()), "SHA-256 of the echo");
    assertNoErrorsLogged(null);
    result(mib(total) + " each way in " + elements.get() + " elements of 1 B..2 MiB",
        String.format("SHA-256 equal at sender, server and echo; %d ms, %.0f MiB/s", ms, total / 1048576.0 / (ms / 1000.0)));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void slowReader() throws Exception {
    start("streams-slow-reader");
    assertEchoWorks("warm-up");
    long total = scaled(256L << 20);
    int rate = (int) SlowReaderTest.RATE;
    CompletableFuture<String> atServer = new CompletableFuture<>();
    AtomicLong read = new AtomicLong();
    ServerBinding binding = await(tcp().bindWithHandler(c -> {
      MessageDigest sha = sha256();
      // Reads at RATE bytes a second, answers nothing; closes when the client completes.
      return Flow.of(ByteString.class)
          .throttle(rate, Duration.ofSeconds(1), ByteString::size)
          .map(b -> {
            for (java.nio.ByteBuffer bb : b.getByteBuffers()) sha.update(bb);
            read.addAndGet(b.size());
            return b;
          })
          .filter(b -> false)
          .watchTermination((m, f) -> {
            f.thenRun(() -> atServer.complete(HexFormat.of().formatHex(sha.digest())));
            return m;
          });
    }, HOST, 0), 10);
    long heapBefore = heapAfterGc();
    long directBefore = directUsed();
    AtomicBoolean sampling = new AtomicBoolean(true);
    AtomicLong peakDirect = new AtomicLong(directBefore);
    AtomicLong peakHeap = new AtomicLong(heapBefore);
    Thread sampler = new Thread(() -> {
      long lastGc = System.nanoTime();
      while (sampling.get()) {
        peakDirect.accumulateAndGet(directUsed(), Math::max);
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
    MessageDigest sent = sha256();
    Random random = new Random(23);
    long t0 = System.nanoTime();
    int chunks = (int) (total >> 20);
    await(Source.range(1, chunks)
        .map(i -> {
          int offset = random.nextInt(IntegrityTest.POOL.length - (1 << 20) + 1);
          ByteString slice = ByteString.fromArray(IntegrityTest.POOL, offset, 1 << 20);
          for (java.nio.ByteBuffer bb : slice.getByteBuffers()) sent.update(bb);
          return slice;
        })
        .via(tcp().outgoingConnection(binding.localAddress(), Optional.empty(), List.of(), true, Optional.empty(), Optional.empty()))
        .runWith(Sink.ignore(), system), 120);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    String serverDigest = await(atServer, 10);
    sampling.set(false);
    sampler.join();
    assertEquals((long) chunks << 20, read.get(), "bytes read");
    assertEquals(HexFormat.of().formatHex(sent.digest()), serverDigest, "SHA-256");
    long heapGrowth = peakHeap.get() - heapBefore;
    long directGrowth = peakDirect.get() - directBefore;
    assertTrue(directGrowth < 32L << 20, () -> "direct grew by " + mib(directGrowth));
    assertTrue(heapGrowth < 64L << 20, () -> "heap after GC grew by " + mib(heapGrowth));
    assertNoErrorsLogged(null);
    result(mib((long) chunks << 20) + " in 1 MiB elements to a server stage throttled to " + mib(rate) + "/s",
        String.format("SHA-256 equal; %d ms; peak growth: heap after GC %s, direct %s", ms,
            mib(Math.max(0, heapGrowth)), mib(Math.max(0, directGrowth))));
  }

  // ---- peer faults --------------------------------------------------------------------

  private ServerSocket rawServer(int backlog) throws IOException {
    ServerSocket s = new ServerSocket();
    peers.add(s);
    s.bind(new InetSocketAddress(HOST, 0), backlog);
    s.setSoTimeout(10_000);
    return s;
  }

  private Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> to(ServerSocket s, Optional<Duration> timeout) {
    return tcp().outgoingConnection((InetSocketAddress) s.getLocalSocketAddress(), Optional.empty(), List.of(), true,
        timeout, Optional.empty());
  }

  private static void reset(Socket s) throws IOException {
    s.setSoLinger(true, 0);
    s.close();
  }

  @Test
  void peerFaults() throws Exception {
    start("streams-peer-faults");
    ServerSocket server = rawServer(50);

    // Reset while we write: the stream fails with StreamTcpException.
    ByteString chunk = ByteString.fromArray(new byte[256 << 10]);
    CompletionStage<?> writing = Source.repeat(chunk).via(to(server, Optional.empty())).runWith(Sink.ignore(), system);
    Socket peer = server.accept();
    peers.add(peer);
    peer.getInputStream().readNBytes(1 << 20);
    long t0 = System.nanoTime();
    reset(peer);
    Throwable w = failureOf(writing, 10);
    assertInstanceOf(StreamTcpException.class, w);
    result("reset while we write", w + " in " + ms(t0) + " ms");

    // Reset while we read (not on libkqueue, which consumes the socket error: LibKqueue).
    if (LibKqueue.RUNNING) {
      result("reset while we read", "skipped on libkqueue: " + LibKqueue.SO_ERROR_CONSUMED);
    } else {
      AtomicLong got = new AtomicLong();
      CompletableFuture<Void> gotOneMiB = new CompletableFuture<>();
      CompletionStage<?> reading = Source.<ByteString>maybe().via(to(server, Optional.empty()))
          .runForeach(b -> {
            if (got.addAndGet(b.size()) >= 1 << 20) gotOneMiB.complete(null);
          }, system);
      Socket writer = server.accept();
      peers.add(writer);
      CompletableFuture.runAsync(() -> {
        try {
          while (true) writer.getOutputStream().write(new byte[64 << 10]);
        } catch (IOException expected) {
          // the reset ends it
        }
      });
      gotOneMiB.get(10, TimeUnit.SECONDS);
      t0 = System.nanoTime();
      reset(writer);
      Throwable r = failureOf(reading, 10);
      assertInstanceOf(StreamTcpException.class, r);
      result("reset while we read", r + " in " + ms(t0) + " ms");
    }

    // Half-close by the peer: its bytes, then our downstream completes; our upstream may still send.
    CompletableFuture<Optional<ByteString>> upstream = new CompletableFuture<>();
    CompletionStage<ByteString> half = Source.<ByteString>maybe()
        .mapMaterializedValue(p -> upstream.thenAccept(p::complete))
        .via(to(server, Optional.empty()))
        .runFold(ByteString.emptyByteString(), ByteString::concat, system);
    Socket halfPeer = server.accept();
    peers.add(halfPeer);
    halfPeer.getOutputStream().write("hello".getBytes());
    halfPeer.shutdownOutput();
    assertEquals("hello", await(half, 10).utf8String());
    upstream.complete(Optional.empty()); // completing our side: FIN
    halfPeer.setSoTimeout(10_000);
    assertEquals(-1, halfPeer.getInputStream().read(), "the peer reads our FIN");
    result("peer half-closes", "its bytes, downstream completes, our FIN follows when our upstream completes");

    // Refused (not on libkqueue, which consumes the socket error: LibKqueue).
    if (LibKqueue.RUNNING) {
      result("connection refused", "skipped on libkqueue: " + LibKqueue.SO_ERROR_CONSUMED);
    } else {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
        port = s.getLocalPort();
      }
      t0 = System.nanoTime();
      CompletionStage<OutgoingConnection> refused = Source.<ByteString>maybe()
          .viaMat(tcp().outgoingConnection(new InetSocketAddress(HOST, port), Optional.empty(), List.of(), true,
              Optional.empty(), Optional.empty()), Keep.right())
          .to(Sink.ignore()).run(system);
      Throwable ref = failureOf(refused, 10);
      assertInstanceOf(StreamTcpException.class, ref);
      assertInstanceOf(ConnectException.class, ref.getCause());
      result("connection refused", ref + " (cause " + ref.getCause() + ") in " + ms(t0) + " ms");
    }

    // A connect that cannot complete: full accept queue, 500 ms timeout.
    ServerSocket full = rawServer(1);
    int filled = 0;
    for (; filled < 64; filled++) {
      Socket s = new Socket();
      peers.add(s);
      try {
        s.connect(full.getLocalSocketAddress(), 300);
      } catch (SocketTimeoutException e) {
        break;
      }
    }
    Assumptions.assumeTrue(filled < 64, "the accept queue never filled");
    t0 = System.nanoTime();
    CompletionStage<OutgoingConnection> timedOut = Source.<ByteString>maybe()
        .viaMat(to(full, Optional.of(Duration.ofMillis(500))), Keep.right())
        .to(Sink.ignore()).run(system);
    Throwable to = failureOf(timedOut, 10);
    long tookMs = ms(t0);
    assertTrue(tookMs >= 450 && tookMs < 3000, "failed after " + tookMs + " ms");
    result("connect to a full accept queue, 500 ms timeout", to + " in " + tookMs + " ms");
    assertNoErrorsLogged(null);
    assertEchoWorks("streams peer faults");
  }

  private static long ms(long t0) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  // ---- bad input ----------------------------------------------------------------------

  @Test
  void badInput() throws Exception {
    start("streams-bad-input");
    ServerBinding first = await(tcp().bindAndHandle(Flow.of(ByteString.class), HOST, 0), 10);
    Throwable twice = failureOf(tcp().bindAndHandle(Flow.of(ByteString.class), HOST, first.localAddress().getPort()), 10);
    assertInstanceOf(BindFailedException.class, twice);
    result("bind to an address in use", twice + (twice.getCause() != null ? " (cause " + twice.getCause() + ")" : ""));

    Throwable host = failureOf(Source.<ByteString>maybe()
        .viaMat(tcp().outgoingConnection("no-such-host.invalid", 80), Keep.right()).to(Sink.ignore()).run(system), 20);
    assertTrue(host instanceof UnknownHostException || host.getCause() instanceof UnknownHostException, host.toString());
    result("outgoingConnection to an unresolvable host", host + (host.getCause() != null ? " (cause " + host.getCause() + ")" : ""));

    assertThrows(IllegalArgumentException.class, () -> tcp().bind(HOST, 70000));
    result("bind to port 70000", "IllegalArgumentException at the call");
    assertThrows(NullPointerException.class, () -> Source.single(null));
    result("a null element", "NullPointerException at the call (Pekko Streams)");

    // Empty elements and a 10 MiB element arrive intact.
    ServerSocket raw = rawServer(10);
    byte[] big = new byte[10 << 20];
    new Random(3).nextBytes(big);
    CompletionStage<?> sent = Source.from(List.of(ByteString.emptyByteString(), ByteString.fromArray(big), ByteString.emptyByteString()))
        .via(to(raw, Optional.empty())).runWith(Sink.ignore(), system);
    Socket peer = raw.accept();
    peers.add(peer);
    byte[] got = peer.getInputStream().readAllBytes(); // our FIN follows the last element
    assertArrayEquals(big, got);
    peer.close();
    await(sent, 10);
    result("empty elements around one 10 MiB element", "10 MiB arrive intact, then FIN");
    assertNoErrorsLogged("bind .*failed|Bind failed");
    assertEchoWorks("streams bad input");
  }

  // ---- shutdown -----------------------------------------------------------------------

  @Test
  void shutdownWithAThousandOpenStreamConnections() throws Exception {
    int n = scaled(1000);
    Set<Thread> pollersBefore = new HashSet<>(pollerThreads());
    // Warm-up system: classes and jars stay loaded (and open) after it.
    ActorSystem warm = newSystem("streams-shutdown-warm-up", "");
    openStreamConnections(warm, 10);
    warm.terminate();
    warm.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    int fdsBefore = openFds();
    ActorSystem s = newSystem("streams-shutdown", "pekko.io.kq.pollers = 2");
    openStreamConnections(s, n);
    Set<Thread> ours = new HashSet<>(pollerThreads());
    ours.removeAll(pollersBefore);
    int fdsOpen = openFds();
    long t0 = System.nanoTime();
    s.terminate();
    s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    long terminatedMs = ms(t0);
    boolean closed = eventually(Duration.ofSeconds(5), () -> openFds() <= fdsBefore);
    int fdsAfter = openFds();
    Set<Thread> alive = new HashSet<>();
    for (Thread t : ours) if (t.isAlive()) alive.add(t);
    assertTrue(fdsOpen >= fdsBefore + 2 * n - 32, "descriptors while open: " + fdsOpen + ", before: " + fdsBefore);
    assertTrue(alive.isEmpty(), () -> "poller threads alive after termination: " + alive);
    assertTrue(closed, () -> "descriptors: " + fdsBefore + " before, " + fdsOpen + " open, " + fdsAfter + " after");
    assertTrue(terminatedMs < 15_000, "termination took " + terminatedMs + " ms");
    result(n + " open stream connections (" + 2 * n + " sockets), 2 pollers, terminate()",
        "terminated in " + terminatedMs + " ms; fds " + fdsBefore + " -> " + fdsOpen + " -> " + fdsAfter + "; "
            + ours.size() + " poller threads started, 0 alive after");
  }

  /** n client streams to an echo server, each echoed once and left open. */
  private static void openStreamConnections(ActorSystem s, int n) throws Exception {
    KqTcp kq = KqTcp.get(s);
    InetSocketAddress server = await(kq.bindAndHandle(Flow.of(ByteString.class), HOST, 0), 10).localAddress();
    CompletableFuture<Void> all = new CompletableFuture<>();
    AtomicInteger echoed = new AtomicInteger();
    for (int i = 0; i < n; i++) {
      Source.single(ByteString.fromString("x")).concat(Source.maybe())
          .via(kq.outgoingConnection(server, Optional.empty(), List.of(), true, Optional.empty(), Optional.empty()))
          .runForeach(b -> {
            if (echoed.incrementAndGet() == n) all.complete(null);
          }, s);
    }
    all.get(60, TimeUnit.SECONDS);
  }
}
