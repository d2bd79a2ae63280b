package io.pekkokq.examples;

import static org.junit.jupiter.api.Assertions.*;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The file example in a child JVM: reading on the blocking pool, and serving with sendfile. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileExampleTest {
  @TempDir static Path dir;
  static Path file;
  static byte[] content;

  @BeforeAll
  static void aFileLargerThanOneSendfileStep() throws Exception {
    content = new byte[3 * 1024 * 1024 + 17]; // several 512 KiB sendfile steps
    new Random(11).nextBytes(content);
    file = dir.resolve("data.bin");
    Files.write(file, content);
  }

  @Test
  void readPrintsSizeAndSha256AndExits0() throws Exception {
    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    try (ExampleProcess example = ExampleProcess.start(FileExample.class, "read", file.toString())) {
      example.awaitLine("reading " + file + " on pekko.actor.default-blocking-io-dispatcher");
      assertEquals(
          file + ": " + content.length + " bytes, SHA-256 " + sha256, example.awaitLine(file + ": "));
      assertTrue(example.process().waitFor(20, TimeUnit.SECONDS), "exited");
      assertEquals(0, example.process().exitValue());
    }
  }

  @Test
  void readingAMissingFileIsAMessageAndExitCode1() throws Exception {
    Path missing = dir.resolve("missing.bin");
    try (ExampleProcess example = ExampleProcess.start(FileExample.class, "read", missing.toString())) {
      assertEquals("could not read " + missing + ": no such file", example.awaitLine("could not read"));
      assertTrue(example.process().waitFor(20, TimeUnit.SECONDS), "exited");
      assertEquals(1, example.process().exitValue());
    }
  }

  @Test
  void serveSendsTheWholeFileToEachClientThenCloses() throws Exception {
    try (ExampleProcess server = ExampleProcess.start(FileExample.class, "serve", file.toString(), "0")) {
      int port = Integer.parseInt(server.awaitLine("READY ").substring(6).trim());
      // Three clients at once, each gets the whole file and then end of stream.
      CompletableFuture<?>[] clients = new CompletableFuture<?>[3];
      for (int i = 0; i < clients.length; i++) {
        clients[i] = CompletableFuture.runAsync(() -> {
          try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(10_000);
            assertArrayEquals(content, client.getInputStream().readAllBytes());
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        });
      }
      CompletableFuture.allOf(clients).get(30, TimeUnit.SECONDS);
      for (int i = 0; i < clients.length; i++) server.awaitLine("sent " + file + " (" + content.length + " bytes) to ");
    }
  }
}
