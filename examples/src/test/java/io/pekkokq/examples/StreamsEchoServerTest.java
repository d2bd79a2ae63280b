package io.pekkokq.examples;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Streams echo server in a child JVM, talked to by a JDK socket. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamsEchoServerTest {
  @Test
  void echoesALargeMessageAndClosesAfterThePeersFin() throws Exception {
    try (ExampleProcess server = ExampleProcess.start(StreamsEchoServer.class, "0")) {
      int port = Integer.parseInt(server.awaitLine("READY ").substring(6).trim());
      byte[] data = new byte[1 << 20];
      new Random(5).nextBytes(data);
      try (Socket client = new Socket("127.0.0.1", port)) {
        client.setSoTimeout(10_000);
        Thread writer = new Thread(() -> {
          try {
            client.getOutputStream().write(data);
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        });
        writer.start();
        byte[] back = new byte[data.length];
        InputStream in = client.getInputStream();
        for (int off = 0; off < back.length; ) {
          int n = in.read(back, off, back.length - off);
          assertTrue(n > 0, "the echo ended after " + off + " bytes");
          off += n;
        }
        writer.join(10_000);
        assertArrayEquals(data, back);
        // halfClose = false (Pekko's server default): our FIN ends the echo and the connection.
        client.shutdownOutput();
        assertEquals(-1, in.read());
      }
    }
  }
}
