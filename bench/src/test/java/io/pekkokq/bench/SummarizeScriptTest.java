package io.pekkokq.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/summarize.sh on a raw file written by hand: medians, ratios to the baseline, the
 * per-round ratios and the server-CPU rows, the figures docs/benchmarks.md quotes.
 */
class SummarizeScriptTest {
  @TempDir Path dir;

  private String summarize(List<String> lines) throws IOException, InterruptedException {
    Path raw = dir.resolve("raw-test.txt");
    Files.write(raw, lines, StandardCharsets.UTF_8);
    Process p =
        new ProcessBuilder("bash", "summarize.sh", raw.toString(), "--baseline", "a", "--servers", "a b")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "summarize.sh did not end");
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  private static String row(String table, String measurement) {
    return table.lines().filter(l -> l.startsWith("| " + measurement)).findFirst().orElse("no row " + measurement);
  }

  @Test
  void givesMediansRatiosPerRoundRatiosAndCpuPerRequest() throws Exception {
    String table =
        summarize(
            List.of(
                "RESULT mode=pingpong server=a conns=50 size=64 reqs_per_s=100 p99_us=10 cpu_us_per_req=8.00 errors=0 status=ok round=1",
                "RESULT mode=pingpong server=b conns=50 size=64 reqs_per_s=200 p99_us=10 cpu_us_per_req=4.00 errors=0 status=ok round=1",
                "RESULT mode=pingpong server=a conns=50 size=64 reqs_per_s=100 p99_us=10 cpu_us_per_req=8.00 errors=0 status=ok round=2",
                "RESULT mode=pingpong server=b conns=50 size=64 reqs_per_s=50 p99_us=10 cpu_us_per_req=16.00 errors=0 status=ok round=2",
                "RESULT mode=stream server=a conns=10 size=16384 window=16384 mb_per_s=1000 cpu_us_per_mb=500 errors=0 status=ok round=1",
                "RESULT mode=stream server=b conns=10 size=16384 window=16384 mb_per_s=800 cpu_us_per_mb=750 errors=0 status=ok round=1"));
    // b: 200 and 50 req/s, median 125, against a's 100; per round 2.00 and 0.50
    assertEquals(
        "| pingpong 50 x 64 B, req/s | 100 (1.00x; r: 1.00 1.00) | 125 (1.25x; r: 2.00 0.50) |",
        row(table, "pingpong 50 x 64 B, req/s"));
    assertEquals(
        "| pingpong 50 x 64 B, server CPU us/req (lower is better) | 8.00 (1.00x; r: 1.00 1.00) | 10.0 (1.25x; r: 0.50 2.00) |",
        row(table, "pingpong 50 x 64 B, server CPU us/req"));
    // one round only: no per-round list for what ran once
    assertTrue(
        row(table, "stream 10 x 16384 B in flight, server CPU us/MB").contains("750 (1.50x; r: 1.50 -)"),
        table);
  }

  @Test
  void linesWithoutRoundsOrCpuStillSummarize() throws Exception {
    String table =
        summarize(
            List.of(
                "RESULT mode=pingpong server=a conns=50 size=64 reqs_per_s=100 p99_us=10 errors=0 status=ok",
                "RESULT mode=pingpong server=b conns=50 size=64 reqs_per_s=300 p99_us=10 errors=0 status=ok"));
    assertEquals(
        "| pingpong 50 x 64 B, req/s | 100 (1.00x) | 300 (3.00x) |", row(table, "pingpong 50 x 64 B, req/s"));
    assertEquals("no row pingpong 50 x 64 B, server CPU us/req", row(table, "pingpong 50 x 64 B, server CPU us/req"));
  }

  @Test
  void udpLinesGiveDatagramsLossLatencyAndCpuRows() throws Exception {
    String table =
        summarize(
            List.of(
                "RESULT mode=udp server=a conns=8 window=64 size=64 dgrams_per_s=1000 loss_pct=0.000 p99_us=50 cpu_us_per_dgram=5.00 errors=0 status=ok",
                "RESULT mode=udp server=b conns=8 window=64 size=64 dgrams_per_s=1500 loss_pct=1.500 p99_us=40 cpu_us_per_dgram=4.00 errors=0 status=ok"));
    assertEquals(
        "| udp 8 sockets x 64 x 64 B, datagrams/s | 1000 (1.00x) | 1500 (1.50x) |",
        row(table, "udp 8 sockets x 64 x 64 B, datagrams/s"));
    // a baseline without loss has no ratio to give: the figures alone
    assertEquals(
        "| udp 8 sockets x 64 x 64 B, loss % (lower is better) | 0.00 | 1.50 |",
        row(table, "udp 8 sockets x 64 x 64 B, loss %"));
    assertEquals(
        "| udp 8 sockets x 64 x 64 B, server CPU us/datagram (lower is better) | 5.00 (1.00x) | 4.00 (0.80x) |",
        row(table, "udp 8 sockets x 64 x 64 B, server CPU us/datagram"));
  }
}
