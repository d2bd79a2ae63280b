package io.pekkokq.http.suite;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** curl as a second, independent client; CI installs it, a developer's machine may lack it. */
public final class Curl {
  private Curl() {}

  /** curl's output, or null when curl is not installed. Fails on a non-zero exit. */
  public static String run(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("curl", "--max-time", "60"));
    command.addAll(List.of(args));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException notInstalled) {
      return null;
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("curl did not finish: " + command);
    }
    if (process.exitValue() != 0) throw new AssertionError("curl exited " + process.exitValue() + ": " + command);
    return output;
  }
}
