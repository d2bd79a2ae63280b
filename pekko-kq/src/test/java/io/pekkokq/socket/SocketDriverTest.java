package io.pekkokq.socket;

import static org.junit.jupiter.api.Assertions.*;

import io.pekkokq.runtime.ChannelBudget;
import io.pekkokq.runtime.DirectBufferPool;
import io.pekkokq.sys.Errno;
import io.pekkokq.sys.ReadyBits;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * The socket driver against a {@link FakeKernel}: readiness edges, EAGAIN, short reads,
 * hang-ups, resets and write refusals in the orders a kernel can produce them, with what
 * was read, written, closed and reported asserted. Both front-ends (connection actors and
 * stream stages) drive their sockets through this one driver.
 */
class SocketDriverTest {
  private static final int CHUNK = 4;
  private static final long NO_BUDGET = Long.MAX_VALUE;

  private final DirectBufferPool pool = new DirectBufferPool(8, 4);
  private final FakeKernel kernel = new FakeKernel();
  private final SocketDriver driver = new SocketDriver(kernel, pool);
  private final Reader reader = new Reader();

  /** A read target that records chunks and has demand while {@link #demand} is positive. */
  static final class Reader implements ReadTarget {
    final List<String> chunks = new ArrayList<>();
    /** The chunks as received, kept: a later read must not change them. */
    final List<ByteString> received = new ArrayList<>();
    long demand = Long.MAX_VALUE;

    @Override
    public boolean wantsMore() {
      return demand > 0;
    }

    @Override
    public void onBytes(ByteString data) {
      received.add(data);
      chunks.add(data.utf8String());
      demand--;
    }

    final List<String> reported = new ArrayList<>();

    @Override
    public void onBudgetUsed() {
      reported.add("budget");
    }

    @Override
    public void onEndOfStream() {
      reported.add("end");
    }

    @Override
    public void onReadFailure(java.io.IOException cause) {
      reported.add("failed: " + cause.getMessage());
    }

    String all() {
      return String.join("", chunks);
    }
  }

  private void edgesGoToTheDriver() {
    kernel.edges = driver::onReady;
  }

  // ---- readiness ---------------------------------------------------------------------

  @Test
  void aHangUpIsReadableAndAnErrorIsBothWaysButNotTheOtherWayRound() {
    assertTrue(Readiness.isReadable(ReadyBits.HANGUP), "the peer's FIN is read as end of stream");
    assertFalse(Readiness.isWritable(ReadyBits.HANGUP));
    assertTrue(Readiness.isReadable(ReadyBits.ERROR));
    assertTrue(Readiness.isWritable(ReadyBits.ERROR));
    assertFalse(Readiness.isReadable(ReadyBits.WRITABLE));
    assertFalse(Readiness.isWritable(ReadyBits.READABLE));
  }

  @Test
  void withoutAnEdgeNothingIsReadOrWritten() {
    kernel.arrive("data the driver was not told about");
    assertEquals(SocketDriver.READ_DRAINED, driver.read(reader, CHUNK, NO_BUDGET));
    assertEquals(0, driver.write(bytes("x")));
    assertEquals(0, kernel.readCalls);
    assertTrue(kernel.writeCalls.isEmpty());
  }

  // ---- reading -----------------------------------------------------------------------

  @Test
  void aShortReadMeansDrainedAndTheNextEdgeIsAwaited() {
    edgesGoToTheDriver();
    kernel.arrive("abc");
    assertEquals(SocketDriver.READ_DRAINED, driver.read(reader, CHUNK, NO_BUDGET));
    assertEquals(List.of("abc"), reader.chunks);
    assertEquals(1, kernel.readCalls, "3 < 4 bytes: no second read to learn EAGAIN");
    assertFalse(driver.readable());
    kernel.arrive("d");
    assertEquals(SocketDriver.READ_DRAINED, driver.read(reader, CHUNK, NO_BUDGET));
    assertEquals("abcd", reader.all());
  }

  @Test
  void fullReadsGoOnUntilEagain() {
    edgesGoToTheDriver();
    kernel.arrive("abcdefgh");
    assertEquals(SocketDriver.READ_DRAINED, driver.read(reader, CHUNK, NO_BUDGET));
    assertEquals(List.of("abcd", "efgh"), reader.chunks);
    assertEquals(3, kernel.readCalls, "the third read returned EAGAIN");
    assertFalse(driver.readable());
  }

  @Test
  void afterTheHangUpAShortReadIsNotTheEndAndTheLoopReadsOnToEndOfStream() {
    edgesGoToTheDriver();
    kernel.arrive("ab");
    kernel.peerCloses();
    assertEquals(SocketDriver.READ_END, driver.read(reader, CHUNK, NO_BUDGET));
    assertEquals(List.of("ab"), reader.chunks);
    assertEquals(List.of("end"), reader.reported);
    assertFalse(driver.readable());
  }

  @Test
  void theBudgetEndsTheLoopWithReadinessKeptSoTheOwnerContinues() {
    edgesGoToTheDriver();
    kernel.arrive("abcdefghijkl");
    assertEquals(SocketDriver.READ_BUDGET_USED, driver.read(reader, CHUNK, 8));
    assertEquals("abcdefgh", reader.all());
    assertTrue(driver.readable(), "no new edge will come for the bytes still there");
    assertEquals(List.of("budget"), reader.reported, "the owner is told to continue");
    assertEquals(SocketDriver.READ_DRAINED, driver.read(reader, CHUNK, 8));
    assertEquals("abcdefghijkl", reader.all());
  }

  @Test
  void withoutDemandNothingIsReadAndReadinessWaitsForIt() {
    edgesGoToTheDriver();
    reader.demand = 1;
    kernel.arrive("abcdefgh");
    assertEquals(SocketDriver.READ_PAUSED, driver.read(reader, CHUNK, NO_BUDGET));
    assertEquals(List.of("abcd"), reader.chunks, "one chunk per unit of demand");
    assertEquals(SocketDriver.READ_PAUSED, driver.read(reader, CHUNK, NO_BUDGET));
    assertEquals(1, kernel.readCalls, "no read without demand");
    assertTrue(driver.readable());
    reader.demand = 10;
    assertEquals(SocketDriver.READ_DRAINED, driver.read(reader, CHUNK, NO_BUDGET));
    assertEquals("abcdefgh", reader.all());
  }

  @Test
  void aResetIsReportedAsPekkoReportsIt() {
    edgesGoToTheDriver();
    kernel.arrive("ab");
    kernel.peerResets();
    assertEquals(SocketDriver.READ_FAILED, driver.read(reader, CHUNK, NO_BUDGET));
    assertEquals("Connection reset", driver.readFailure().getMessage());
    assertEquals(List.of("failed: Connection reset"), reader.reported);
    assertTrue(driver.writable(), "the error edge makes the writer look too, and learn it");
  }

  @Test
  void anEdgeWithNoDataBehindItCostsOneReadThatReturnsEagain() {
    driver.onReady(ReadyBits.READABLE); // e.g. data read already under an earlier edge
    assertEquals(SocketDriver.READ_DRAINED, driver.read(reader, CHUNK, NO_BUDGET));
    assertEquals(1, kernel.readCalls);
    assertTrue(reader.chunks.isEmpty());
  }

  /**
   * Every order of: bytes arriving (twice), demand coming and going, and the peer closing.
   * The owner reads on each edge and whenever demand returns, as both front-ends do. In
   * every order all bytes arrive in order, end of stream is reported once and only after
   * them, and no read is made without demand.
   */
  @Test
  void inEveryOrderOfArrivalsDemandAndHangUpAllBytesAndOneEndArrive() {
    String[] steps = {"arrive:abcdef", "arrive:gh", "stop", "resume", "close"};
    List<List<String>> orders = new ArrayList<>();
    permutations(new ArrayList<>(List.of(steps)), new ArrayList<>(), orders);
    assertEquals(120, orders.size());
    for (List<String> order : orders) {
      FakeKernel k = new FakeKernel();
      SocketDriver d = new SocketDriver(k, pool);
      Reader r = new Reader();
      int[] ends = new int[1];
      boolean[] closedBeforeAllData = new boolean[1];
      Runnable readNow =
          () -> {
            int result = d.read(r, CHUNK, NO_BUDGET);
            if (result == SocketDriver.READ_END) {
              ends[0]++;
              if (r.all().length() != 8) closedBeforeAllData[0] = true;
            }
          };
      k.edges =
          bits -> {
            d.onReady(bits);
            readNow.run();
          };
      for (String step : order) {
        if (step.startsWith("arrive:")) k.arrive(step.substring(7));
        else if (step.equals("stop")) r.demand = 0;
        else if (step.equals("resume")) {
          r.demand = Long.MAX_VALUE;
          readNow.run();
        } else k.peerCloses();
      }
      r.demand = Long.MAX_VALUE; // the stream pulls once more at the end
      readNow.run();
      String where = "order " + order;
      boolean closeBeforeData = order.indexOf("close") < order.indexOf("arrive:gh")
          || order.indexOf("close") < order.indexOf("arrive:abcdef");
      if (closeBeforeData) {
        // Bytes after the FIN do not happen on a real socket; what matters is that the
        // driver never reports the end while bytes it was told about wait.
        continue;
      }
      String expected =
          order.indexOf("arrive:abcdef") < order.indexOf("arrive:gh") ? "abcdefgh" : "ghabcdef";
      assertEquals(expected, r.all(), where);
      assertEquals(1, ends[0], where);
      assertFalse(closedBeforeAllData[0], where);
      assertEquals(0, k.available(), where);
    }
  }

  private static void permutations(List<String> left, List<String> prefix, List<List<String>> out) {
    if (left.isEmpty()) {
      out.add(new ArrayList<>(prefix));
      return;
    }
    for (int i = 0; i < left.size(); i++) {
      String s = left.remove(i);
      prefix.add(s);
      permutations(left, prefix, out);
      prefix.remove(prefix.size() - 1);
      left.add(i, s);
    }
  }

  @Test
  void drainAndDropReadsWhatIsThereUpToItsLimit() {
    kernel.arrive("abcdefghijklmnopqrstuvwx");
    driver.drainAndDrop(10);
    assertEquals(8, kernel.available(), "whole 8-byte reads until the limit is passed");
  }

  @Test
  void aReceivedChunkIsNeverOverwrittenByLaterReads() {
    edgesGoToTheDriver();
    kernel.arrive("ab");
    driver.read(reader, CHUNK, NO_BUDGET);
    kernel.arrive("cdefgh");
    driver.read(reader, CHUNK, NO_BUDGET);
    kernel.arrive("i");
    driver.read(reader, CHUNK, NO_BUDGET);
    List<String> kept = new ArrayList<>();
    for (ByteString chunk : reader.received) kept.add(chunk.utf8String());
    assertEquals(List.of("ab", "cdef", "gh", "i"), kept, "each chunk as it was read, after all the reads");
  }

  @Test
  void aReaderTakingOneChunkPerLoopStillGetsLargerChunksWhileDataOutrunsThem() {
    // A stream stage reads once per pull: the read size must grow across loops too.
    SocketDriver d = new SocketDriver(kernel, new DirectBufferPool(128 * 1024, 4));
    kernel.edges = d::onReady;
    String sent = "x".repeat(100_000);
    kernel.arrive(sent);
    for (int loops = 0; loops < 100 && reader.all().length() < sent.length(); loops++) {
      reader.demand = 1;
      d.read(reader, 64 * 1024, NO_BUDGET);
    }
    assertEquals(sent.length(), reader.all().length());
    assertTrue(sent.equals(reader.all()));
    int largest = reader.chunks.stream().mapToInt(String::length).max().orElse(0);
    assertTrue(reader.chunks.size() <= 6, reader.chunks.size() + " chunks: the reads grew");
    assertTrue(largest >= 32 * 1024, "largest chunk " + largest);
  }

  @Test
  void manyChunksOfMixedSizesArriveIntactAndInOrder() {
    edgesGoToTheDriver();
    StringBuilder sent = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      String part = "x".repeat(i % 7) + i + ";";
      sent.append(part);
      kernel.arrive(part);
      driver.read(reader, 3 + i % 5, NO_BUDGET);
    }
    assertEquals(sent.toString(), reader.all());
    StringBuilder kept = new StringBuilder();
    for (ByteString chunk : reader.received) kept.append(chunk.utf8String());
    assertEquals(sent.toString(), kept.toString(), "no chunk changed after it was received");
  }

  // ---- writing -----------------------------------------------------------------------

  @Test
  void aLoneHeapArrayGoesOutFromTheHeapInOneCall() {
    driver.assumeReady();
    assertEquals(5, driver.write(bytes("hello")));
    assertEquals(List.of("heap"), kernel.writeCalls);
    assertEquals("hello", kernel.writtenText());
    assertTrue(driver.writable());
  }

  @Test
  void aLoneSliceOfAHeapArrayGoesOutFromTheHeapToo() {
    driver.assumeReady();
    ByteString slice = ByteString.fromString("xxhello worldyy").slice(2, 13);
    assertInstanceOf(ByteString.ByteString1.class, slice, "a slice, as a part-filled read hands over");
    assertEquals(11, driver.write(i -> i == 0 ? slice : null));
    assertEquals(List.of("heap"), kernel.writeCalls, "no copy into a direct buffer");
    assertEquals("hello world", kernel.writtenText());
  }

  @Test
  void consecutivePartsAreGatheredIntoOneWritev() {
    driver.assumeReady();
    assertEquals(12, driver.write(bytes("abcd", "efgh", "ijkl")));
    assertEquals(List.of("writev:2"), kernel.writeCalls, "12 bytes in two 8-byte buffers");
    assertEquals("abcdefghijkl", kernel.writtenText());
  }

  @Test
  void aGatheredWriteAfterHeapArrayWritesGetsItsBuffersThenAndAgainLater() {
    driver.assumeReady();
    assertEquals(5, driver.write(bytes("hello"))); // the engine is made, its gather arrays not
    assertEquals(12, driver.write(bytes("abcd", "efgh", "ijkl")));
    assertEquals(5, driver.write(bytes("world")));
    assertEquals(12, driver.write(bytes("mnop", "qrst", "uvwx")));
    assertEquals(List.of("heap", "writev:2", "heap", "writev:2"), kernel.writeCalls);
    assertEquals("helloabcdefghijklworldmnopqrstuvwx", kernel.writtenText());
  }

  @Test
  void partsThatFitOneBufferGoOutWithOnePlainWrite() {
    driver.assumeReady();
    assertEquals(4, driver.write(bytes("ab", "cd")));
    assertEquals(List.of("buffer"), kernel.writeCalls);
  }

  @Test
  void aDescriptorThatCannotGatherGetsOneBufferPerCall() {
    kernel.gathers = false;
    driver.assumeReady();
    assertEquals(8, driver.write(bytes("abcd", "efgh", "ijkl")));
    assertEquals(List.of("buffer"), kernel.writeCalls);
  }

  @Test
  void aShortWriteSpendsWritableUntilTheNextEdge() {
    edgesGoToTheDriver();
    driver.assumeReady();
    kernel.writeAllowance.add(3);
    assertEquals(3, driver.write(bytes("abcdef")));
    assertFalse(driver.writable());
    assertEquals(0, driver.write(bytes("def")), "no call while the send buffer is full");
    assertEquals(1, kernel.writeCalls.size());
    kernel.sendBufferDrains();
    assertEquals(3, driver.write(bytes("def")));
    assertEquals("abcdef", kernel.writtenText());
  }

  @Test
  void eagainOnWriteIsNoErrorButWaitsForWritable() {
    driver.assumeReady();
    kernel.writeAllowance.add(-Errno.EAGAIN);
    assertEquals(0, driver.write(bytes("abc")));
    assertFalse(driver.writable());
  }

  @Test
  void aFailedWriteReturnsItsErrnoForTheOwnerToReport() {
    driver.assumeReady();
    kernel.writeAllowance.add(-Errno.EPIPE);
    long result = driver.write(bytes("abc"));
    assertEquals(-Errno.EPIPE, result);
    assertEquals(Errno.message(Errno.EPIPE), SocketDriver.writeFailure(result).getMessage());
  }

  @Test
  void aSendfileStepThatWentShortSpendsWritable() {
    driver.assumeReady();
    FileTransfer file = new FileTransfer(java.nio.file.Path.of("unused"), 0, 100, 100);
    driver.fileStepEnded(40, 100);
    assertFalse(driver.writable());
    driver.onReady(ReadyBits.WRITABLE);
    assertEquals(FileTransfer.FAILED, file.stepEnded(driver, 0, null), "0 bytes: the file ended early");
    assertTrue(file.failure().getMessage().contains("ended before"));
  }

  // ---- ending ------------------------------------------------------------------------

  @Test
  void closeAndAbortGiveTheMaxChannelsPlaceBackOnce() {
    ChannelBudget budget = new ChannelBudget(2);
    assertTrue(budget.tryReserve());
    driver.holdingPlaceOf(budget);
    driver.abort();
    driver.close();
    assertTrue(kernel.aborted, "abort resets the peer");
    assertEquals(0, budget.open(), "given back once, not twice");
    assertFalse(driver.isOpen());
  }

  @Test
  void halfCloseIsTheChannelsToRefuse() throws Exception {
    assertTrue(driver.shutdownOutput());
    assertTrue(kernel.outputShutdown);
    kernel.halfCloses = false;
    assertFalse(driver.shutdownOutput(), "a pipe cannot half-close: the owner closes instead");
  }

  // ---- the hand-off from the poller thread -------------------------------------------

  @Test
  void edgesCoalesceIntoOneHandOffUntilTaken() {
    int[] notified = new int[1];
    EdgeCoalescer edges = new EdgeCoalescer(() -> notified[0]++);
    edges.onReady(ReadyBits.READABLE);
    edges.onReady(0); // an edge with no I/O bits still belongs to the pending hand-off
    edges.onReady(ReadyBits.WRITABLE | ReadyBits.HANGUP);
    assertEquals(1, notified[0]);
    assertEquals(ReadyBits.READABLE | ReadyBits.WRITABLE | ReadyBits.HANGUP, edges.take());
    assertEquals(0, edges.take());
    edges.onReady(ReadyBits.READABLE);
    assertEquals(2, notified[0], "after a take, the next edge hands off again");
  }

  // ---- counting --------------------------------------------------------------------

  @Test
  void countsEachSystemCallItsBytesAndEagainAndTheCloseOnce() {
    io.pekkokq.runtime.SocketCounters counters =
        new io.pekkokq.runtime.SocketCounters(io.pekkokq.metrics.Api.ACTOR, true);
    SocketDriver d = new SocketDriver(kernel, pool).countedIn(io.pekkokq.metrics.Api.ACTOR, counters);
    kernel.edges = d::onReady;
    kernel.arrive("abcdefghij"); // 10 bytes in chunks of 4: 4, 4, 2 (short: drained)
    d.read(reader, CHUNK, NO_BUDGET);
    kernel.arrive("xy");
    d.onReady(ReadyBits.READABLE);
    d.read(reader, CHUNK, NO_BUDGET); // 2 (short)
    d.assumeReady();
    kernel.writeAllowance.add(-Errno.EAGAIN);
    kernel.writeAllowance.add(3);
    d.queued(6);
    assertEquals(0, d.write(bytes("abcdef"))); // EAGAIN
    kernel.sendBufferDrains();
    assertEquals(3, d.write(bytes("abcdef"))); // short
    io.pekkokq.metrics.ApiMetrics m = counters.snapshot();
    assertEquals(12, m.bytesRead());
    assertEquals(kernel.readCalls, m.readCalls());
    assertEquals(4, m.readCalls());
    assertEquals(0, m.readEagain(), "short reads end the loop without an EAGAIN");
    assertEquals(2, m.writeCalls());
    assertEquals(1, m.writeEagain());
    assertEquals(3, m.bytesWritten());
    assertEquals(3, m.bytesQueuedForWriting(), "3 of the 6 queued bytes are still waiting");
    assertEquals(1, m.openConnections());
    d.close();
    d.close();
    m = counters.snapshot();
    assertEquals(0, m.openConnections());
    assertEquals(1, m.closedConnections(), "closed once, however often close is called");
    assertEquals(0, m.bytesQueuedForWriting(), "what was queued went with the close");
  }

  @Test
  void aDriverWithoutCountersOrWithCountersOffCountsNothing() {
    io.pekkokq.runtime.SocketCounters off =
        new io.pekkokq.runtime.SocketCounters(io.pekkokq.metrics.Api.STREAMS, false);
    SocketDriver d = new SocketDriver(kernel, pool).countedIn(io.pekkokq.metrics.Api.STREAMS, off);
    kernel.edges = d::onReady;
    kernel.arrive("abc");
    d.read(reader, CHUNK, NO_BUDGET);
    d.close();
    assertEquals(0, off.snapshot().readCalls());
    assertEquals("abc", reader.all());
  }

  private static OutboundBytes bytes(String... parts) {
    return i -> i < parts.length ? ByteString.fromString(parts[i]) : null;
  }
}
