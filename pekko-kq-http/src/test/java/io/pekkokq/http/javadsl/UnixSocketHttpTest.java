package io.pekkokq.http.javadsl;

import static org.apache.pekko.http.javadsl.server.Directives.*;
import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.http.suite.Curl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.ClientTransport;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pekko HTTP over Unix domain sockets: {@code KqHttp.newServerAt(UnixDomainSocketAddress)}
 * answering independent clients (the JDK's own Unix socket channel, curl --unix-socket),
 * and {@code KqClientTransport.unixDomainSocket} reaching an independent server (a JDK
 * Unix socket channel speaking HTTP by hand, as Docker's API would) and a KqHttp one
 * through singleRequest, a pool and outgoingConnection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnixSocketHttpTest {
  private ActorSystem system;
  @TempDir Path dir;

  @BeforeAll
  void start() {
    system =
        ActorSystem.create(
            "UnixSocketHttpTest",
            ConfigFactory.parseString("pekko.loglevel = WARNING").withFallback(ConfigFactory.load()));
  }

  @AfterAll
  void stop() throws Exception {
    await(Http.get(system).shutdownAllConnectionPools());
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static Route routes() {
    return concat(
        path("hello", () -> get(() -> complete("Hello over a Unix socket"))),
        path("echo", () -> post(() -> extractStrictEntity(Duration.ofSeconds(10),
            entity -> complete(entity.getData().utf8String())))));
  }

  private ServerBinding bind(Path socket) throws Exception {
    return await(KqHttp.get(system).newServerAt(UnixDomainSocketAddress.of(socket)).bind(routes()));
  }

  // ---- server: independent clients -------------------------------------------------

  @Test
  void serverAnswersTheJdksUnixSocketChannelWithKeepAlive() throws Exception {
    Path socket = dir.resolve("server.sock");
    ServerBinding binding = bind(socket);
    try {
      assertTrue(Files.exists(socket), "the socket file is there once bound");
      assertEquals(socket.toString(), binding.localAddress().getHostString());
      assertEquals(0, binding.localAddress().getPort());
      try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        channel.connect(UnixDomainSocketAddress.of(socket));
        // two requests on one connection, the second closes it
        write(channel, "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"
            + "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nConnection: close\r\n\r\nabcde");
        String responses = readToEnd(channel);
        assertEquals(2, count(responses, "HTTP/1.1 200 OK"), responses);
        assertTrue(responses.contains("\r\n\r\nHello over a Unix socket"), responses);
        assertTrue(responses.endsWith("\r\n\r\nabcde"), responses);
      }
    } finally {
      await(binding.unbind());
    }
    assertFalse(Files.exists(socket), "unbind removes the socket file");
  }

  @Test
  void curlReachesTheServerWithUnixSocket() throws Exception {
    Path socket = dir.resolve("curl.sock");
    ServerBinding binding = bind(socket);
    try {
      String hello = Curl.run("-s", "--unix-socket", socket.toString(), "http://localhost/hello");
      if (hello == null) return; // curl is not installed (CI installs it)
      assertEquals("Hello over a Unix socket", hello);
      assertEquals("posted", Curl.run("-s", "--unix-socket", socket.toString(), "-d", "posted", "http://localhost/echo"));
    } finally {
      await(binding.terminate(Duration.ofSeconds(5)));
    }
    assertFalse(Files.exists(socket), "terminate removes the socket file");
  }

  @Test
  void aServerOnAUnixSocketHasNoInterfaceOrPort() {
    KqServerBuilder builder = KqHttp.get(system).newServerAt(UnixDomainSocketAddress.of(dir.resolve("x.sock")));
    assertThrows(UnsupportedOperationException.class, () -> builder.onInterface("127.0.0.1"));
    assertThrows(UnsupportedOperationException.class, () -> builder.onPort(80));
  }

  @Test
  void aFileAtThePathFailsTheBindNamingIt() throws Exception {
    Path taken = Files.writeString(dir.resolve("taken.sock"), "not a socket");
    CompletionStage<ServerBinding> bound =
        KqHttp.get(system).newServerAt(UnixDomainSocketAddress.of(taken)).bind(routes());
    ExecutionException failed =
        assertThrows(ExecutionException.class, () -> bound.toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertTrue(causes(failed).contains(taken.toString()), causes(failed));
    assertTrue(causes(failed).contains("java.net.BindException"), causes(failed));
    assertEquals("not a socket", Files.readString(taken), "a file that is not a socket is left alone");
  }

  // ---- client: an independent server, and ours ------------------------------------

  @Test
  void clientReachesAServerOnTheJdksUnixSocketChannelLikeDockersApi() throws Exception {
    Path socket = dir.resolve("docker.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      CompletableFuture<String> seen =
          CompletableFuture.supplyAsync(
              () -> {
                try (SocketChannel peer = server.accept()) {
                  String head = readHead(peer);
                  write(peer, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 19\r\n"
                      + "Connection: close\r\n\r\n{\"Version\":\"24.0\"}\n");
                  return head;
                } catch (IOException e) {
                  throw new RuntimeException(e);
                }
              });
      HttpResponse response =
          await(Http.get(system).singleRequest(HttpRequest.create("http://localhost/v1.43/version"),
              Http.get(system).defaultClientHttpsContext(), pool(KqClientTransport.unixDomainSocket(socket)),
              system.log()));
      assertEquals(200, response.status().intValue());
      assertEquals("{\"Version\":\"24.0\"}\n", body(response));
      String head = seen.get(30, TimeUnit.SECONDS);
      assertTrue(head.startsWith("GET /v1.43/version HTTP/1.1\r\n"), head);
      assertTrue(head.toLowerCase().contains("\r\nhost: localhost\r\n"), head);
    }
  }

  @Test
  void clientPoolAndOutgoingConnectionReachAKqHttpServer() throws Exception {
    Path socket = dir.resolve("pool.sock");
    ServerBinding binding = bind(socket);
    try {
      ClientTransport transport = KqClientTransport.unixDomainSocket(UnixDomainSocketAddress.of(socket));
      ConnectionPoolSettings pool = pool(transport).withMaxConnections(8);
      List<CompletionStage<HttpResponse>> requests = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        requests.add(Http.get(system).singleRequest(
            HttpRequest.POST("http://localhost/echo").withEntity("request " + i),
            Http.get(system).defaultClientHttpsContext(), pool, system.log()));
      }
      for (int i = 0; i < requests.size(); i++) assertEquals("request " + i, body(await(requests.get(i))));

      HttpResponse viaConnection =
          await(Source.single(HttpRequest.create("/hello"))
              .via(Http.get(system).connectionTo("localhost").toPort(80)
                  .withClientConnectionSettings(ClientConnectionSettings.create(system).withTransport(transport))
                  .http())
              .runWith(Sink.head(), system));
      assertEquals("Hello over a Unix socket", body(viaConnection));
    } finally {
      await(binding.terminate(Duration.ofSeconds(5)));
    }
  }

  @Test
  void aClientWithNobodyAtThePathFailsNamingIt() {
    Path missing = dir.resolve("nobody.sock");
    CompletionStage<HttpResponse> response =
        Http.get(system).singleRequest(HttpRequest.create("http://localhost/hello"),
            Http.get(system).defaultClientHttpsContext(),
            pool(KqClientTransport.unixDomainSocket(missing)).withMaxRetries(0), system.log());
    ExecutionException failed =
        assertThrows(ExecutionException.class, () -> response.toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertTrue(causes(failed).contains(missing.toString()), causes(failed));
    assertTrue(causes(failed).contains("java.net.ConnectException"), causes(failed));
  }

  @Test
  void withoutTheNativeLibraryBothSidesFailSayingWhy() throws Exception {
    ActorSystem nio =
        ActorSystem.create(
            "UnixSocketHttpTestNio",
            ConfigFactory.parseString("pekko.loglevel = OFF\npekko.io.kq.native = off").withFallback(ConfigFactory.load()));
    try {
      Path socket = dir.resolve("nio.sock");
      CompletionStage<ServerBinding> bound =
          KqHttp.get(nio).newServerAt(UnixDomainSocketAddress.of(socket)).bind(routes());
      ExecutionException bindFailed =
          assertThrows(ExecutionException.class, () -> bound.toCompletableFuture().get(30, TimeUnit.SECONDS));
      assertTrue(causes(bindFailed).contains("NativeUnavailableException"), causes(bindFailed));
      assertFalse(Files.exists(socket));

      CompletionStage<HttpResponse> response =
          Http.get(nio).singleRequest(HttpRequest.create("http://localhost/hello"),
              Http.get(nio).defaultClientHttpsContext(),
              ConnectionPoolSettings.create(nio).withMaxRetries(0).withConnectionSettings(
                  ClientConnectionSettings.create(nio).withTransport(KqClientTransport.unixDomainSocket(socket))),
              nio.log());
      ExecutionException requestFailed =
          assertThrows(ExecutionException.class, () -> response.toCompletableFuture().get(30, TimeUnit.SECONDS));
      assertTrue(causes(requestFailed).contains("NativeUnavailableException"), causes(requestFailed));
    } finally {
      Http.get(nio).shutdownAllConnectionPools().toCompletableFuture().get(30, TimeUnit.SECONDS);
      nio.terminate();
      nio.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  // ---- helpers ---------------------------------------------------------------------

  private ConnectionPoolSettings pool(ClientTransport transport) {
    return ConnectionPoolSettings.create(system)
        .withConnectionSettings(ClientConnectionSettings.create(system).withTransport(transport));
  }

  private String body(HttpResponse response) throws Exception {
    return await(response.entity().toStrict(10_000, system)).getData().utf8String();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Every message in the cause chain, for asserting what a failure names. */
  private static String causes(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) all.append(c).append(" | ");
    return all.toString();
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) n++;
    return n;
  }

  private static void write(SocketChannel channel, String text) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    while (bytes.hasRemaining()) channel.write(bytes);
  }

  private static String readToEnd(SocketChannel channel) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    ByteBuffer buffer = ByteBuffer.allocate(8192);
    while (channel.read(buffer) >= 0) {
      all.write(buffer.array(), 0, buffer.position());
      buffer.clear();
    }
    return all.toString(StandardCharsets.US_ASCII);
  }

  /** The request line and headers, up to the blank line. */
  private static String readHead(SocketChannel channel) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    ByteBuffer one = ByteBuffer.allocate(1);
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      one.clear();
      if (channel.read(one) < 0) break;
      head.write(one.array()[0]);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }
}
