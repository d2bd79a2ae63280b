package io.pekkokq.examples;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Unix socket HTTP pair, each in a child JVM: the server talked to by curl
 * --unix-socket and by the client example; the client against nobody fails clearly.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UnixSocketHttpExamplesTest {
  @TempDir Path dir;

  @Test
  void curlAndTheClientExampleTalkToTheServerExample() throws Exception {
    Path socket = dir.resolve("api.sock");
    try (ExampleProcess server = ExampleProcess.start(UnixSocketHttpServer.class, socket.toString())) {
      assertEquals("READY " + socket, server.awaitLine("READY "));

      String version = Curl.run("-s", "--unix-socket", socket.toString(), "http://localhost/version");
      if (version != null) {
        assertEquals("{\"name\":\"pekko-kq\",\"api\":\"1\"}", version);
        assertEquals("hi", Curl.run("-s", "--unix-socket", socket.toString(), "-d", "hi", "http://localhost/echo"));
      }

      try (ExampleProcess client = ExampleProcess.start(UnixSocketHttpClient.class, socket.toString(), "/version")) {
        assertEquals("HTTP/1.1 200", client.awaitLine("HTTP/1.1 "));
        assertEquals("{\"name\":\"pekko-kq\",\"api\":\"1\"}", client.awaitLine("{"));
        assertTrue(client.process().waitFor(60, TimeUnit.SECONDS), "the client exited");
        assertEquals(0, client.process().exitValue());
      }
    }
  }

  @Test
  void theClientExampleWithNobodyAtThePathSaysSoAndExits1() throws Exception {
    Path missing = dir.resolve("nobody.sock");
    assertFalse(Files.exists(missing));
    try (ExampleProcess client = ExampleProcess.start(UnixSocketHttpClient.class, missing.toString(), "/version")) {
      String line = client.awaitLine("request to ");
      assertTrue(line.contains(missing.toString()), line);
      assertTrue(client.process().waitFor(60, TimeUnit.SECONDS), "the client exited");
      assertEquals(1, client.process().exitValue());
    }
  }
}
