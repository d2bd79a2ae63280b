package io.pekkokq.stream;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp.ServerBinding;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pekko's own TLS BidiFlow over the Streams TCP under test, client and server on the same
 * implementation, with a certificate made by keytool at test time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsOverKqTcpTest {
  private static ActorSystem system;
  private static SSLContext context;

  @BeforeAll
  static void start() throws Exception {
    system = ActorSystem.create("TlsOverKqTcpTest");
    context = selfSignedContext();
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  static java.util.stream.Stream<String> drivers() {
    return StreamTcpDriver.drivers();
  }

  /** keytool -genkeypair into a temporary PKCS12 store, used as key and trust store. */
  static SSLContext selfSignedContext() throws Exception {
    Path dir = Files.createTempDirectory("kq-tls");
    File store = dir.resolve("test.p12").toFile();
    char[] password = "changeit".toCharArray();
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p =
        new ProcessBuilder(
                keytool, "-genkeypair", "-alias", "test", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.getPath(), "-storepass", "changeit",
                "-keypass", "changeit")
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "keytool hung");
    assertEquals(0, p.exitValue(), "keytool failed: " + output);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(store)) {
      ks.load(in, password);
    }
    store.delete();
    dir.toFile().delete();
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, password);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  private static SSLEngine server() {
    SSLEngine e = context.createSSLEngine();
    e.setUseClientMode(false);
    return e;
  }

  private static SSLEngine client(int port) {
    SSLEngine e = context.createSSLEngine("127.0.0.1", port);
    e.setUseClientMode(true);
    javax.net.ssl.SSLParameters params = e.getSSLParameters();
    params.setEndpointIdentificationAlgorithm("HTTPS"); // checks the certificate's SAN
    e.setSSLParameters(params);
    return e;
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("drivers")
  void tlsEchoRoundTrip(String name) throws Exception {
    StreamTcpDriver d = StreamTcpDriver.of(name, system);
    ServerBinding binding =
        d.bindWithTls("127.0.0.1", 0, TlsOverKqTcpTest::server)
            .to(Sink.foreach(c -> c.handleWith(Flow.of(ByteString.class), system)))
            .run(system)
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    int port = binding.localAddress().getPort();
    ByteString message = ByteString.fromString("hello over TLS ".repeat(5000)); // ~75 KB
    CompletionStage<ByteString> echoed =
        Source.single(message)
            .concat(Source.maybe()) // TLS ignores completion by default: keep the session open
            .via(d.connectWithTls(new InetSocketAddress("127.0.0.1", port), () -> client(port)))
            .scan(ByteString.emptyByteString(), ByteString::concat)
            .dropWhile(s -> s.size() < message.size())
            .runWith(Sink.head(), system);
    assertEquals(message, echoed.toCompletableFuture().get(20, TimeUnit.SECONDS));
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
