package io.pekkokq.examples;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's example server, started as a child JVM and talked to by real clients. */
class HttpServerTest {
  private static final String RESPONSE =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";

  @Test
  void answersKeepAliveAndPipelinedRequestsAndCurl() throws Exception {
    try (ExampleProcess server = ExampleProcess.start(HttpServer.class, "0")) {
      int port = Integer.parseInt(server.awaitLine("READY ").substring(6).trim());
      try (Socket client = new Socket("127.0.0.1", port)) {
        client.setSoTimeout(5000);
        OutputStream out = client.getOutputStream();
        InputStream in = client.getInputStream();
        out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(RESPONSE, read(in, RESPONSE.length()));
        // Three pipelined requests on the same connection, answered in order.
        String three = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n".repeat(3);
        out.write(three.getBytes(StandardCharsets.US_ASCII));
        assertEquals(RESPONSE.repeat(3), read(in, RESPONSE.length() * 3));
      }
      Process curl;
      try {
        curl = new ProcessBuilder("curl", "-s", "http://127.0.0.1:" + port + "/").start();
      } catch (java.io.IOException noCurl) {
        return; // curl is not installed here; the JDK client above covered the protocol
      }
      String body = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, curl.waitFor());
      assertEquals("Hello, World!", body);
    }
  }

  private static String read(InputStream in, int length) throws Exception {
    byte[] buffer = new byte[length];
    int off = 0;
    while (off < length) {
      int n = in.read(buffer, off, length - off);
      assertTrue(n > 0, "connection ended after " + off + " bytes");
      off += n;
    }
    return new String(buffer, StandardCharsets.US_ASCII);
  }
}
