package io.pekkokq.http.suite;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpTerminated;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One suite for every way of running Pekko HTTP: each subclass names a {@link
 * HttpDriver}, and the reference ({@link PekkoTcpHttpTest}: Pekko HTTP on Pekko's own
 * Tcp) must pass it exactly as the pekko-kq drivers do. Servers are built with the
 * driver's {@code newServerAt}, clients use the driver's transport. Waits are generous
 * (tens of seconds) and only bound how long a failure takes to show.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HttpSuite {
  private static final long HUNDRED_MIB = 100L * 1024 * 1024;

  protected abstract HttpDriver driver();

  private ActorSystem system;
  private TestRoutes routes;
  private ServerBinding binding;
  private int port;
  private final HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  void start() {
    Config config =
        ConfigFactory.parseString(driver().config())
            .withFallback(ConfigFactory.parseString(
                "pekko.loglevel = WARNING\n"
                    + "pekko.http.server.remote-address-attribute = on\n"
                    + "pekko.http.server.parsing.max-content-length = 200m\n"
                    + "pekko.http.client.parsing.max-content-length = 200m\n"))
            .withFallback(ConfigFactory.load());
    system = ActorSystem.create(getClass().getSimpleName(), config);
    routes = new TestRoutes();
    binding = await(server(s -> s).bind(routes.route(system)));
    port = binding.localAddress().getPort();
  }

  @AfterAll
  void stop() throws Exception {
    if (binding != null) await(binding.terminate(Duration.ofSeconds(5)));
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private ServerBuilder server(UnaryOperator<ServerSettings> settings) {
    return driver().newServerAt(system, "127.0.0.1", 0).withSettings(settings.apply(ServerSettings.create(system)));
  }

  private ServerSettings withServerConfig(String hocon) {
    return ServerSettings.create(ConfigFactory.parseString(hocon).withFallback(system.settings().config()));
  }

  private String get(String path) throws Exception {
    java.net.http.HttpResponse<String> response =
        jdk.send(java.net.http.HttpRequest.newBuilder(uri(path)).build(), BodyHandlers.ofString());
    return response.statusCode() + " " + response.body();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  // ---- routes and connections ------------------------------------------------------

  @Test
  void routesAnswerAndUnknownOnesAreRejected() throws Exception {
    assertEquals("200 Hello, World!", get("/hello"));
    java.net.http.HttpResponse<String> echo = jdk.send(
        java.net.http.HttpRequest.newBuilder(uri("/echo")).POST(BodyPublishers.ofString("abc")).build(),
        BodyHandlers.ofString());
    assertEquals("abc", echo.body());
    assertEquals(404, jdk.send(java.net.http.HttpRequest.newBuilder(uri("/nope")).build(), BodyHandlers.discarding())
        .statusCode());
    assertEquals(405, jdk.send(java.net.http.HttpRequest.newBuilder(uri("/hello")).DELETE().build(),
        BodyHandlers.discarding()).statusCode());
  }

  @Test
  void keepAliveServesSequentialRequestsOnOneConnection() throws Exception {
    try (RawConnection connection = new RawConnection(port)) {
      for (int i = 0; i < 5; i++) {
        RawConnection.Response response = connection.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n").read();
        assertEquals(200, response.code());
        assertEquals("Hello, World!", response.body());
        assertNull(response.headers().get("connection"), "keep-alive is HTTP/1.1's default");
      }
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    try (RawConnection connection = new RawConnection(port)) {
      connection.send("GET /chunked/2 HTTP/1.1\r\nHost: t\r\n\r\n"
          + "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"
          + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nfifth"
          + "GET /scheme HTTP/1.1\r\nHost: t\r\n\r\n");
      assertEquals("part 1\npart 2\n", connection.read().body());
      assertEquals("Hello, World!", connection.read().body());
      assertEquals("fifth", connection.read().body());
      assertEquals("http", connection.read().body());
    }
  }

  @Test
  void chunkedRequestBodyIsReassembled() throws Exception {
    try (RawConnection connection = new RawConnection(port)) {
      RawConnection.Response response = connection.send(
          "POST /digest HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "5\r\nhello\r\n1\r\n \r\n6\r\nworld!\r\n0\r\n\r\n").read();
      assertEquals(200, response.code());
      assertEquals("12 " + sha256("hello world!"), response.body());
    }
  }

  @Test
  void chunkedResponseArrivesChunked() throws Exception {
    try (RawConnection connection = new RawConnection(port)) {
      RawConnection.Response response = connection.send("GET /chunked/50 HTTP/1.1\r\nHost: t\r\n\r\n").read();
      assertEquals("chunked", response.headers().get("transfer-encoding"));
      StringBuilder expected = new StringBuilder();
      for (int i = 1; i <= 50; i++) expected.append("part ").append(i).append('\n');
      assertEquals(expected.toString(), response.body());
    }
  }

  @Test
  void hundredMebibyteUploadAndDownloadKeepTheirDigests() throws Exception {
    String expected = Bytes.sha256(HUNDRED_MIB);
    java.net.http.HttpResponse<String> upload = jdk.send(
        java.net.http.HttpRequest.newBuilder(uri("/digest"))
            .POST(BodyPublishers.ofInputStream(() -> Bytes.stream(HUNDRED_MIB))) // chunked: no length
            .build(),
        BodyHandlers.ofString());
    assertEquals(200, upload.statusCode());
    assertEquals(HUNDRED_MIB + " " + expected, upload.body());

    java.net.http.HttpResponse<java.io.InputStream> download =
        jdk.send(java.net.http.HttpRequest.newBuilder(uri("/download/" + HUNDRED_MIB)).build(), BodyHandlers.ofInputStream());
    assertEquals(200, download.statusCode());
    assertEquals(String.valueOf(HUNDRED_MIB), download.headers().firstValue("content-length").orElse("none"));
    try (java.io.InputStream body = download.body()) {
      assertEquals(expected, Bytes.sha256(body));
    }
  }

  @Test
  void expectContinueGetsOneHundredBeforeTheBodyIsSent() throws Exception {
    try (RawConnection connection = new RawConnection(port)) {
      connection.send("POST /digest HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
      assertEquals("HTTP/1.1 100 Continue", connection.readInterim());
      RawConnection.Response response = connection.send("hello").read();
      assertEquals(200, response.code());
      assertEquals("5 " + sha256("hello"), response.body());
    }
  }

  // ---- timeouts ----------------------------------------------------------------------

  @Test
  void idleTimeoutClosesASilentConnection() throws Exception {
    ServerBinding idle = await(server(s -> withServerConfig("pekko.http.server.idle-timeout = 1s"))
        .bind(routes.route(system)));
    try (RawConnection connection = new RawConnection(idle.localAddress().getPort())) {
      assertEquals(200, connection.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n").read().code());
      assertTrue(connection.closedByServer(), "still open 30 s after a 1 s idle timeout");
    } finally {
      await(idle.terminate(Duration.ofSeconds(5)));
    }
  }

  @Test
  void requestTimeoutAnswers503() throws Exception {
    TestRoutes own = new TestRoutes();
    ServerBinding timing = await(server(s -> withServerConfig("pekko.http.server.request-timeout = 1s"))
        .bind(own.route(system)));
    try (RawConnection connection = new RawConnection(timing.localAddress().getPort())) {
      RawConnection.Response response = connection.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n").read();
      assertEquals(503, response.code());
      assertTrue(response.body().contains("timely response"), response.body());
      own.nextSlow().complete(HttpResponse.create()); // too late: discarded
    } finally {
      await(timing.terminate(Duration.ofSeconds(5)));
    }
  }

  // ---- TLS ---------------------------------------------------------------------------

  @Test
  void httpsWithASelfSignedCertificate(@TempDir Path dir) throws Exception {
    SelfSignedCertificate certificate = new SelfSignedCertificate(dir);
    ServerBinding https = await(server(s -> s)
        .enableHttps(ConnectionContext.httpsServer(certificate.serverContext))
        .bind(routes.route(system)));
    try {
      String base = "https://127.0.0.1:" + https.localAddress().getPort();
      HttpClient tlsClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .sslContext(certificate.clientContext).build();
      assertEquals("Hello, World!", tlsClient.send(
          java.net.http.HttpRequest.newBuilder(URI.create(base + "/hello")).build(), BodyHandlers.ofString()).body());
      assertEquals("https", tlsClient.send(
          java.net.http.HttpRequest.newBuilder(URI.create(base + "/scheme")).build(), BodyHandlers.ofString()).body());

      // Pekko HTTP's own client, TLS above the driver's transport
      HttpResponse response = await(Http.get(system).singleRequest(
          HttpRequest.GET(base + "/hello"),
          ConnectionContext.httpsClient(certificate.clientContext),
          ConnectionPoolSettings.create(system).withConnectionSettings(driver().clientSettings(system)),
          system.log()));
      assertEquals("Hello, World!", strictBody(response));

      String curl = Curl.run("-s", "--cacert", certificate.pem.toString(), base + "/scheme");
      if (curl != null) assertEquals("https", curl);
    } finally {
      await(https.terminate(Duration.ofSeconds(5)));
    }
  }

  // ---- termination and limits --------------------------------------------------------

  @Test
  void terminateDrainsTheRequestInFlightAndClosesIdleConnections() throws Exception {
    TestRoutes own = new TestRoutes();
    ServerBinding terminating = await(server(s -> s).bind(own.route(system)));
    int terminatingPort = terminating.localAddress().getPort();
    try (RawConnection inFlight = new RawConnection(terminatingPort);
        RawConnection idle = new RawConnection(terminatingPort)) {
      assertEquals(200, idle.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n").read().code());
      inFlight.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
      CompletableFuture<HttpResponse> slow = own.nextSlow();

      CompletionStage<HttpTerminated> terminated = terminating.terminate(Duration.ofSeconds(30));
      assertTrue(idle.closedByServer(), "an idle connection is closed at once");
      assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", terminatingPort).close(),
          "terminate unbinds first");
      assertFalse(terminated.toCompletableFuture().isDone(), "a request is still in flight");

      // The termination signal reaches each connection asynchronously (in Pekko HTTP too):
      // a response that overtook it would go out without "Connection: close". The handler
      // here answers well after terminate, as a draining server's handlers do.
      Thread.sleep(2000);
      slow.complete(HttpResponse.create().withEntity("late but answered"));
      RawConnection.Response response = inFlight.read();
      assertEquals(200, response.code());
      assertEquals("late but answered", response.body());
      assertEquals("close", response.headers().get("connection"));
      assertTrue(inFlight.closedByServer());
      await(terminated);
      assertTrue(terminating.whenTerminated().toCompletableFuture().isDone());
    }
  }

  @Test
  void maxConnectionsHoldsTheNextConnectionBackUntilOneCloses() throws Exception {
    ServerBinding limited = await(server(s -> s.withMaxConnections(2)).bind(routes.route(system)));
    int limitedPort = limited.localAddress().getPort();
    try (RawConnection first = new RawConnection(limitedPort);
        RawConnection second = new RawConnection(limitedPort);
        RawConnection third = new RawConnection(limitedPort)) {
      List<RawConnection> all = List.of(first, second, third);
      for (RawConnection c : all) c.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
      // Two are served, whichever two the server accepted first: with several pollers the
      // listener is sharded, and the kernel's shards are accepted in no global order.
      List<RawConnection> served = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (served.size() < 2 && System.nanoTime() < deadline) {
        for (RawConnection c : all) if (!served.contains(c) && c.answersWithin(100)) served.add(c);
      }
      assertEquals(2, served.size(), "two of three connections served");
      for (RawConnection c : served) {
        c.timeout(30_000);
        assertEquals(200, c.read().code());
      }
      RawConnection held = all.stream().filter(c -> !served.contains(c)).findFirst().orElseThrow();
      held.timeout(1500);
      assertTrue(held.silent(), "a third connection is not served while two are open");
      served.get(0).close();
      held.timeout(30_000);
      assertEquals("Hello, World!", held.read().body());
    } finally {
      await(limited.terminate(Duration.ofSeconds(5)));
    }
  }

  // ---- the other ways to bind ---------------------------------------------------------

  @Test
  void bindSyncAnswersAndAThrowingHandlerGets500() throws Exception {
    ServerBinding sync = await(server(s -> s).bindSync(request -> {
      if (request.getUri().path().equals("/boom")) throw new IllegalStateException("handler failed on purpose");
      return HttpResponse.create().withEntity("sync " + request.getUri().path());
    }));
    try (RawConnection connection = new RawConnection(sync.localAddress().getPort())) {
      assertEquals("sync /a", connection.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\n").read().body());
      RawConnection.Response failed = connection.send("GET /boom HTTP/1.1\r\nHost: t\r\n\r\n").read();
      assertEquals(500, failed.code());
      assertEquals("close", failed.headers().get("connection"));
      assertTrue(connection.closedByServer());
    } finally {
      await(sync.terminate(Duration.ofSeconds(5)));
    }
  }

  @Test
  void bindFlowServesWithAUserFlow() throws Exception {
    ServerBinding flow = await(server(s -> s).bindFlow(
        org.apache.pekko.stream.javadsl.Flow.<HttpRequest>create()
            .map(request -> HttpResponse.create().withEntity("flow " + request.method().value()))));
    try (RawConnection connection = new RawConnection(flow.localAddress().getPort())) {
      assertEquals("flow GET", connection.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().body());
      assertEquals("flow PUT",
          connection.send("PUT / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nx").read().body());
    } finally {
      await(flow.terminate(Duration.ofSeconds(5)));
    }
  }

  @Test
  void connectionSourceHandsOutConnectionsItsUserHandles() throws Exception {
    ServerBinding source = await(server(s -> s).connectionSource()
        .to(Sink.foreach(connection -> connection.handleWithSyncHandler(
            request -> HttpResponse.create().withEntity("from " + connection.remoteAddress().getPort()),
            org.apache.pekko.stream.SystemMaterializer.get(system).materializer())))
        .run(system));
    try (RawConnection connection = new RawConnection(source.localAddress().getPort())) {
      RawConnection.Response response = connection.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read();
      assertEquals(200, response.code());
      assertTrue(response.body().startsWith("from "), response.body());
    } finally {
      await(source.unbind());
    }
  }

  // ---- Pekko HTTP's client on the driver's transport ----------------------------------

  @Test
  void aClientPoolOf64ServesManyConcurrentRequests() throws Exception {
    ConnectionPoolSettings pool = ConnectionPoolSettings.create(system)
        .withMaxConnections(64)
        .withMaxOpenRequests(1024)
        .withConnectionSettings(driver().clientSettings(system));
    List<CompletableFuture<String>> answers = new ArrayList<>();
    for (int i = 0; i < 640; i++) {
      answers.add(Http.get(system)
          .singleRequest(HttpRequest.GET("http://127.0.0.1:" + port + "/port"),
              Http.get(system).defaultClientHttpsContext(), pool, system.log())
          .thenCompose(response -> response.entity().toStrict(30_000, system))
          .thenApply(entity -> entity.getData().utf8String())
          .toCompletableFuture());
    }
    Set<String> clientPorts = new HashSet<>();
    for (CompletableFuture<String> answer : answers) clientPorts.add(answer.get(60, TimeUnit.SECONDS));
    assertTrue(clientPorts.size() >= 2 && clientPorts.size() <= 64,
        "640 concurrent requests used " + clientPorts.size() + " connections");
  }

  @Test
  void anOutgoingConnectionCarriesRequestsInOrder() throws Exception {
    List<HttpResponse> responses = await(
        Source.from(List.of(HttpRequest.GET("/hello"), HttpRequest.GET("/chunked/3"), HttpRequest.GET("/scheme")))
            .via(Http.get(system).connectionTo("127.0.0.1").toPort(port)
                .withClientConnectionSettings(driver().clientSettings(system)).http())
            .mapAsync(1, response -> response.entity().toStrict(30_000, system).thenApply(e -> response.withEntity(e)))
            .runWith(Sink.seq(), system));
    List<String> bodies = new ArrayList<>();
    for (HttpResponse response : responses) bodies.add(strictBody(response));
    assertEquals(List.of("Hello, World!", "part 1\npart 2\npart 3\n", "http"), bodies);
  }

  // ---- helpers ------------------------------------------------------------------------

  private String strictBody(HttpResponse response) throws Exception {
    HttpEntity.Strict strict = await(response.entity().toStrict(30_000, system));
    return strict.getData().utf8String();
  }

  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("not completed within 60 s: " + e, e);
    }
  }

  private static String sha256(String text) {
    return java.util.HexFormat.of().formatHex(
        Bytes.newDigest().digest(text.getBytes(StandardCharsets.UTF_8)));
  }
}
