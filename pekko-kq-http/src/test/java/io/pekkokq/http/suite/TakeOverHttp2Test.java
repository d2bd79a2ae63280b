package io.pekkokq.http.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.io.KqTcp;
import io.pekkokq.io.PekkoTcpTakeOver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 on pekko-kq: {@code KqHttp} cannot serve it (Pekko HTTP has no public HTTP/2 layer
 * to join to a byte flow, docs/pekko-http.md), but Pekko HTTP's own HTTP/2 server binds
 * through {@code Tcp(system)}, so under {@code take-over-pekko-tcp = on} it runs on
 * pekko-kq's sockets unchanged: h2c with prior knowledge and h2 negotiated by ALPN. Each
 * test checks the protocol both ends saw and that the connection was pekko-kq's (its
 * accepted-connections count grew), so a silent fall back to HTTP/1.1 or to Pekko's NIO
 * fails it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TakeOverHttp2Test {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private ActorSystem system;

  @BeforeAll
  void start() {
    system = ActorSystem.create("TakeOverHttp2Test", ConfigFactory.parseString(
            "pekko.io.kq.take-over-pekko-tcp = on\n"
                + "pekko.http.server.enable-http2 = on\n"
                + "pekko.loglevel = WARNING")
        .withFallback(ConfigFactory.load()));
    PekkoTcpTakeOver takeOver = PekkoTcpTakeOver.get(system);
    if (!takeOver.active()) throw new AssertionError("the take-over did not happen: " + takeOver.reason());
  }

  @AfterAll
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** Answers with the protocol the server saw the request arrive in. */
  private Function<HttpRequest, CompletionStage<HttpResponse>> echoProtocol() {
    return request -> {
      request.discardEntityBytes(system);
      return CompletableFuture.completedFuture(
          HttpResponse.create().withEntity("protocol=" + request.protocol().value()));
    };
  }

  private long accepted() {
    return KqTcp.get(system).metrics().actor().accepted();
  }

  @Test
  void h2cWithPriorKnowledge() throws Exception {
    ServerBinding binding = await(Http.get(system).newServerAt("127.0.0.1", 0).bind(echoProtocol()));
    try {
      int port = binding.localAddress().getPort();
      long acceptedBefore = accepted();

      HttpResponse response = await(Source.single(HttpRequest.GET("/"))
          .via(Http.get(system).connectionTo("127.0.0.1").toPort(port).http2WithPriorKnowledge())
          .runWith(Sink.head(), system));
      assertEquals("HTTP/2.0", response.protocol().value());
      assertEquals("protocol=HTTP/2.0", strictBody(response));
      assertTrue(accepted() > acceptedBefore, "the connection did not go through pekko-kq");

      // curl as an independent HTTP/2 client (CI installs it; skipped where it is missing)
      String curl = Curl.run("-s", "--http2-prior-knowledge", "-w", " %{http_version}",
          "http://127.0.0.1:" + port + "/");
      if (curl != null) assertEquals("protocol=HTTP/2.0 2", curl);
    } finally {
      await(binding.terminate(Duration.ofSeconds(5)));
    }
  }

  @Test
  void h2ByAlpnOverTls(@TempDir Path dir) throws Exception {
    SelfSignedCertificate certificate = new SelfSignedCertificate(dir);
    ServerBinding binding = await(Http.get(system).newServerAt("127.0.0.1", 0)
        .enableHttps(ConnectionContext.httpsServer(certificate.serverContext))
        .bind(echoProtocol()));
    try {
      String base = "https://127.0.0.1:" + binding.localAddress().getPort();
      long acceptedBefore = accepted();

      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
          .sslContext(certificate.clientContext).connectTimeout(TIMEOUT).build();
      java.net.http.HttpResponse<String> response = client.send(
          java.net.http.HttpRequest.newBuilder(URI.create(base + "/")).timeout(TIMEOUT).build(),
          BodyHandlers.ofString());
      assertEquals(HttpClient.Version.HTTP_2, response.version());
      assertEquals("protocol=HTTP/2.0", response.body());
      assertTrue(accepted() > acceptedBefore, "the connection did not go through pekko-kq");
    } finally {
      await(binding.terminate(Duration.ofSeconds(5)));
    }
  }

  private String strictBody(HttpResponse response) throws Exception {
    return await(response.entity().toStrict(TIMEOUT.toMillis(), system)).getData().utf8String();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }
}
