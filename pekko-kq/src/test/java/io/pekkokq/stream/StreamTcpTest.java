package io.pekkokq.stream;

import static org.junit.jupiter.api.Assertions.*;

import io.pekkokq.sys.LibKqueue;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BindFailedException;
import org.apache.pekko.stream.StreamTcpException;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.stream.javadsl.Tcp.IncomingConnection;
import org.apache.pekko.stream.javadsl.Tcp.OutgoingConnection;
import org.apache.pekko.stream.javadsl.Tcp.ServerBinding;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.scaladsl.TcpIdleTimeoutException;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Streams TCP behaviour (after Pekko's TcpSpec / javadsl TcpTest, written anew), run as one
 * parameterized suite against Pekko's javadsl Tcp and KqTcp: identical code, only the
 * extension differs. Loopback only; every wait is bounded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamTcpTest {
  private static final String HOST = "127.0.0.1";
  private static ActorSystem system;

  @BeforeAll
  static void start() {
    system =
        ActorSystem.create(
            "StreamTcpTest",
            com.typesafe.config.ConfigFactory.parseString(
                    "pekko.io.tcp.register-timeout = 1s\npekko.io.kq.register-timeout = 1s")
                .withFallback(com.typesafe.config.ConfigFactory.load()));
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  static java.util.stream.Stream<String> drivers() {
    return StreamTcpDriver.drivers();
  }

  private static StreamTcpDriver driver(String name) {
    return StreamTcpDriver.of(name, system);
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return await(stage, 10);
  }

  static <T> T await(CompletionStage<T> stage, int seconds) throws Exception {
    return stage.toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }

  /** The failure of a stage that must fail within 10 s. */
  static Throwable failureOf(CompletionStage<?> stage) throws Exception {
    try {
      Object v = stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
      fail("expected a failure, got " + v);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  static boolean causedBy(Throwable t, Class<?> type) {
    for (Throwable c = t; c != null; c = c.getCause()) if (type.isInstance(c)) return true;
    return false;
  }

  private static ServerBinding echoServer(StreamTcpDriver d, boolean halfClose) throws Exception {
    return await(
        d.bind(HOST, 0, halfClose, Optional.empty())
            .to(Sink.foreach(c -> c.handleWith(Flow.of(ByteString.class), system)))
            .run(system));
  }

  private static ByteString bytes(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return ByteString.fromArrayUnsafe(b);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  // ---- happy cases ------------------------------------------------------------------

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void echoesBytesBothWays(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    ServerBinding binding = echoServer(d, false);
    int port = binding.localAddress().getPort();
    assertTrue(port > 0);
    List<ByteString> chunks = new ArrayList<>();
    ByteString expected = ByteString.emptyByteString();
    for (int i = 0; i < 256; i++) {
      ByteString c = bytes(1 + (i * 37) % 3000, i);
      chunks.add(c);
      expected = expected.concat(c);
    }
    Pair<CompletionStage<OutgoingConnection>, CompletionStage<ByteString>> result =
        Source.from(chunks)
            .viaMat(d.connect(new InetSocketAddress(HOST, port)), Keep.right())
            .toMat(Sink.fold(ByteString.emptyByteString(), ByteString::concat), Keep.both())
            .run(system);
    OutgoingConnection connection = await(result.first());
    assertEquals(port, connection.remoteAddress().getPort());
    assertTrue(connection.localAddress().getPort() > 0);
    assertEquals(expected, await(result.second()));
    await(binding.unbind());
    await(binding.whenUnbound());
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void connectsByHostNameAndReusesTheFlow(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    ServerBinding binding = echoServer(d, false);
    Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> client =
        d.connect(HOST, binding.localAddress().getPort());
    // One flow, materialized twice: two connections with different local ports.
    Pair<CompletionStage<OutgoingConnection>, CompletionStage<ByteString>> a =
        Source.single(ByteString.fromString("one")).viaMat(client, Keep.right())
            .toMat(Sink.fold(ByteString.emptyByteString(), ByteString::concat), Keep.both()).run(system);
    Pair<CompletionStage<OutgoingConnection>, CompletionStage<ByteString>> b =
        Source.single(ByteString.fromString("two")).viaMat(client, Keep.right())
            .toMat(Sink.fold(ByteString.emptyByteString(), ByteString::concat), Keep.both()).run(system);
    assertEquals("one", await(a.second()).utf8String());
    assertEquals("two", await(b.second()).utf8String());
    assertNotEquals(await(a.first()).localAddress().getPort(), await(b.first()).localAddress().getPort());
    await(binding.unbind());
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void transfersALargeStreamIntact(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    // The server digests what it reads and answers with the digest once the client's FIN
    // arrived (server halfClose = false: its answer completing closes the connection).
    ServerBinding binding =
        await(
            d.bind(HOST, 0)
                .to(Sink.foreach(c -> c.handleWith(
                    Flow.of(ByteString.class)
                        .fold(MessageDigest.getInstance("SHA-256"), (md, b) -> {
                          for (java.nio.ByteBuffer bb : b.getByteBuffers()) md.update(bb);
                          return md;
                        })
                        .map(md -> ByteString.fromArrayUnsafe(md.digest())),
                    system)))
                .run(system));
    int chunk = 64 * 1024;
    int chunks = 2048; // 128 MiB
    byte[] base = new byte[1 << 20];
    new Random(7).nextBytes(base);
    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    long startNanos = System.nanoTime();
    CompletionStage<ByteString> reply =
        Source.range(0, chunks - 1)
            .map(i -> {
              ByteString c = ByteString.fromArrayUnsafe(base, (i * 4099) % (base.length - chunk), chunk);
              for (java.nio.ByteBuffer bb : c.getByteBuffers()) sent.update(bb);
              return c;
            })
            .via(d.connect(new InetSocketAddress(HOST, binding.localAddress().getPort())))
            .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system);
    ByteString digest = await(reply, 45);
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    System.out.printf("[%s] 128 MiB in %.2f s (%.0f MiB/s)%n", name, seconds, 128 / seconds);
    assertArrayEquals(sent.digest(), digest.toArray());
    await(binding.unbind());
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void elementsKeptByTheServerStayAsTheyWereRead(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    // The server keeps every element it reads and digests them all only at the end: an
    // element whose array a later read wrote into again would change the digest.
    ServerBinding binding =
        await(
            d.bind(HOST, 0)
                .to(Sink.foreach(c -> c.handleWith(
                    Flow.of(ByteString.class)
                        .fold(new java.util.ArrayList<ByteString>(), (kept, b) -> {
                          kept.add(b);
                          return kept;
                        })
                        .map(kept -> {
                          MessageDigest md = MessageDigest.getInstance("SHA-256");
                          for (ByteString b : kept) for (java.nio.ByteBuffer bb : b.getByteBuffers()) md.update(bb);
                          return ByteString.fromArrayUnsafe(md.digest());
                        }),
                    system)))
                .run(system));
    Random random = new Random(11);
    java.util.List<ByteString> parts = new java.util.ArrayList<>();
    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    for (int i = 0; i < 300; i++) {
      byte[] part = new byte[i % 50 == 0 ? 150_000 + random.nextInt(100_000) : 1 + random.nextInt(200)];
      random.nextBytes(part);
      sent.update(part);
      parts.add(ByteString.fromArrayUnsafe(part));
    }
    CompletionStage<ByteString> reply =
        Source.from(parts)
            .via(d.connect(new InetSocketAddress(HOST, binding.localAddress().getPort())))
            .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system);
    assertArrayEquals(sent.digest(), await(reply, 30).toArray());
    await(binding.unbind());
  }

  // ---- back-pressure ----------------------------------------------------------------

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void aSlowReaderBoundsTheSender(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    CompletableFuture<SinkQueueWithCancel<ByteString>> serverQueue = new CompletableFuture<>();
    ServerBinding binding =
        await(
            d.bind(HOST, 0)
                .to(Sink.foreach(c -> serverQueue.complete(
                    c.handleWith(Flow.fromSinkAndSourceMat(Sink.<ByteString>queue(), Source.<ByteString>maybe(), Keep.left()), system))))
                .run(system));
    AtomicLong produced = new AtomicLong();
    ByteString chunk = bytes(64 * 1024, 1);
    CompletionStage<Done> client =
        Source.repeat(chunk)
            .map(c -> {
              produced.addAndGet(c.size());
              return c;
            })
            .via(d.connect(new InetSocketAddress(HOST, binding.localAddress().getPort())))
            .runWith(Sink.ignore(), system);
    SinkQueueWithCancel<ByteString> queue = await(serverQueue);
    // The server never reads: the sender fills the socket buffers and then must stop.
    Thread.sleep(1500);
    long stalled = produced.get();
    Thread.sleep(700);
    long later = produced.get();
    System.out.printf("[%s] slow reader: sender produced %d KiB, then %d KiB%n", name, stalled >> 10, later >> 10);
    assertTrue(stalled < 64L << 20, "sender produced " + stalled + " bytes into a reader that reads nothing");
    assertTrue(later - stalled <= 1L << 20, "sender kept producing: " + stalled + " -> " + later);
    // Reading resumes the flow.
    long drained = 0;
    while (drained < 4 * stalled + (8 << 20)) {
      Optional<ByteString> next = await(queue.pull());
      assertTrue(next.isPresent());
      drained += next.get().size();
    }
    assertTrue(produced.get() > later, "sender did not resume after the reader drained");
    queue.cancel();
    await(binding.unbind());
    // The client sees the server close the connection (or reset it): either way it stops.
    try {
      await(client);
    } catch (ExecutionException expected) {
      // a reset while writing is a failure
    }
  }

  // ---- half-close -------------------------------------------------------------------

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void clientClosesWriteFirstAndStillReadsTheAnswer(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    // Server halfClose=false: it answers after the client's FIN, then closes.
    ServerBinding binding =
        await(
            d.bind(HOST, 0)
                .to(Sink.foreach(c -> c.handleWith(
                    Flow.of(ByteString.class)
                        .fold(ByteString.emptyByteString(), ByteString::concat)
                        .map(all -> ByteString.fromString("got:").concat(all)),
                    system)))
                .run(system));
    ByteString answer =
        await(
            Source.single(ByteString.fromString("hello"))
                .via(d.connect(new InetSocketAddress(HOST, binding.localAddress().getPort())))
                .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system));
    assertEquals("got:hello", answer.utf8String());
    await(binding.unbind());
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void serverClosesWriteFirstAndStillReads(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    CompletableFuture<CompletionStage<ByteString>> serverRead = new CompletableFuture<>();
    // Server halfClose=true: its banner source completing sends FIN, reading goes on.
    ServerBinding binding =
        await(
            d.bind(HOST, 0, true, Optional.empty())
                .to(Sink.foreach(c -> serverRead.complete(
                    c.handleWith(
                        Flow.fromSinkAndSourceMat(
                            Sink.fold(ByteString.emptyByteString(), ByteString::concat),
                            Source.single(ByteString.fromString("banner")),
                            Keep.left()),
                        system))))
                .run(system));
    Pair<SourceQueueWithComplete<ByteString>, CompletionStage<ByteString>> client =
        Source.<ByteString>queue(16, OverflowStrategy.backpressure())
            .via(d.connect(new InetSocketAddress(HOST, binding.localAddress().getPort())))
            .toMat(Sink.fold(ByteString.emptyByteString(), ByteString::concat), Keep.both())
            .run(system);
    // The client's read side completes on the server's FIN while its write side is open.
    assertEquals("banner", await(client.second()).utf8String());
    await(client.first().offer(ByteString.fromString("after")));
    client.first().complete();
    assertEquals("after", await(await(serverRead)).utf8String());
    await(binding.unbind());
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void halfCloseServerAnswersAnEmptyClient(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    // Server halfClose=true cancels its read side at once and still writes its answer.
    ServerBinding binding =
        await(
            d.bind(HOST, 0, true, Optional.empty())
                .to(Sink.foreach(c -> c.handleWith(
                    Flow.fromSinkAndSource(Sink.cancelled(), Source.single(ByteString.fromString("response"))),
                    system)))
                .run(system));
    ByteString answer =
        await(
            Source.<ByteString>empty()
                .via(d.connect(new InetSocketAddress(HOST, binding.localAddress().getPort())))
                .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system));
    assertEquals("response", answer.utf8String());
    await(binding.unbind());
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void fullCloseServerEndsAnOpenClient(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    // Server halfClose=false: its answer completing closes the socket, although the client
    // never completes its side (Source.maybe).
    ServerBinding binding =
        await(
            d.bind(HOST, 0, false, Optional.empty())
                .to(Sink.foreach(c -> c.handleWith(
                    Flow.fromSinkAndSource(Sink.ignore(), Source.single(ByteString.fromString("bye"))),
                    system)))
                .run(system));
    Pair<CompletableFuture<Optional<ByteString>>, CompletionStage<ByteString>> client =
        Source.<ByteString>maybe()
            .via(d.connect(new InetSocketAddress(HOST, binding.localAddress().getPort())))
            .toMat(Sink.fold(ByteString.emptyByteString(), ByteString::concat), Keep.both())
            .run(system);
    assertEquals("bye", await(client.second()).utf8String());
    client.first().complete(Optional.empty());
    await(binding.unbind());
  }

  // ---- idle timeout -----------------------------------------------------------------

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void idleClientConnectionFailsWithIdleTimeout(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    ServerBinding binding = echoServer(d, false);
    long start = System.nanoTime();
    CompletionStage<Done> client =
        Source.<ByteString>maybe()
            .via(d.connect(
                new InetSocketAddress(HOST, binding.localAddress().getPort()), true, Optional.empty(),
                Optional.of(Duration.ofMillis(400))))
            .runWith(Sink.ignore(), system);
    Throwable failure = failureOf(client);
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(causedBy(failure, TcpIdleTimeoutException.class), "got " + failure);
    assertTrue(millis >= 350, "timed out after " + millis + " ms");
    await(binding.unbind());
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void idleServerConnectionFailsWithIdleTimeout(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    CompletableFuture<CompletionStage<Done>> serverSide = new CompletableFuture<>();
    ServerBinding binding =
        await(
            d.bind(HOST, 0, false, Optional.of(Duration.ofMillis(400)))
                .to(Sink.foreach(c -> serverSide.complete(
                    c.handleWith(Flow.of(ByteString.class).watchTermination(Keep.right()), system))))
                .run(system));
    CompletionStage<Done> client =
        Source.<ByteString>maybe()
            .via(d.connect(new InetSocketAddress(HOST, binding.localAddress().getPort())))
            .runWith(Sink.ignore(), system);
    Throwable failure = failureOf(await(serverSide));
    assertTrue(causedBy(failure, TimeoutException.class), "got " + failure);
    // The client sees the connection end (closed or reset) soon after.
    try {
      await(client);
    } catch (ExecutionException expected) {
      assertTrue(causedBy(expected, StreamTcpException.class), "got " + expected);
    }
    await(binding.unbind());
  }

  // ---- binding lifecycle ------------------------------------------------------------

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void unbindKeepsLiveConnectionsAndRefusesNewOnes(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    ServerBinding binding = echoServer(d, false);
    InetSocketAddress address = new InetSocketAddress(HOST, binding.localAddress().getPort());
    Pair<SourceQueueWithComplete<ByteString>, SinkQueueWithCancel<ByteString>> live =
        Source.<ByteString>queue(16, OverflowStrategy.backpressure())
            .via(d.connect(address))
            .toMat(Sink.queue(), Keep.both())
            .run(system);
    await(live.first().offer(ByteString.fromString("before")));
    assertEquals("before", await(live.second().pull()).get().utf8String());
    assertFalse(binding.whenUnbound().toCompletableFuture().isDone());

    await(binding.unbind());
    await(binding.whenUnbound());
    await(binding.unbind()); // idempotent

    await(live.first().offer(ByteString.fromString("after")));
    assertEquals("after", await(live.second().pull()).get().utf8String());

    // Refused; not checked on libkqueue, which consumes the socket error (LibKqueue).
    if (!(name.equals("kq") && LibKqueue.RUNNING)) {
      CompletionStage<OutgoingConnection> refused =
          Source.<ByteString>maybe().viaMat(d.connect(address), Keep.right()).to(Sink.ignore()).run(system);
      Throwable failure = failureOf(refused);
      assertTrue(failure instanceof StreamTcpException, "got " + failure);
    }

    live.first().complete();
    assertEquals(Optional.empty(), await(live.second().pull()));
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void cancellingTheConnectionSourceUnbinds(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    CompletableFuture<IncomingConnection> first = new CompletableFuture<>();
    Pair<CompletionStage<ServerBinding>, CompletionStage<IncomingConnection>> server =
        d.bind(HOST, 0).toMat(Sink.head(), Keep.both()).run(system);
    ServerBinding binding = await(server.first());
    InetSocketAddress address = new InetSocketAddress(HOST, binding.localAddress().getPort());
    Pair<SourceQueueWithComplete<ByteString>, SinkQueueWithCancel<ByteString>> live =
        Source.<ByteString>queue(16, OverflowStrategy.backpressure())
            .via(d.connect(address))
            .toMat(Sink.queue(), Keep.both())
            .run(system);
    IncomingConnection accepted = await(server.second());
    accepted.handleWith(Flow.of(ByteString.class), system);
    await(binding.whenUnbound()); // Sink.head cancelled the source after one connection
    await(live.first().offer(ByteString.fromString("still here")));
    assertEquals("still here", await(live.second().pull()).get().utf8String());
    live.first().complete();
    first.complete(accepted);
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void bindingATakenPortFails(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    ServerBinding binding = echoServer(d, false);
    int port = binding.localAddress().getPort();
    Pair<CompletionStage<ServerBinding>, CompletionStage<Done>> second =
        d.bind(HOST, port).toMat(Sink.ignore(), Keep.both()).run(system);
    Throwable failure = failureOf(second.first());
    assertTrue(failure instanceof BindFailedException, "got " + failure);
    Throwable streamFailure = failureOf(second.second());
    assertTrue(streamFailure instanceof BindFailedException, "got " + streamFailure);
    if (name.equals("kq")) {
      assertTrue(failure.getMessage().contains(String.valueOf(port)), failure.getMessage());
      assertTrue(causedBy(failure, java.net.BindException.class));
    }
    await(binding.unbind());
    // After unbind the port can be bound again.
    ServerBinding again = echoServer2(d, port);
    assertEquals(port, again.localAddress().getPort());
    await(again.unbind());
  }

  private static ServerBinding echoServer2(StreamTcpDriver d, int port) throws Exception {
    return await(
        d.bind(HOST, port)
            .to(Sink.foreach(c -> c.handleWith(Flow.of(ByteString.class), system)))
            .run(system));
  }

  // ---- failures ---------------------------------------------------------------------

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void connectionRefusedFailsTheConnectionFuture(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    int port = freePort();
    Pair<CompletionStage<OutgoingConnection>, CompletionStage<Done>> client =
        Source.<ByteString>maybe()
            .viaMat(d.connect(new InetSocketAddress(HOST, port), true, Optional.of(Duration.ofSeconds(2)),
                Optional.empty()), Keep.right())
            .toMat(Sink.ignore(), Keep.both())
            .run(system);
    Throwable failure = failureOf(client.first());
    assertEquals(StreamTcpException.class, failure.getClass(), "got " + failure);
    assertTrue(causedBy(failure, ConnectException.class) || failure.getMessage().contains("ConnectException"),
        "no ConnectException in " + failure);
    assertTrue(failureOf(client.second()) instanceof StreamTcpException);
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void connectTimeoutFailsTheConnection(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    // A listener with a full backlog and nobody accepting: SYNs are dropped, connects hang.
    try (ServerSocket full = new ServerSocket()) {
      full.bind(new InetSocketAddress(HOST, 0), 1);
      List<java.net.Socket> fillers = new ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) {
          java.net.Socket s = new java.net.Socket();
          try {
            s.connect(full.getLocalSocketAddress(), 200);
            fillers.add(s);
          } catch (java.io.IOException e) {
            s.close();
            break; // the backlog is full
          }
        }
        long start = System.nanoTime();
        CompletionStage<OutgoingConnection> c =
            Source.<ByteString>maybe()
                .viaMat(d.connect((InetSocketAddress) full.getLocalSocketAddress(), true,
                    Optional.of(Duration.ofMillis(500)), Optional.empty()), Keep.right())
                .to(Sink.ignore())
                .run(system);
        Throwable failure;
        try {
          OutgoingConnection connected = await(c);
          // The kernel let this one in (backlog accounting varies): nothing to check.
          return;
        } catch (ExecutionException e) {
          failure = e.getCause();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(failure instanceof StreamTcpException, "got " + failure);
        assertTrue(millis < 5000, "took " + millis + " ms");
      } finally {
        for (java.net.Socket s : fillers) s.close();
      }
    }
  }

  // ---- many connections -------------------------------------------------------------

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void servesManyConcurrentConnections(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    ServerBinding binding = echoServer(d, false);
    InetSocketAddress address = new InetSocketAddress(HOST, binding.localAddress().getPort());
    // On libkqueue, at most 256 descriptors in all (so at most 512 kevents at once): more
    // may overflow its eventlist, which drops edges for good (LibKqueue.OVERFLOW_DROPPED).
    int clients = name.equals("kq") && LibKqueue.RUNNING ? 100 : 200;
    List<CompletionStage<ByteString>> results = new ArrayList<>();
    List<ByteString> sent = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      ByteString data = bytes(10_000 + i, i);
      sent.add(data);
      results.add(
          Source.single(data)
              .via(d.connect(address))
              .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system));
    }
    for (int i = 0; i < clients; i++) assertEquals(sent.get(i), await(results.get(i), 30), "client " + i);
    await(binding.unbind());
  }

  // ---- cancellation -----------------------------------------------------------------

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void clientCancelsItsReadSideThenClosesWrite(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    CompletableFuture<CompletionStage<ByteString>> serverRead = new CompletableFuture<>();
    // The server (halfClose=true) keeps sending while it reads; it sees the client's bytes
    // and the client's FIN although the client stopped reading.
    ServerBinding binding =
        await(
            d.bind(HOST, 0, true, Optional.empty())
                .to(Sink.foreach(c -> serverRead.complete(
                    c.handleWith(
                        Flow.fromSinkAndSourceMat(
                            Sink.fold(ByteString.emptyByteString(), ByteString::concat),
                            // one element: closing with unread bytes would send RST, which
                            // may drop the client's last write (Pekko's Tcp too)
                            Source.single(ByteString.fromString("tick")),
                            Keep.left()),
                        system))))
                .run(system));
    Pair<SourceQueueWithComplete<ByteString>, CompletionStage<ByteString>> client =
        Source.<ByteString>queue(16, OverflowStrategy.backpressure())
            .via(d.connect(new InetSocketAddress(HOST, binding.localAddress().getPort())))
            .take(1)
            .toMat(Sink.head(), Keep.both())
            .run(system);
    assertTrue(await(client.second()).utf8String().startsWith("tick"));
    await(client.first().offer(ByteString.fromString("bye")));
    client.first().complete();
    assertEquals("bye", await(await(serverRead)).utf8String());
    await(binding.unbind());
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void serverCancelsAndCompletesTheClient(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    ServerBinding binding =
        await(
            d.bind(HOST, 0)
                .to(Sink.foreach(c -> c.handleWith(Flow.fromSinkAndSource(Sink.cancelled(), Source.empty()), system)))
                .run(system));
    Pair<CompletableFuture<Optional<ByteString>>, CompletionStage<ByteString>> client =
        Source.<ByteString>maybe()
            .via(d.connect(new InetSocketAddress(HOST, binding.localAddress().getPort())))
            .toMat(Sink.fold(ByteString.emptyByteString(), ByteString::concat), Keep.both())
            .run(system);
    assertEquals(ByteString.emptyByteString(), await(client.second()));
    client.first().complete(Optional.empty());
    await(binding.unbind());
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void clientUpstreamFailureAbortsTheConnection(String name) throws Exception {
    if (name.equals("kq")) LibKqueue.skipBecause(LibKqueue.SO_ERROR_CONSUMED);
    StreamTcpDriver d = driver(name);
    CompletableFuture<CompletionStage<Done>> serverSide = new CompletableFuture<>();
    ServerBinding binding =
        await(
            d.bind(HOST, 0)
                .to(Sink.foreach(c -> serverSide.complete(
                    c.handleWith(Flow.of(ByteString.class).watchTermination(Keep.right()), system))))
                .run(system));
    Pair<SourceQueueWithComplete<ByteString>, CompletionStage<Done>> client =
        Source.<ByteString>queue(16, OverflowStrategy.backpressure())
            .via(d.connect(new InetSocketAddress(HOST, binding.localAddress().getPort())))
            .toMat(Sink.ignore(), Keep.both())
            .run(system);
    await(client.first().offer(ByteString.fromString("x")));
    CompletionStage<Done> server = await(serverSide);
    client.first().fail(new RuntimeException("boom"));
    assertNotNull(failureOf(client.second()));
    Throwable serverFailure = failureOf(server);
    assertTrue(causedBy(serverFailure, StreamTcpException.class), "got " + serverFailure);
    await(binding.unbind());
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void anIncomingFlowMaterializesOnce(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    Pair<CompletionStage<ServerBinding>, CompletionStage<IncomingConnection>> server =
        d.bind(HOST, 0).toMat(Sink.head(), Keep.both()).run(system);
    ServerBinding binding = await(server.first());
    CompletionStage<ByteString> client =
        Source.single(ByteString.fromString("once"))
            .via(d.connect(new InetSocketAddress(HOST, binding.localAddress().getPort())))
            .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system);
    IncomingConnection c = await(server.second());
    c.handleWith(Flow.of(ByteString.class), system);
    assertEquals("once", await(client).utf8String());
    Flow<ByteString, ByteString, NotUsed> flow = c.flow();
    assertThrows(Exception.class, () -> {
      CompletionStage<Done> again =
          Source.<ByteString>empty().via(flow).runWith(Sink.ignore(), system);
      again.toCompletableFuture().get(5, TimeUnit.SECONDS);
    });
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void writesManyOneByteElements(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    ServerBinding binding = echoServer(d, false);
    List<ByteString> ones = new ArrayList<>();
    ByteString expected = ByteString.emptyByteString();
    for (int i = 0; i < 256; i++) {
      ByteString b = ByteString.fromArray(new byte[] {(byte) i});
      ones.add(b);
      expected = expected.concat(b);
    }
    ByteString echoed =
        await(
            Source.from(ones)
                .via(d.connect(new InetSocketAddress(HOST, binding.localAddress().getPort())))
                .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system));
    assertEquals(expected, echoed);
    await(binding.unbind());
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void echoesOverIpv6Loopback(String name) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(ipv6LoopbackWorks(), "no ::1 on this machine");
    StreamTcpDriver d = driver(name);
    ServerBinding binding =
        await(
            d.bind("::1", 0)
                .to(Sink.foreach(c -> c.handleWith(Flow.of(ByteString.class), system)))
                .run(system));
    Pair<CompletionStage<OutgoingConnection>, CompletionStage<ByteString>> r =
        Source.single(ByteString.fromString("six"))
            .viaMat(d.connect(new InetSocketAddress("::1", binding.localAddress().getPort())), Keep.right())
            .toMat(Sink.fold(ByteString.emptyByteString(), ByteString::concat), Keep.both())
            .run(system);
    assertEquals("six", await(r.second()).utf8String());
    assertTrue(await(r.first()).localAddress().getAddress() instanceof java.net.Inet6Address);
    await(binding.unbind());
  }

  private static boolean ipv6LoopbackWorks() {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("::1", 0));
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void unmaterializedIncomingConnectionsAreClosed(String name) throws Exception {
    StreamTcpDriver d = driver(name);
    // Nobody handles the accepted connection: after register-timeout (1 s here) it is closed.
    ServerBinding binding = await(d.bind(HOST, 0).to(Sink.ignore()).run(system));
    CompletionStage<Done> client =
        Source.<ByteString>maybe()
            .via(d.connect(new InetSocketAddress(HOST, binding.localAddress().getPort())))
            .runWith(Sink.ignore(), system);
    try {
      await(client);
    } catch (ExecutionException e) {
      assertTrue(e.getCause() instanceof StreamTcpException, "got " + e.getCause());
    }
    await(binding.unbind());
  }

  /** Pekko 1.7.0 throws an NPE here (apache/pekko#3255); KqTcp has the fixed behaviour. */
  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void fullCloseClientWhoseUpstreamEndsBeforeConnecting(String name) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(name.equals("kq"), "pekko 1.7.0: #3255");
    StreamTcpDriver d = driver(name);
    ServerBinding binding = echoServer(d, false);
    ByteString result =
        await(
            Source.<ByteString>empty()
                .via(d.connect(new InetSocketAddress(HOST, binding.localAddress().getPort()), false,
                    Optional.empty(), Optional.empty()))
                .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system));
    assertEquals(ByteString.emptyByteString(), result);
    await(binding.unbind());
  }

  /** KqTcp only: no descriptor and no poller registration outlives its stream. */
  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void leavesNoDescriptorsBehind(String name) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(name.equals("kq"), "checks KqTcp's own pollers");
    java.io.File fds = new java.io.File("/proc/self/fd");
    org.junit.jupiter.api.Assumptions.assumeTrue(fds.isDirectory(), "needs /proc/self/fd");
    io.pekkokq.io.KqTcpExt ext = io.pekkokq.io.KqTcp.get(system);
    StreamTcpDriver d = driver(name);
    ServerBinding warm = echoServer(d, false); // extension and pollers up before counting
    await(warm.unbind());
    Thread.sleep(200);
    int fdsBefore = fds.list().length;
    int registrationsBefore = registrations(ext);
    ServerBinding binding = echoServer(d, false);
    InetSocketAddress address = new InetSocketAddress(HOST, binding.localAddress().getPort());
    List<CompletionStage<?>> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(Source.single(ByteString.fromString("x" + i)).via(d.connect(address)).runWith(Sink.ignore(), system));
    }
    // failures and cancellations too
    all.add(Source.<ByteString>failed(new RuntimeException("boom")).via(d.connect(address)).runWith(Sink.ignore(), system));
    all.add(Source.<ByteString>empty().via(d.connect(address)).take(0).runWith(Sink.ignore(), system));
    all.add(Source.<ByteString>maybe().via(d.connect(address, false, Optional.empty(), Optional.empty())).take(0).runWith(Sink.ignore(), system));
    if (!LibKqueue.RUNNING) { // refused: libkqueue consumes the socket error (LibKqueue)
      all.add(Source.<ByteString>maybe().via(d.connect(new InetSocketAddress(HOST, freePort()))).runWith(Sink.ignore(), system));
    }
    for (CompletionStage<?> c : all) {
      try {
        await(c);
      } catch (ExecutionException expected) {
        // the failing ones
      }
    }
    await(binding.unbind());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while ((fds.list().length > fdsBefore || registrations(ext) > registrationsBefore)
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(registrationsBefore, registrations(ext), "poller registrations");
    assertTrue(fds.list().length <= fdsBefore, "open descriptors: " + fdsBefore + " -> " + fds.list().length);
  }

  private static int registrations(io.pekkokq.io.KqTcpExt ext) {
    int n = 0;
    for (int i = 0; i < ext.pollers().size(); i++) n += ext.pollers().get(i).registrationCount();
    return n;
  }
}
