package io.pekkokq.stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.stream.javadsl.KqUnixDomainSocket;
import io.pekkokq.stream.javadsl.KqUnixDomainSocket.IncomingConnection;
import io.pekkokq.stream.javadsl.KqUnixDomainSocket.OutgoingConnection;
import io.pekkokq.stream.javadsl.KqUnixDomainSocket.ServerBinding;
import io.pekkokq.sys.PeerCredentials;
import io.pekkokq.sys.UnixAddress;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * KqUnixDomainSocket, each behaviour with the JDK's own UnixDomainSocketAddress channels as
 * the independent peer: echo with digests both ways, half-close, back-pressure, a slow
 * reader, 2,000 connections open at once, churn with no descriptor left behind, and the
 * bad inputs (a path too long, an existing file, nobody listening), socket-file removal.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UnixDomainSocketStreamTest {
  private static final boolean LINUX = System.getProperty("os.name").startsWith("Linux");
  private static ActorSystem system;
  private static KqUnixDomainSocket uds;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("UnixDomainSocketStreamTest");
    uds = KqUnixDomainSocket.get(system);
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** An echo server on {@code path}: each connection's bytes straight back. */
  private static ServerBinding echoServer(Path path) throws Exception {
    return await(
        uds.bind(path)
            .to(Sink.foreach(c -> c.handleWith(Flow.of(ByteString.class), system)))
            .run(system));
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  private static String sha256(ByteString data) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (ByteBuffer b : data.getByteBuffers()) sha.update(b);
    return HexFormat.of().formatHex(sha.digest());
  }

  @Test
  void ourServerEchoesAJdkClientByteForByte() throws Exception {
    Path path = dir.resolve("echo.sock");
    ServerBinding binding = echoServer(path);
    assertEquals(UnixDomainSocketAddress.of(path), binding.localAddress());
    byte[] sent = randomBytes(8 << 20, 1);
    try (SocketChannel jdk = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
      // Write on another thread while this one reads: neither side may wait for the other.
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                try {
                  ByteBuffer out = ByteBuffer.wrap(sent);
                  Random sizes = new Random(2);
                  while (out.hasRemaining()) {
                    ByteBuffer slice = out.slice();
                    slice.limit(Math.min(slice.remaining(), 1 + sizes.nextInt(200_000)));
                    int n = jdk.write(slice);
                    out.position(out.position() + n);
                  }
                  jdk.shutdownOutput();
                } catch (IOException e) {
                  throw new RuntimeException(e);
                }
              });
      byte[] echoed = readAll(jdk, sent.length);
      writer.get(60, TimeUnit.SECONDS);
      assertEquals(sha256(sent), sha256(echoed));
      assertEquals(-1, jdk.read(ByteBuffer.allocate(1)), "the server closes after echoing all");
    }
    await(binding.unbind());
    assertFalse(Files.exists(path), "unbind removes the socket file by default");
  }

  @Test
  void ourClientTalksToAJdkEchoServerByteForByte() throws Exception {
    Path path = dir.resolve("jdk-echo.sock");
    byte[] sent = randomBytes(4 << 20, 3);
    try (ServerSocketChannel jdkServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      jdkServer.bind(UnixDomainSocketAddress.of(path));
      CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> jdkEcho(jdkServer));
      Pair<CompletionStage<OutgoingConnection>, CompletionStage<ByteString>> result =
          Source.from(chunks(sent, 7))
              .viaMat(uds.outgoingConnection(path), Keep.right())
              .toMat(Sink.fold(ByteString.emptyByteString(), ByteString::concat), Keep.both())
              .run(system);
      OutgoingConnection connection = await(result.first());
      assertEquals(UnixDomainSocketAddress.of(path), connection.remoteAddress());
      assertTrue(connection.localName().isUnnamed());
      PeerCredentials peer = connection.peerCredentials().orElseThrow();
      assertEquals(ProcessHandle.current().pid(), peer.pid(), "the JDK server runs in this process");
      // Half-close: our upstream completing sends end of stream, the JDK echoes the rest
      // and closes, and then our downstream completes.
      assertEquals(sha256(sent), sha256(await(result.second())));
      echo.get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void incomingConnectionsCarryPathsAndThePeersCredentials() throws Exception {
    Path path = dir.resolve("creds.sock");
    CompletableFuture<IncomingConnection> first = new CompletableFuture<>();
    ServerBinding binding =
        await(
            uds.bind(path)
                .to(Sink.foreach(c -> {
                  first.complete(c);
                  c.handleWith(Flow.of(ByteString.class), system);
                }))
                .run(system));
    try (SocketChannel jdk = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
      IncomingConnection c = first.get(10, TimeUnit.SECONDS);
      assertEquals(UnixDomainSocketAddress.of(path), c.localAddress());
      assertEquals(UnixDomainSocketAddress.of(""), c.remoteAddress(), "an unbound client is unnamed");
      PeerCredentials peer = c.peerCredentials().orElseThrow();
      assertEquals(ProcessHandle.current().pid(), peer.pid());
      assertEquals(((Number) Files.getAttribute(path, "unix:uid")).longValue(), peer.uid());
    }
    await(binding.unbind());
  }

  @Test
  void serverHalfCloseKeepsWritingAfterTheClientsEndOfStream() throws Exception {
    Path path = dir.resolve("half.sock");
    // The handler answers only once its input ended: it counts what came, then replies.
    Flow<ByteString, ByteString, NotUsed> countThenReply =
        Flow.of(ByteString.class)
            .fold(0L, (n, b) -> n + b.size())
            .map(n -> ByteString.fromString("got " + n));
    ServerBinding binding =
        await(
            uds.bind(path, 16, true)
                .to(Sink.foreach(c -> c.handleWith(countThenReply, system)))
                .run(system));
    try (SocketChannel jdk = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
      jdk.write(ByteBuffer.wrap(new byte[12345]));
      jdk.shutdownOutput();
      assertEquals("got 12345", new String(readAll(jdk, -1)));
    }
    await(binding.unbind());
  }

  @Test
  void aSlowReaderBacksPressureUpToTheWriterAndLosesNothing() throws Exception {
    Path path = dir.resolve("slow.sock");
    byte[] sent = randomBytes(32 << 20, 4);
    try (ServerSocketChannel jdkServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      jdkServer.bind(UnixDomainSocketAddress.of(path));
      Pair<CompletionStage<OutgoingConnection>, SinkQueueWithCancel<ByteString>> client =
          Source.<ByteString>maybe()
              .viaMat(uds.outgoingConnection(path), Keep.right())
              .toMat(Sink.queue(), Keep.both())
              .run(system);
      try (SocketChannel server = jdkServer.accept()) {
        await(client.first());
        // Nobody pulls the queue yet: the writer must find the socket full long before
        // all is sent, because the stage stopped reading and the kernel's buffers filled.
        server.configureBlocking(false);
        ByteBuffer out = ByteBuffer.wrap(sent);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int zeroWrites = 0;
        while (out.hasRemaining() && zeroWrites < 50 && System.nanoTime() < deadline) {
          if (server.write(out) == 0) {
            zeroWrites++;
            Thread.sleep(10);
          } else {
            zeroWrites = 0;
          }
        }
        int acceptedBeforeReading = out.position();
        assertTrue(out.hasRemaining(), "32 MiB went into the socket with nobody reading");
        // Now read, slowly at first, and write the rest as room appears.
        server.configureBlocking(true);
        CompletableFuture<Void> rest =
            CompletableFuture.runAsync(
                () -> {
                  try {
                    while (out.hasRemaining()) server.write(out);
                    server.close();
                  } catch (IOException e) {
                    throw new RuntimeException(e);
                  }
                });
        ByteString received = ByteString.emptyByteString();
        int pulls = 0;
        while (true) {
          Optional<ByteString> next = await(client.second().pull());
          if (next.isEmpty()) break;
          received = received.concat(next.get());
          if (++pulls < 20) Thread.sleep(20); // a slow reader for a while
        }
        rest.get(30, TimeUnit.SECONDS);
        assertTrue(acceptedBeforeReading < sent.length);
        assertEquals(sha256(sent), sha256(received));
      }
    }
  }

  @Test
  void twoThousandConnectionsOpenAtOnce() throws Exception {
    io.pekkokq.sys.LibKqueue.skipBecause(io.pekkokq.sys.LibKqueue.OVERFLOW_DROPPED);
    Path path = dir.resolve("many.sock");
    ServerBinding binding =
        await(
            uds.bind(path, 4096, false)
                .to(Sink.foreach(c -> c.handleWith(Flow.of(ByteString.class), system)))
                .run(system));
    List<SocketChannel> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 2000; i++) clients.add(SocketChannel.open(UnixDomainSocketAddress.of(path)));
      // All 2,000 open together, each one echoes its own number.
      for (int i = 0; i < clients.size(); i++) {
        clients.get(i).write(ByteBuffer.wrap(String.format("%08d", i).getBytes()));
      }
      for (int i = 0; i < clients.size(); i++) {
        assertEquals(String.format("%08d", i), new String(readAll(clients.get(i), 8)));
      }
    } finally {
      for (SocketChannel c : clients) c.close();
    }
    await(binding.unbind());
  }

  @Test
  void churnLeavesNoDescriptorAndNoSocketFileBehind() throws Exception {
    Path path = dir.resolve("churn.sock");
    ServerBinding binding = echoServer(path);
    Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> client = uds.outgoingConnection(path);
    // Warm up (class loading, pools), then count.
    cycle(client, 50);
    long before = openDescriptors();
    cycle(client, 1000);
    await(binding.unbind());
    assertFalse(Files.exists(path));
    long after = 0;
    for (int i = 0; i < 100; i++) { // closes finish on the poller threads: give them a moment
      after = openDescriptors();
      if (after <= before) break;
      Thread.sleep(50);
    }
    assertTrue(after <= before, "descriptors before " + before + ", after 1,000 cycles and unbind " + after);
  }

  /** {@code n} connections, 16 at a time, each sends 64 bytes and awaits their echo. */
  private static void cycle(Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> client, int n)
      throws Exception {
    ByteString hello = ByteString.fromString(String.format("%-64s", "hello"));
    CompletionStage<Done> all =
        Source.range(1, n)
            .mapAsyncUnordered(
                16,
                i -> Source.single(hello)
                    .via(client)
                    .runFold(ByteString.emptyByteString(), ByteString::concat, system)
                    .thenApply(echoed -> {
                      if (!echoed.equals(hello)) throw new AssertionError("echo " + echoed.utf8String());
                      return i;
                    }))
            .runWith(Sink.ignore(), system);
    await(all);
  }

  @Test
  void aPathOverTheKernelsLimitFailsTheBindNamingIt() throws Exception {
    Path tooLong = dir.resolve("x".repeat(120) + ".sock");
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> await(uds.bind(tooLong).to(Sink.ignore()).run(system)));
    assertInstanceOf(BindFailedException.class, e.getCause());
    assertInstanceOf(BindException.class, e.getCause().getCause());
    assertTrue(e.getCause().getCause().getMessage().contains(tooLong.toString()), e.getCause().getCause().getMessage());
    ExecutionException c =
        assertThrows(
            ExecutionException.class,
            () -> await(Source.<ByteString>empty().viaMat(uds.outgoingConnection(tooLong), Keep.right())
                .to(Sink.ignore()).run(system)));
    assertInstanceOf(ConnectException.class, rootCause(c));
  }

  @Test
  void anExistingSocketFileFailsTheBindAndIsRemovedOnlyWhenAsked() throws Exception {
    Path path = dir.resolve("taken.sock");
    // A stale socket file: bound by the JDK, closed, left behind.
    try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      stale.bind(UnixDomainSocketAddress.of(path));
    }
    assertTrue(Files.exists(path));
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> await(uds.bind(path).to(Sink.ignore()).run(system)));
    assertInstanceOf(BindFailedException.class, e.getCause());
    Throwable cause = e.getCause().getCause();
    assertInstanceOf(BindException.class, cause);
    assertTrue(cause.getMessage().contains("in use") && cause.getMessage().contains(path.toString()), cause.getMessage());
    assertTrue(Files.exists(path), "not removed without being asked");
    ActorSystem replacing =
        ActorSystem.create(
            "replacing",
            ConfigFactory.parseString(
                    "pekko.io.kq.unix-domain-socket.delete-existing-socket-file = on\n"
                        + "pekko.io.kq.unix-domain-socket.delete-socket-file-on-unbind = off")
                .withFallback(ConfigFactory.load()));
    try {
      ServerBinding binding =
          await(KqUnixDomainSocket.get(replacing).bind(path).to(Sink.ignore()).run(replacing));
      try (SocketChannel jdk = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
        assertTrue(jdk.isConnected());
      }
      await(binding.unbind());
      assertTrue(Files.exists(path), "delete-socket-file-on-unbind = off keeps the file");
    } finally {
      TestKit.shutdownActorSystem(replacing);
    }
    // A file that is not a socket is never removed, whatever the settings.
    Path plain = Files.writeString(dir.resolve("plain"), "keep");
    assertThrows(ExecutionException.class, () -> await(uds.bind(plain).to(Sink.ignore()).run(system)));
    assertEquals("keep", Files.readString(plain));
  }

  @Test
  void connectingWhereNobodyListensFailsTheFlowWithAConnectException() throws Exception {
    Path missing = dir.resolve("nobody.sock");
    Path stale = dir.resolve("stale.sock");
    try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      s.bind(UnixDomainSocketAddress.of(stale));
    }
    for (Path path : List.of(missing, stale)) {
      Pair<CompletionStage<OutgoingConnection>, CompletionStage<Done>> r =
          Source.single(ByteString.fromString("x"))
              .viaMat(uds.outgoingConnection(path), Keep.right())
              .toMat(Sink.ignore(), Keep.both())
              .run(system);
      ExecutionException e = assertThrows(ExecutionException.class, () -> await(r.first()));
      assertInstanceOf(StreamTcpException.class, e.getCause());
      Throwable root = rootCause(e);
      assertInstanceOf(ConnectException.class, root);
      assertTrue(root.getMessage().contains(path.toString()), root.getMessage());
      assertThrows(ExecutionException.class, () -> await(r.second()));
    }
  }

  @Test
  void abstractNamesOnLinux() throws Exception {
    assumeTrue(LINUX, "abstract names are a Linux feature");
    UnixAddress name = UnixAddress.ofAbstract("pekko-kq-stream-test-" + ProcessHandle.current().pid());
    ServerBinding binding =
        await(
            uds.bind(name, 16, false)
                .to(Sink.foreach(c -> c.handleWith(Flow.of(ByteString.class), system)))
                .run(system));
    assertEquals(name, binding.localName());
    assertThrows(UnsupportedOperationException.class, binding::localAddress);
    ByteString echoed =
        await(
            Source.single(ByteString.fromString("abstract"))
                .via(uds.outgoingConnection(name, Optional.empty(), true, Optional.of(Duration.ofSeconds(5))))
                .runFold(ByteString.emptyByteString(), ByteString::concat, system));
    assertEquals("abstract", echoed.utf8String());
    await(binding.unbind());
  }

  // ---- helpers -----------------------------------------------------------------------

  /** The JDK's echo: accepts one connection, echoes until end of stream, closes. */
  private static void jdkEcho(ServerSocketChannel server) {
    try (SocketChannel c = server.accept()) {
      ByteBuffer buffer = ByteBuffer.allocate(65536);
      while (c.read(buffer) >= 0) {
        buffer.flip();
        while (buffer.hasRemaining()) c.write(buffer);
        buffer.clear();
      }
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  /** Reads {@code n} bytes ({@code -1}: until end of stream) from a blocking channel. */
  private static byte[] readAll(SocketChannel channel, int n) throws IOException {
    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
    ByteBuffer buffer = ByteBuffer.allocate(65536);
    while (n < 0 || got.size() < n) {
      buffer.clear();
      if (n >= 0) buffer.limit(Math.min(buffer.capacity(), n - got.size()));
      int r = channel.read(buffer);
      if (r < 0) break;
      got.write(buffer.array(), 0, r);
    }
    return got.toByteArray();
  }

  private static List<ByteString> chunks(byte[] data, long seed) {
    List<ByteString> out = new ArrayList<>();
    Random sizes = new Random(seed);
    for (int at = 0; at < data.length; ) {
      int size = Math.min(data.length - at, 1 + sizes.nextInt(100_000));
      out.add(ByteString.fromArray(data, at, size));
      at += size;
    }
    return out;
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    return t;
  }

  private static long openDescriptors() throws IOException {
    try (var files = Files.list(Path.of("/proc/self/fd"))) {
      return files.count();
    }
  }
}
