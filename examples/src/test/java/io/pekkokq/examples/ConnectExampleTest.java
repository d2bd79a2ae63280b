package io.pekkokq.examples;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The guide's HTTP/1 client in a child JVM, against a JDK server and the HTTP example. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectExampleTest {
  @Test
  void sendsExactlyTheRequestPrintsTheResponseAndExitsWhenThePeerCloses() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      listener.setSoTimeout(30_000);
      int port = listener.getLocalPort();
      try (ExampleProcess client = ExampleProcess.start(ConnectExample.class, Integer.toString(port))) {
        assertEquals("connecting to 127.0.0.1:" + port, client.awaitLine("connecting to "));
        try (Socket peer = listener.accept()) {
          peer.setSoTimeout(10_000);
          String expected = "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n";
          assertEquals(expected, readHead(peer.getInputStream()));
          client.awaitLine("connected to /127.0.0.1:" + port);
          client.awaitLine("sent the HTTP request");
          peer.getOutputStream().write(
              "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII));
          peer.getOutputStream().flush();
          assertEquals("HTTP/1.1 200 OK", client.awaitLine("HTTP/1.1 "));
          assertEquals("Content-Length: 5", client.awaitLine("Content-Length"));
          // Nothing more may come from the client before we close; then it must exit.
          peer.shutdownOutput();
          assertEquals(-1, peer.getInputStream().read());
        }
        // The body has no newline of its own: the client ends its line when the peer closes.
        assertEquals("hello", client.awaitLine("hello"));
        client.awaitLine("the server closed the connection after 43 bytes");
        assertTrue(client.process().waitFor(20, TimeUnit.SECONDS), "the client exited");
        assertEquals(0, client.process().exitValue());
      }
    }
  }

  @Test
  void aRefusedConnectionIsAClearMessageAndExitCode1() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort(); // free once closed, so nothing listens there
    }
    try (ExampleProcess client = ExampleProcess.start(ConnectExample.class, "127.0.0.1:" + port)) {
      assertEquals(
          "could not connect to 127.0.0.1:" + port + ": Connection refused",
          client.awaitLine("could not connect"));
      assertTrue(client.process().waitFor(20, TimeUnit.SECONDS), "the client exited");
      assertEquals(1, client.process().exitValue());
    }
  }

  @Test
  void talksToTheHttpServerExample() throws Exception {
    try (ExampleProcess server = ExampleProcess.start(HttpServer.class, "0")) {
      String port = server.awaitLine("READY ").substring(6).trim();
      try (ExampleProcess client = ExampleProcess.start(ConnectExample.class, port, "127.0.0.1")) {
        client.awaitLine("HTTP/1.1 200 OK");
        client.awaitLine("Hello, World!");
        client.awaitLine("the server closed the connection after ");
        assertTrue(client.process().waitFor(20, TimeUnit.SECONDS), "the client exited");
        assertEquals(0, client.process().exitValue());
      }
    }
  }

  /** Reads up to and including the blank line that ends an HTTP request head. */
  private static String readHead(InputStream in) throws Exception {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      assertTrue(b >= 0, "the request ended early: " + head.toString(StandardCharsets.US_ASCII));
      head.write(b);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }
}
