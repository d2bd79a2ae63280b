package io.pekkokq.examples;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** curl as an independent client for the examples' tests; CI installs it, a developer may lack it. */
final class Curl {
  private Curl() {}

  /** curl's output, or null when curl is not installed. Fails on a non-zero exit. */
  static String run(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("curl", "--max-time", "30"));
    command.addAll(List.of(args));
    Process curl;
    try {
      curl = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException notInstalled) {
      return null;
    }
    String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(curl.waitFor(60, TimeUnit.SECONDS), "curl finished: " + command);
    assertEquals(0, curl.exitValue(), "curl's exit code for " + command);
    return out;
  }
}
