package io.pekkokq.examples;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The guide's accept example in a child JVM: a JDK client, then curl where installed. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AcceptExampleTest {
  private static final String RESPONSE =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 20\r\nConnection: close\r\n\r\n"
          + "Hello from pekko-kq\n";

  @Test
  void logsEachReadEventAnswers200AndCloses() throws Exception {
    try (ExampleProcess server = ExampleProcess.start(AcceptExample.class, "0")) {
      int port = Integer.parseInt(server.awaitLine("READY ").substring(6).trim());
      String part1 = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n";
      String part2 = "Accept: */*\r\n\r\n";
      try (Socket client = new Socket("127.0.0.1", port)) {
        client.setSoTimeout(10_000);
        OutputStream out = client.getOutputStream();
        out.write(part1.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        server.awaitLine("accepted a connection from ");
        // The first half is read and logged before the second half is even sent.
        int first = readEventSize(server.awaitLine("READ event: "));
        assertEquals(part1.length(), first);
        out.write(part2.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        int seen = first;
        while (seen < part1.length() + part2.length()) seen += readEventSize(server.awaitLine("READ event: "));
        assertEquals(part1.length() + part2.length(), seen);
        // The whole response, then end of stream: the server closed the connection.
        assertEquals(RESPONSE, new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
      }
      server.awaitLine("answered 200 OK");
      server.awaitLine("connection closed");

      Process curl;
      try {
        curl = new ProcessBuilder("curl", "-s", "-m", "10", "http://127.0.0.1:" + port + "/").start();
      } catch (IOException noCurl) {
        return; // curl is not installed here; the JDK client above covered the protocol
      }
      try (InputStream body = curl.getInputStream()) {
        assertEquals("Hello from pekko-kq\n", new String(body.readAllBytes(), StandardCharsets.UTF_8));
      }
      assertTrue(curl.waitFor(10, TimeUnit.SECONDS));
      assertEquals(0, curl.exitValue());
      server.awaitLine("READ event: ");
    }
  }

  private static int readEventSize(String line) {
    // "READ event: received <n> bytes"
    String[] words = line.split(" ");
    return Integer.parseInt(words[3]);
  }
}
