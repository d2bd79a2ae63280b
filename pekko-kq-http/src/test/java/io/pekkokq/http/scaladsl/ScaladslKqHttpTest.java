package io.pekkokq.http.scaladsl;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.scaladsl.Http;
import org.apache.pekko.http.scaladsl.ServerBuilder;
import org.apache.pekko.http.scaladsl.model.HttpRequest;
import org.apache.pekko.http.scaladsl.model.HttpResponse;
import org.apache.pekko.stream.SystemMaterializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import scala.concurrent.Future;
import scala.concurrent.duration.FiniteDuration;
import scala.jdk.javaapi.FutureConverters;

/**
 * The scaladsl {@code KqHttp}: its builder is Pekko HTTP's own scaladsl {@code
 * ServerBuilder}, taking Scala functions and flows and giving Scala futures of Pekko HTTP's
 * scaladsl binding, on TCP and on a Unix socket; the JDK's HTTP client and Unix socket
 * channel are the independent clients.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScaladslKqHttpTest {
  private ActorSystem system;
  private final HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir Path dir;

  @BeforeAll
  void start() {
    system =
        ActorSystem.create(
            "ScaladslKqHttpTest", ConfigFactory.parseString("pekko.loglevel = WARNING").withFallback(ConfigFactory.load()));
  }

  @AfterAll
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static HttpResponse text(String body) {
    return (HttpResponse) org.apache.pekko.http.javadsl.model.HttpResponse.create().withEntity(body);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return FutureConverters.asJava(future).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private String get(int port, String path) throws Exception {
    java.net.http.HttpResponse<String> response = jdk.send(
        java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        BodyHandlers.ofString());
    return response.statusCode() + " " + response.body();
  }

  @Test
  void theBuilderIsPekkoHttpsScaladslServerBuilder() {
    ServerBuilder builder = KqHttp.get(system).newServerAt("127.0.0.1", 0);
    assertInstanceOf(ServerBuilder.class, builder.onPort(0).logTo(system.log()));
    assertSame(KqHttp.get(system), KqHttp.apply(system));
  }

  @Test
  void bindSyncAndAsyncAnswerAndTerminate() throws Exception {
    Http.ServerBinding sync =
        await(KqHttp.get(system).newServerAt("127.0.0.1", 0).bindSync(request -> text("sync " + request.uri().path())));
    Http.ServerBinding async =
        await(KqHttp.get(system).newServerAt("127.0.0.1", 0)
            .adaptSettings(settings -> settings.withPipeliningLimit(4))
            .bind(request -> Future.successful(text("async " + request.method().value()))));
    try {
      assertEquals("200 sync /a/b", get(sync.localAddress().getPort(), "/a/b"));
      assertEquals("200 async GET", get(async.localAddress().getPort(), "/"));
    } finally {
      await(sync.terminate(FiniteDuration.apply(5, TimeUnit.SECONDS)));
      await(async.terminate(FiniteDuration.apply(5, TimeUnit.SECONDS)));
    }
    assertTrue(sync.whenTerminated().isCompleted());
  }

  @Test
  void bindFlowTakesAScalaFlow() throws Exception {
    org.apache.pekko.stream.scaladsl.Flow<HttpRequest, HttpResponse, ?> flow =
        Flow.<HttpRequest>create().map(request -> text("flow " + request.uri().path())).asScala();
    Http.ServerBinding binding = await(KqHttp.get(system).newServerAt("127.0.0.1", 0).bindFlow(flow));
    try {
      assertEquals("200 flow /x", get(binding.localAddress().getPort(), "/x"));
    } finally {
      await(binding.unbind());
    }
  }

  @Test
  void connectionSourceGivesPekkoHttpsScaladslConnections() throws Exception {
    Future<Http.ServerBinding> bound =
        KqHttp.get(system)
            .newServerAt("127.0.0.1", 0)
            .connectionSource()
            .asJava()
            .to(Sink.foreach(connection -> connection.handleWithSyncHandler(
                request -> text("from " + connection.remoteAddress().getAddress().getHostAddress()),
                SystemMaterializer.get(system).materializer())))
            .run(system);
    Http.ServerBinding binding = await(bound);
    try {
      assertEquals("200 from 127.0.0.1", get(binding.localAddress().getPort(), "/"));
    } finally {
      await(binding.unbind());
    }
  }

  @Test
  void aScaladslServerOnAUnixSocket() throws Exception {
    Path socket = dir.resolve("scala.sock");
    Http.ServerBinding binding =
        await(KqHttp.get(system).newServerAt(UnixDomainSocketAddress.of(socket)).bindSync(request -> text("unix")));
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      channel.write(ByteBuffer.wrap(
          "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
      StringBuilder response = new StringBuilder();
      ByteBuffer buffer = ByteBuffer.allocate(4096);
      while (channel.read(buffer) >= 0) {
        response.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII));
        buffer.clear();
      }
      assertTrue(response.toString().startsWith("HTTP/1.1 200 OK\r\n"), response.toString());
      assertTrue(response.toString().endsWith("\r\n\r\nunix"), response.toString());
    } finally {
      await(binding.unbind());
    }
    assertFalse(Files.exists(socket), "unbind removes the socket file");
  }
}
