package io.pekkokq.examples;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EchoAndEventsExamplesTest {
  @Test
  void theEchoServerEchoesALargeMessage() throws Exception {
    try (ExampleProcess server = ExampleProcess.start(EchoServer.class, "0")) {
      int port = Integer.parseInt(server.awaitLine("READY ").substring(6).trim());
      byte[] data = new byte[1 << 20];
      new Random(7).nextBytes(data);
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
          assertTrue(n > 0);
          off += n;
        }
        writer.join();
        assertArrayEquals(data, back);
      }
    }
  }

  @Test
  void theEventsExamplePrintsTimersTheUserEventAndSignalsAndStopsOnTerm() throws Exception {
    try (ExampleProcess example = ExampleProcess.start(EventsExample.class)) {
      example.awaitLine("READY pid ");
      example.awaitLine("user event from a plain thread");
      example.awaitLine("periodic timer");
      example.awaitLine("one-shot timer");
      for (String signal : new String[] {"USR1", "HUP"}) {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(example.pid())).start();
        assertEquals(0, kill.waitFor());
        example.awaitLine("signal " + signal);
      }
      new ProcessBuilder("kill", "-TERM", Long.toString(example.pid())).start().waitFor();
      example.awaitLine("shutting down");
      assertTrue(example.process().waitFor(20, TimeUnit.SECONDS), "the JVM exited after SIGTERM");
    }
  }
}
