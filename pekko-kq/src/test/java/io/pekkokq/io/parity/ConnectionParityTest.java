package io.pekkokq.io.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pekkokq.sys.LibKqueue;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Kill;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.io.TempDir;

/**
 * Port of Pekko's TcpConnectionSpec ("An outgoing connection must ...") as black-box tests:
 * the connection is made through the driver's manager, the peer is a plain blocking JDK
 * socket, so every assertion is about what the actor protocol says and what the kernel
 * delivers to the peer.
 */
class ConnectionParityTest extends ParityFixture {

  /** Small kernel buffers so that a write of {@link #BIG} bytes stays pending. */
  private static final int SMALL_BUF = 8 * 1024;

  private static final int BIG = 2 * 1024 * 1024;

  private static List<Inet.SocketOption> smallSendBuffer() {
    return List.of(TcpSO.sendBufferSize(SMALL_BUF));
  }

  private Outgoing registered(TestKit handler) throws Exception {
    Outgoing o = connect(handler, rawServer());
    handler.send(o.connection(), TcpMessage.register(handler.getRef()));
    return o;
  }

  // ------------------------------------------------------------------ reading

  @ParityTest
  void sendsIncomingDataToTheHandler(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = registered(handler);
    writeRaw(o.peer(), "testdata");
    writeRaw(o.peer(), "testdata2");
    assertEquals("testdatatestdata2", receiveBytes(handler, 17).utf8String());
    handler.expectNoMessage(QUIET);
  }

  @ParityTest
  void forwardsFullBuffersImmediatelyWhileMoreIsAvailable(String d) throws Exception {
    start(d, both("direct-buffer-size", "4k"));
    TestKit handler = probe();
    Outgoing o = registered(handler);
    byte[] data = randomBytes(4096 + 1500, 1);
    writeRaw(o.peer(), data);
    // Pekko reads into a whole direct buffer every time, so its Received are 4096 and
    // 1500 bytes; pekko-kq reads into arrays sized by what the connection's reads
    // returned (docs/migrating-from-pekko-tcp.md, "Differences"), so a new connection's
    // first reads are smaller. Both forward what they read at once, never above one
    // buffer, and never wait to bundle: the whole of it arrives with no further prompt.
    ByteString got = ByteString.emptyByteString();
    while (got.size() < data.length) {
      ByteString part = handler.expectMsgClass(T, Tcp.Received.class).data();
      assertTrue(part.size() <= 4096, "a Received is at most one buffer: " + part.size());
      got = got.concat(part);
    }
    assertArrayEquals(data, got.toArray());
    handler.expectNoMessage(QUIET);
  }

  @ParityTest
  void receivesDataSentBeforeRegister(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = connect(handler, rawServer());
    writeRaw(o.peer(), "early bird");
    handler.expectNoMessage(QUIET);
    handler.send(o.connection(), TcpMessage.register(handler.getRef()));
    assertEquals("early bird", receiveBytes(handler, 10).utf8String());
    // read interest stays armed after that first read
    writeRaw(o.peer(), "later");
    assertEquals("later", receiveBytes(handler, 5).utf8String());
  }

  @ParityTest
  void suspendReadingStopsReceivedAndResumeReadingDeliversTheData(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = registered(handler);
    writeRaw(o.peer(), "one");
    assertEquals("one", receiveBytes(handler, 3).utf8String());
    handler.send(o.connection(), TcpMessage.suspendReading());
    // Suspending is a message like any other: a readiness event already queued ahead of it
    // may still read whatever has arrived by then. So first make sure it was processed
    // (the acked write behind it comes back), then send more: that must wait.
    TestKit writer = probe();
    writer.send(o.connection(), write("x", 1));
    writer.expectMsgEquals(T, new Ack(1));
    assertEquals("x", readString(o.peer(), 1));
    writeRaw(o.peer(), "two");
    handler.expectNoMessage(QUIET);
    handler.send(o.connection(), TcpMessage.resumeReading());
    assertEquals("two", receiveBytes(handler, 3).utf8String());
  }

  @ParityTest
  void pullModeDeliversOneReceivedPerResumeReading(String d) throws Exception {
    start(d, both("direct-buffer-size", "1k"));
    TestKit handler = probe();
    Outgoing o = connect(handler, rawServer(), List.of(), true);
    byte[] data = randomBytes(3000, 2);
    writeRaw(o.peer(), data);
    handler.send(o.connection(), TcpMessage.register(handler.getRef()));
    handler.expectNoMessage(QUIET);

    ByteString acc = ByteString.emptyByteString();
    int[] expectedSizes = {1024, 1024, 952};
    for (int size : expectedSizes) {
      handler.send(o.connection(), TcpMessage.resumeReading());
      Tcp.Received r = handler.expectMsgClass(T, Tcp.Received.class);
      assertEquals(size, r.data().size(), "one buffer per ResumeReading");
      handler.expectNoMessage(QUIET);
      acc = acc.concat(r.data());
    }
    assertArrayEquals(data, acc.toArray());

    // a ResumeReading that finds nothing re-arms reading: data arriving later is delivered
    handler.send(o.connection(), TcpMessage.resumeReading());
    handler.expectNoMessage(QUIET);
    writeRaw(o.peer(), "late");
    assertEquals("late", handler.expectMsgClass(T, Tcp.Received.class).data().utf8String());

    // ... but only once: the next data waits for the next ResumeReading
    writeRaw(o.peer(), "again");
    handler.expectNoMessage(QUIET);
    handler.send(o.connection(), TcpMessage.resumeReading());
    assertEquals("again", handler.expectMsgClass(T, Tcp.Received.class).data().utf8String());
  }

  @ParityTest
  void eventsGoToTheRegisteredHandlerNotTheCommander(String d) throws Exception {
    start(d);
    TestKit commander = probe();
    TestKit handler = probe();
    Outgoing o = connect(commander, rawServer());
    commander.send(o.connection(), TcpMessage.register(handler.getRef()));
    writeRaw(o.peer(), "for the handler");
    assertEquals("for the handler", receiveBytes(handler, 15).utf8String());
    o.peer().close();
    handler.expectMsgEquals(T, PEER_CLOSED);
    commander.expectNoMessage(QUIET);
  }

  @ParityTest
  void maxReceivedMessageSizeBoundsEachReceived(String d) throws Exception {
    start(d, both("direct-buffer-size", "4k") + both("max-received-message-size", "1000"));
    TestKit handler = probe();
    Outgoing o = registered(handler);
    byte[] data = randomBytes(5000, 14);
    writeRaw(o.peer(), data);
    ByteString acc = ByteString.emptyByteString();
    List<Integer> sizes = new ArrayList<>();
    while (acc.size() < data.length) {
      ByteString part = handler.expectMsgClass(T, Tcp.Received.class).data();
      sizes.add(part.size());
      acc = acc.concat(part);
    }
    assertEquals(List.of(1000, 1000, 1000, 1000, 1000), sizes);
    assertArrayEquals(data, acc.toArray());
  }

  /**
   * Pekko quirk: in push mode Register always resumes reading, so a SuspendReading sent before
   * Register has no effect (in pull mode a ResumeReading before Register does count).
   */
  @ParityTest
  void suspendReadingBeforeRegisterIsIgnoredInPushMode(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = connect(handler, rawServer());
    handler.send(o.connection(), TcpMessage.suspendReading());
    writeRaw(o.peer(), "held");
    handler.send(o.connection(), TcpMessage.register(handler.getRef()));
    assertEquals("held", receiveBytes(handler, 4).utf8String());
  }

  @ParityTest
  void pullModeResumeReadingBeforeRegisterIsHonoured(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = connect(handler, rawServer(), List.of(), true);
    writeRaw(o.peer(), "pulled early");
    handler.send(o.connection(), TcpMessage.resumeReading());
    handler.send(o.connection(), TcpMessage.register(handler.getRef()));
    assertEquals("pulled early", handler.expectMsgClass(T, Tcp.Received.class).data().utf8String());
  }

  // ------------------------------------------------------------------ writing

  @ParityTest
  void writeIsAckedToTheWriterAndNoAckWriteGetsNoReply(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    TestKit writer = probe();
    Outgoing o = registered(handler);
    writer.send(o.connection(), write("testdata", 1));
    writer.expectMsgEquals(T, new Ack(1));
    assertEquals("testdata", readString(o.peer(), 8));

    writer.send(o.connection(), writeNoAck("unacked"));
    assertEquals("unacked", readString(o.peer(), 7));
    writer.send(o.connection(), TcpMessage.write(ByteString.fromString("token"), TcpMessage.noAck(42)));
    assertEquals("token", readString(o.peer(), 5));
    writer.expectNoMessage(QUIET);
    handler.expectNoMessage(java.time.Duration.ZERO);
  }

  @ParityTest
  void writesA512KiBRandomBufferIntact(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = registered(handler);
    byte[] data = randomBytes(512 * 1024, 3);
    CompletableFuture<byte[]> read = async(() -> readN(o.peer(), data.length));
    handler.send(o.connection(), write(data, "big"));
    handler.expectMsgEquals(T, new Ack("big"));
    assertBytes(data, await(read), "512 KiB write");
  }

  @ParityTest
  void emptyWriteWithAckIsAcked(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = registered(handler);
    handler.send(o.connection(), TcpMessage.write(ByteString.emptyByteString(), new Ack("empty")));
    handler.expectMsgEquals(T, new Ack("empty"));
  }

  @ParityTest
  void emptyWritesWithNoAckAreNotAcked(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = registered(handler);
    handler.send(o.connection(), TcpMessage.write(ByteString.emptyByteString()));
    handler.send(o.connection(), TcpMessage.write(ByteString.emptyByteString(), TcpMessage.noAck(42)));
    handler.expectNoMessage(QUIET);
    // and the connection still works
    handler.send(o.connection(), write("x", 1));
    handler.expectMsgEquals(T, new Ack(1));
    assertEquals("x", readString(o.peer(), 1));
  }

  @ParityTest
  void writePathSendsAFileAndAcks(String d, @TempDir Path dir) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = registered(handler);
    byte[] data = randomBytes(4 * 1024 * 1024 + 123, 4);
    Path file = Files.write(dir.resolve("payload.bin"), data);
    CompletableFuture<byte[]> read = async(() -> readN(o.peer(), data.length));
    handler.send(o.connection(), TcpMessage.writePath(file, 0, data.length, new Ack("file")));
    handler.expectMsgEquals(T, new Ack("file"));
    assertBytes(data, await(read), "WritePath");
  }

  @ParityTest
  void writePathWithPositionAndCountSendsThatSlice(String d, @TempDir Path dir) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = registered(handler);
    Path file = Files.writeString(dir.resolve("slice.txt"), "0123456789abcdef");
    handler.send(o.connection(), TcpMessage.writePath(file, 4, 6, new Ack("slice")));
    handler.expectMsgEquals(T, new Ack("slice"));
    assertEquals("456789", readString(o.peer(), 6));
  }

  @ParityTest
  void compoundWriteAcksEachPartInOrder(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = registered(handler);
    List<Tcp.WriteCommand> parts = new ArrayList<>();
    parts.add((Tcp.WriteCommand) write("test1", 1));
    parts.add((Tcp.WriteCommand) writeNoAck("test2"));
    parts.add((Tcp.WriteCommand) TcpMessage.write(ByteString.emptyByteString(), new Ack(3)));
    parts.add((Tcp.WriteCommand) write("test4", 4));
    Tcp.WriteCommand compound = Tcp.WriteCommand$.MODULE$.create(parts);
    assertTrue(compound instanceof Tcp.CompoundWrite);
    handler.send(o.connection(), compound);
    handler.expectMsgEquals(T, new Ack(1));
    handler.expectMsgEquals(T, new Ack(3));
    handler.expectMsgEquals(T, new Ack(4));
    assertEquals("test1test2test4", readString(o.peer(), 15));
    handler.expectNoMessage(QUIET);
  }

  @ParityTest
  void compoundWriteMixingBytesAndAFile(String d, @TempDir Path dir) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = registered(handler);
    byte[] fileData = randomBytes(300_000, 15);
    Path file = Files.write(dir.resolve("middle.bin"), fileData);
    List<Tcp.WriteCommand> parts = new ArrayList<>();
    parts.add((Tcp.WriteCommand) writeNoAck("head"));
    parts.add((Tcp.WriteCommand) TcpMessage.writePath(file, 0, fileData.length, new Ack("file")));
    parts.add((Tcp.WriteCommand) write("tail", "tail"));
    CompletableFuture<byte[]> read = async(() -> readN(o.peer(), 4 + fileData.length + 4));
    handler.send(o.connection(), Tcp.WriteCommand$.MODULE$.create(parts));
    handler.expectMsgEquals(T, new Ack("file"));
    handler.expectMsgEquals(T, new Ack("tail"));
    byte[] got = await(read);
    assertEquals("head", utf8(java.util.Arrays.copyOfRange(got, 0, 4)));
    assertBytes(fileData, java.util.Arrays.copyOfRange(got, 4, 4 + fileData.length), "file part");
    assertEquals("tail", utf8(java.util.Arrays.copyOfRange(got, 4 + fileData.length, got.length)));
  }

  @ParityTest
  void connectFromAGivenLocalAddress(String d) throws Exception {
    start(d);
    ServerSocket server = rawServer();
    int localPort;
    try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
      localPort = s.getLocalPort();
    }
    java.net.InetSocketAddress local = new java.net.InetSocketAddress("127.0.0.1", localPort);
    TestKit commander = probe();
    commander.send(
        manager,
        TcpMessage.connect(
            (java.net.InetSocketAddress) server.getLocalSocketAddress(),
            local,
            List.of(),
            (scala.concurrent.duration.FiniteDuration) null,
            false));
    Tcp.Connected c = commander.expectMsgClass(T, Tcp.Connected.class);
    assertEquals(local, c.localAddress());
    Socket peer = track(server.accept());
    assertEquals(local, peer.getRemoteSocketAddress());
  }

  // ------------------------------------------------------------------ closing

  @ParityTest
  void closeWithPendingWriteFlushesAcksThenCloses(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    TestKit closer = probe();
    Outgoing o = connect(handler, rawServer(SMALL_BUF), smallSendBuffer(), false);
    handler.send(o.connection(), TcpMessage.register(handler.getRef()));
    handler.watch(o.connection());
    byte[] data = randomBytes(BIG, 5);
    handler.send(o.connection(), write(data, "flushed"));
    closer.send(o.connection(), TcpMessage.close());
    // the write cannot have completed: the peer has not read yet
    handler.expectNoMessage(QUIET);
    closer.expectNoMessage(java.time.Duration.ZERO);
    CompletableFuture<byte[]> read = async(() -> readToEof(o.peer()));
    handler.expectMsgEquals(T, new Ack("flushed"));
    handler.expectMsgEquals(T, CLOSED);
    closer.expectMsgEquals(T, CLOSED);
    handler.expectTerminated(T, o.connection());
    assertBytes(data, await(read), "bytes before EOF");
  }

  @ParityTest
  void closeBeforeRegisterIsAccepted(String d) throws Exception {
    start(d);
    TestKit commander = probe();
    Outgoing o = connect(commander, rawServer());
    commander.watch(o.connection());
    commander.send(o.connection(), TcpMessage.close());
    commander.expectMsgEquals(T, CLOSED);
    commander.expectTerminated(T, o.connection());
    expectEof(o.peer());
  }

  @ParityTest
  void abortWithPendingWriteTellsHandlerAndWriter(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    TestKit writer = probe();
    Outgoing o = connect(handler, rawServer(SMALL_BUF), smallSendBuffer(), false);
    handler.send(o.connection(), TcpMessage.register(handler.getRef()));
    handler.watch(o.connection());
    writer.send(o.connection(), write(randomBytes(BIG, 16), "never"));
    handler.awaitCond(T, () -> available(o.peer()) > 0);
    handler.send(o.connection(), TcpMessage.abort());
    handler.expectMsgEquals(T, ABORTED);
    writer.expectMsgEquals(T, ABORTED);
    handler.expectTerminated(T, o.connection());
    writer.expectNoMessage(QUIET);
  }

  @ParityTest
  void peerHalfCloseWithPendingWriteDrainsThenPeerClosed(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = connect(handler, rawServer(SMALL_BUF), smallSendBuffer(), false);
    handler.send(o.connection(), TcpMessage.register(handler.getRef()));
    handler.watch(o.connection());
    byte[] data = randomBytes(BIG, 17);
    handler.send(o.connection(), write(data, "drained"));
    handler.awaitCond(T, () -> available(o.peer()) > 0);
    o.peer().shutdownOutput();
    handler.expectNoMessage(QUIET);
    CompletableFuture<byte[]> read = async(() -> readToEof(o.peer()));
    handler.expectMsgEquals(T, new Ack("drained"));
    handler.expectMsgEquals(T, PEER_CLOSED);
    handler.expectTerminated(T, o.connection());
    assertBytes(data, await(read), "bytes before EOF");
  }

  @ParityTest
  void handlerThatClosesGetsExactlyOneClosed(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = registered(handler);
    handler.watch(o.connection());
    handler.send(o.connection(), TcpMessage.close());
    handler.expectMsgEquals(T, CLOSED);
    handler.expectTerminated(T, o.connection());
    handler.expectNoMessage(QUIET);
    expectEof(o.peer());
  }

  @ParityTest
  void abortSendsAbortedAndResetsThePeer(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = registered(handler);
    handler.watch(o.connection());
    handler.send(o.connection(), TcpMessage.abort());
    handler.expectMsgEquals(T, ABORTED);
    handler.expectTerminated(T, o.connection());
    assertEquals(Outcome.RESET, peerOutcome(o.peer()));
  }

  @ParityTest
  void confirmedCloseHalfClosesAndWaitsForThePeer(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = registered(handler);
    handler.watch(o.connection());
    handler.send(o.connection(), write("bye", "w"));
    handler.send(o.connection(), TcpMessage.confirmedClose());
    handler.expectMsgEquals(T, new Ack("w"));
    assertEquals("bye", readString(o.peer(), 3));
    expectEof(o.peer());
    // still reading after our FIN, and no ConfirmedClosed before the peer closes
    handler.expectNoMessage(QUIET);
    writeRaw(o.peer(), "still here");
    assertEquals("still here", receiveBytes(handler, 10).utf8String());
    o.peer().close();
    handler.expectMsgEquals(T, CONFIRMED_CLOSED);
    handler.expectTerminated(T, o.connection());
  }

  @ParityTest
  void peerCloseGivesPeerClosedAndStops(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = registered(handler);
    handler.watch(o.connection());
    o.peer().close();
    handler.expectMsgEquals(T, PEER_CLOSED);
    handler.expectTerminated(T, o.connection());
    handler.expectNoMessage(QUIET);
  }

  @ParityTest
  void peerHalfCloseIsDeliveredAfterAllData(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = registered(handler);
    writeRaw(o.peer(), "last words");
    o.peer().shutdownOutput();
    assertEquals("last words", receiveBytes(handler, 10).utf8String());
    handler.expectMsgEquals(T, PEER_CLOSED);
  }

  private Outgoing keepOpenAfterPeerHalfClose(TestKit handler) throws Exception {
    Outgoing o = connect(handler, rawServer());
    handler.send(o.connection(), TcpMessage.register(handler.getRef(), true, true));
    handler.watch(o.connection());
    o.peer().shutdownOutput();
    handler.expectMsgEquals(T, PEER_CLOSED);
    handler.expectNoMessage(QUIET);
    handler.send(o.connection(), write("after", "a1"));
    handler.expectMsgEquals(T, new Ack("a1"));
    assertEquals("after", readString(o.peer(), 5));
    return o;
  }

  @ParityTest
  void keepOpenOnPeerClosedKeepsWritingThenClose(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = keepOpenAfterPeerHalfClose(handler);
    handler.send(o.connection(), TcpMessage.close());
    handler.expectMsgEquals(T, CLOSED);
    handler.expectTerminated(T, o.connection());
    expectEof(o.peer());
  }

  @ParityTest
  void keepOpenOnPeerClosedKeepsWritingThenConfirmedClose(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = keepOpenAfterPeerHalfClose(handler);
    handler.send(o.connection(), TcpMessage.confirmedClose());
    handler.expectMsgEquals(T, CONFIRMED_CLOSED);
    handler.expectTerminated(T, o.connection());
    expectEof(o.peer());
  }

  @ParityTest
  void peerResetGivesErrorClosed(String d) throws Exception {
    if (d.equals("kq")) LibKqueue.skipBecause(LibKqueue.SO_ERROR_CONSUMED);
    start(d);
    TestKit handler = probe();
    Outgoing o = registered(handler);
    handler.watch(o.connection());
    resetRaw(o.peer());
    Tcp.ErrorClosed e = handler.expectMsgClass(T, Tcp.ErrorClosed.class);
    // the JDK's text for ECONNRESET on read (not strerror's "Connection reset by peer")
    assertEquals("Connection reset", e.cause());
    handler.expectTerminated(T, o.connection());
    handler.expectNoMessage(QUIET);
  }

  @ParityTest
  void peerResetWhileReadingSuspendedSurfacesOnTheNextWrite(String d) throws Exception {
    if (d.equals("kq")) LibKqueue.skipBecause(LibKqueue.SO_ERROR_CONSUMED);
    start(d);
    TestKit handler = probe();
    TestKit writer = probe();
    Outgoing o = registered(handler);
    handler.watch(o.connection());
    handler.send(o.connection(), TcpMessage.suspendReading());
    // a round trip through the connection so that SuspendReading is in effect
    handler.send(o.connection(), write("x", "sync"));
    handler.expectMsgEquals(T, new Ack("sync"));
    resetRaw(o.peer());
    handler.expectNoMessage(QUIET);
    writer.send(o.connection(), write("into the void", "never"));
    Tcp.ErrorClosed w = writer.expectMsgClass(T, Tcp.ErrorClosed.class);
    Tcp.ErrorClosed h = handler.expectMsgClass(T, Tcp.ErrorClosed.class);
    assertEquals(w, h);
    // the write's error text (strerror), unlike a read's "Connection reset"
    assertEquals("Connection reset by peer", h.cause());
    handler.expectTerminated(T, o.connection());
  }

  @ParityTest
  void peerResetWithPendingWriteClosesWriterAndHandler(String d) throws Exception {
    if (d.equals("kq")) LibKqueue.skipBecause(LibKqueue.SO_ERROR_CONSUMED);
    start(d);
    TestKit handler = probe();
    TestKit writer = probe();
    Outgoing o = connect(handler, rawServer(SMALL_BUF), smallSendBuffer(), false);
    handler.send(o.connection(), TcpMessage.register(handler.getRef()));
    handler.watch(o.connection());
    writer.send(o.connection(), write(randomBytes(BIG, 6), "never"));
    // the write reached the kernel; it stays pending because the peer does not read
    handler.awaitCond(T, () -> available(o.peer()) > 0);
    resetRaw(o.peer());
    Tcp.ErrorClosed w = writer.expectMsgClass(T, Tcp.ErrorClosed.class);
    Tcp.ErrorClosed h = handler.expectMsgClass(T, Tcp.ErrorClosed.class);
    assertEquals(w, h);
    // the RST makes the socket readable and writable at once: the cause is the read's
    // ("Connection reset") or the write's ("Connection reset by peer") text, whichever runs first
    assertTrue(
        h.cause().equals("Connection reset") || h.cause().equals("Connection reset by peer"),
        "unexpected cause " + h.cause());
    handler.expectTerminated(T, o.connection());
    writer.expectNoMessage(QUIET);
  }

  private static int available(Socket s) {
    try {
      return s.getInputStream().available();
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  // ------------------------------------------------------------------ connect failures

  @ParityTest
  void connectToUnboundPortFailsWithConnectException(String d) throws Exception {
    if (d.equals("kq")) LibKqueue.skipBecause(LibKqueue.SO_ERROR_CONSUMED);
    start(d);
    TestKit commander = probe();
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
      port = s.getLocalPort();
    }
    Tcp.Command connect = TcpMessage.connect(new java.net.InetSocketAddress("127.0.0.1", port));
    commander.send(manager, connect);
    Tcp.CommandFailed failed = commander.expectMsgClass(T, Tcp.CommandFailed.class);
    assertEquals(connect, failed.cmd());
    cause(failed, java.net.ConnectException.class);
    commander.expectNoMessage(QUIET);
  }

  @ParityTest
  void connectToUnresolvableHostFails(String d) throws Exception {
    start(d);
    TestKit commander = probe();
    Tcp.Command connect =
        TcpMessage.connect(java.net.InetSocketAddress.createUnresolved("nonexistent.invalid", 80));
    commander.send(manager, connect);
    Tcp.CommandFailed failed =
        commander.expectMsgClass(java.time.Duration.ofSeconds(15), Tcp.CommandFailed.class);
    assertEquals(connect, failed.cmd());
    cause(failed, java.net.UnknownHostException.class);
  }

  /**
   * A loopback address that never completes a handshake: a listener with backlog 1 that never
   * accepts, its accept queue filled first (Linux then drops further SYNs). Only loopback traffic
   * is allowed here, so this stands in for Pekko's unroutable address.
   */
  private java.net.InetSocketAddress neverConnectable() throws Exception {
    ServerSocket full = track(new ServerSocket(0, 1, LOOPBACK));
    java.net.InetSocketAddress addr = (java.net.InetSocketAddress) full.getLocalSocketAddress();
    for (int i = 0; i < 4; i++) {
      java.nio.channels.SocketChannel ch = track(java.nio.channels.SocketChannel.open());
      ch.configureBlocking(false);
      ch.connect(addr);
    }
    boolean hangs;
    try (Socket check = new Socket()) {
      check.connect(addr, 500);
      hangs = false;
    } catch (java.net.SocketTimeoutException e) {
      hangs = true;
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(
        hangs, "this kernel completes connects to a full accept queue; connect-timeout case skipped");
    return addr;
  }

  @ParityTest
  void connectTimeoutFailsTheConnect(String d) throws Exception {
    start(d);
    java.net.InetSocketAddress target = neverConnectable();
    TestKit commander = probe();
    Tcp.Command connect =
        TcpMessage.connect(target, null, List.of(), java.time.Duration.ofMillis(100), false);
    commander.send(manager, connect);
    Tcp.CommandFailed failed = commander.expectMsgClass(T, Tcp.CommandFailed.class);
    assertEquals(connect, failed.cmd());
    java.net.ConnectException cause = cause(failed, java.net.ConnectException.class);
    assertEquals("Connect timeout of Some(100 milliseconds) expired", cause.getMessage());
    ActorRef connection = commander.getLastSender();
    commander.watch(connection);
    commander.expectTerminated(T, connection);
  }

  // ------------------------------------------------------------------ lifecycle

  @ParityTest
  void connectionWithoutRegisterStopsAfterRegisterTimeout(String d) throws Exception {
    start(d);
    TestKit commander = probe();
    Outgoing o = connect(commander, rawServer());
    commander.watch(o.connection());
    commander.expectTerminated(T, o.connection());
    commander.expectNoMessage(java.time.Duration.ZERO);
    assertEquals(Outcome.RESET, peerOutcome(o.peer()));
  }

  @ParityTest
  void connectionStopsWhenCommanderDiesBeforeRegister(String d) throws Exception {
    start(d, both("register-timeout", "10s"));
    TestKit commander = probe();
    TestKit watcher = probe();
    Outgoing o = connect(commander, rawServer());
    watcher.watch(o.connection());
    system.stop(commander.getRef());
    watcher.expectTerminated(T, o.connection());
    assertEquals(Outcome.RESET, peerOutcome(o.peer()));
  }

  @ParityTest
  void connectionStopsWhenHandlerDies(String d) throws Exception {
    start(d);
    TestKit commander = probe();
    TestKit handler = probe();
    TestKit watcher = probe();
    Outgoing o = connect(commander, rawServer());
    commander.send(o.connection(), TcpMessage.register(handler.getRef()));
    watcher.watch(o.connection());
    system.stop(handler.getRef());
    watcher.expectTerminated(T, o.connection());
    assertEquals(Outcome.RESET, peerOutcome(o.peer()));
  }

  @ParityTest
  void killedConnectionActorResetsThePeer(String d) throws Exception {
    start(d, both("register-timeout", "10s"));
    TestKit commander = probe();
    Outgoing o = connect(commander, rawServer());
    commander.watch(o.connection());
    o.connection().tell(Kill.getInstance(), ActorRef.noSender());
    commander.expectTerminated(T, o.connection());
    assertEquals(Outcome.RESET, peerOutcome(o.peer()));
  }

  // ------------------------------------------------------------------ NACK back-pressure

  /** Connects with small buffers, writes BIG bytes (acked "first") that stay pending. */
  private Outgoing backedUp(TestKit handler, boolean useResumeWriting, byte[] first) throws Exception {
    Outgoing o = connect(handler, rawServer(SMALL_BUF), smallSendBuffer(), false);
    handler.send(o.connection(), TcpMessage.register(handler.getRef(), false, useResumeWriting));
    handler.send(o.connection(), write(first, "first"));
    // refused: one write is pending
    Tcp.Command second = write("second", "second");
    handler.send(o.connection(), second);
    Tcp.CommandFailed failed = handler.expectMsgClass(T, Tcp.CommandFailed.class);
    assertSame(second, failed.cmd());
    assertEquals("Dropping write because queue is full", cause(failed, java.io.IOException.class).getMessage());
    return o;
  }

  @ParityTest
  void resumeWritingWhileBackedUpWaitsForThePendingWrite(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    byte[] first = randomBytes(BIG, 7);
    Outgoing o = backedUp(handler, true, first);

    // writing is now suspended: every write is refused, even Write.empty
    Tcp.Command third = write("third", "third");
    handler.send(o.connection(), third);
    Tcp.CommandFailed f3 = handler.expectMsgClass(T, Tcp.CommandFailed.class);
    assertSame(third, f3.cmd());
    assertEquals("Dropping write because writing is suspended", cause(f3, java.io.IOException.class).getMessage());
    Tcp.Command empty = TcpMessage.write(ByteString.emptyByteString());
    handler.send(o.connection(), empty);
    assertSame(empty, handler.expectMsgClass(T, Tcp.CommandFailed.class).cmd());

    handler.send(o.connection(), TcpMessage.resumeWriting());
    handler.expectNoMessage(QUIET);
    // a second ResumeWriting from another actor while one is awaited is refused
    TestKit other = probe();
    Tcp.Command resume2 = TcpMessage.resumeWriting();
    other.send(o.connection(), resume2);
    Tcp.CommandFailed refused = other.expectMsgClass(T, Tcp.CommandFailed.class);
    assertSame(resume2, refused.cmd());

    CompletableFuture<byte[]> read = async(() -> readN(o.peer(), first.length));
    handler.expectMsgEquals(T, new Ack("first"));
    handler.expectMsgEquals(T, WRITING_RESUMED);
    other.expectNoMessage(java.time.Duration.ZERO);
    assertBytes(first, await(read), "pending write");

    handler.send(o.connection(), write("fourth", "fourth"));
    handler.expectMsgEquals(T, new Ack("fourth"));
    assertEquals("fourth", readString(o.peer(), 6));
  }

  @ParityTest
  void resumeWritingAfterTheQueueFlushedIsAnsweredAtOnce(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    byte[] first = randomBytes(BIG, 8);
    Outgoing o = backedUp(handler, true, first);

    CompletableFuture<byte[]> read = async(() -> readN(o.peer(), first.length));
    handler.expectMsgEquals(T, new Ack("first"));
    assertBytes(first, await(read), "pending write");

    // drained, but still suspended until ResumeWriting
    Tcp.Command third = write("third", "third");
    handler.send(o.connection(), third);
    assertSame(third, handler.expectMsgClass(T, Tcp.CommandFailed.class).cmd());

    handler.send(o.connection(), TcpMessage.resumeWriting());
    handler.expectMsgEquals(T, WRITING_RESUMED);
    handler.send(o.connection(), write("fourth", "fourth"));
    handler.expectMsgEquals(T, new Ack("fourth"));
    assertEquals("fourth", readString(o.peer(), 6));
  }

  @ParityTest
  void withoutResumeWritingWritesAreRefusedOnlyWhilePending(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    byte[] first = randomBytes(BIG, 9);
    Outgoing o = backedUp(handler, false, first);

    Tcp.Command empty = TcpMessage.write(ByteString.emptyByteString());
    handler.send(o.connection(), empty);
    Tcp.CommandFailed fe = handler.expectMsgClass(T, Tcp.CommandFailed.class);
    assertSame(empty, fe.cmd());

    CompletableFuture<byte[]> read = async(() -> readN(o.peer(), first.length));
    handler.expectMsgEquals(T, new Ack("first"));
    assertBytes(first, await(read), "pending write");

    // accepted again without ResumeWriting
    handler.send(o.connection(), write("third", "third"));
    handler.expectMsgEquals(T, new Ack("third"));
    assertEquals("third", readString(o.peer(), 5));
  }

  @ParityTest
  void withoutResumeWritingResumeWritingIsStillAnswered(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Outgoing o = connect(handler, rawServer());
    handler.send(o.connection(), TcpMessage.register(handler.getRef(), false, false));
    handler.send(o.connection(), TcpMessage.resumeWriting());
    handler.expectMsgEquals(T, WRITING_RESUMED);
    handler.send(o.connection(), write("ok", 1));
    handler.expectMsgEquals(T, new Ack(1));
    assertEquals("ok", readString(o.peer(), 2));
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
