package io.pekkokq.io.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pekkokq.sys.LibKqueue;
import java.net.ServerSocket;
import java.util.List;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Kill;
import org.apache.pekko.actor.PoisonPill;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;

/**
 * Port of Pekko's TcpIntegrationSpec: both ends of each connection go through the driver's
 * manager in one actor system (client and server connection actors, test probes as handlers).
 */
class IntegrationParityTest extends ParityFixture {

  /** Both ends of one connection, registered with their own handler probes. */
  record Pair(
      Listener listener,
      ActorRef client,
      TestKit clientHandler,
      ActorRef server,
      TestKit serverHandler) {}

  private Pair establish(boolean keepOpenOnPeerClosed) {
    return establish(List.of(), keepOpenOnPeerClosed);
  }

  private Pair establish(List<Inet.SocketOption> options, boolean keepOpenOnPeerClosed) {
    TestKit bindHandler = probe();
    bindHandler.send(
        manager, TcpMessage.bind(bindHandler.getRef(), anyLoopbackPort(), 100, options, false));
    Tcp.Bound bound = bindHandler.expectMsgClass(T, Tcp.Bound.class);
    Listener listener = new Listener(bound, bindHandler.getLastSender());

    TestKit clientHandler = probe();
    clientHandler.send(
        manager,
        TcpMessage.connect(
            bound.localAddress(), null, options, (scala.concurrent.duration.FiniteDuration) null, false));
    Tcp.Connected cc = clientHandler.expectMsgClass(T, Tcp.Connected.class);
    ActorRef client = clientHandler.getLastSender();
    Accepted accepted = expectAccepted(bindHandler);
    assertEquals(cc.localAddress(), accepted.connected().remoteAddress());
    assertEquals(cc.remoteAddress(), accepted.connected().localAddress());

    TestKit serverHandler = probe();
    clientHandler.send(client, TcpMessage.register(clientHandler.getRef(), keepOpenOnPeerClosed, true));
    serverHandler.send(
        accepted.connection(), TcpMessage.register(serverHandler.getRef(), keepOpenOnPeerClosed, true));
    clientHandler.watch(client);
    serverHandler.watch(accepted.connection());
    return new Pair(listener, client, clientHandler, accepted.connection(), serverHandler);
  }

  /** 100 rounds of one byte each way. */
  private static void chitChat(Pair p) {
    for (int i = 0; i < 100; i++) {
      p.clientHandler().send(p.client(), TcpMessage.write(ByteString.fromArray(new byte[] {(byte) i})));
      assertEquals(1, p.serverHandler().expectMsgClass(T, Tcp.Received.class).data().size());
      p.serverHandler().send(p.server(), TcpMessage.write(ByteString.fromArray(new byte[] {(byte) -i})));
      assertEquals(1, p.clientHandler().expectMsgClass(T, Tcp.Received.class).data().size());
    }
  }

  @ParityTest
  void clientCloseGivesClosedAndServerPeerClosed(String d) {
    start(d);
    Pair p = establish(false);
    p.clientHandler().send(p.client(), TcpMessage.close());
    p.clientHandler().expectMsgEquals(T, CLOSED);
    p.serverHandler().expectMsgEquals(T, PEER_CLOSED);
    p.clientHandler().expectTerminated(T, p.client());
    p.serverHandler().expectTerminated(T, p.server());
  }

  @ParityTest
  void clientAbortGivesAbortedAndServerErrorClosed(String d) {
    if (d.equals("kq")) LibKqueue.skipBecause(LibKqueue.SO_ERROR_CONSUMED);
    start(d);
    Pair p = establish(false);
    p.clientHandler().send(p.client(), TcpMessage.abort());
    p.clientHandler().expectMsgEquals(T, ABORTED);
    assertEquals("Connection reset", p.serverHandler().expectMsgClass(T, Tcp.ErrorClosed.class).cause());
    p.clientHandler().expectTerminated(T, p.client());
    p.serverHandler().expectTerminated(T, p.server());
  }

  @ParityTest
  void clientAbortAfterChitChat(String d) {
    if (d.equals("kq")) LibKqueue.skipBecause(LibKqueue.SO_ERROR_CONSUMED);
    start(d);
    Pair p = establish(false);
    chitChat(p);
    p.clientHandler().send(p.client(), TcpMessage.abort());
    p.clientHandler().expectMsgEquals(T, ABORTED);
    assertEquals("Connection reset", p.serverHandler().expectMsgClass(T, Tcp.ErrorClosed.class).cause());
    p.serverHandler().expectTerminated(T, p.server());
  }

  @ParityTest
  void serverAbortGivesClientErrorClosed(String d) {
    if (d.equals("kq")) LibKqueue.skipBecause(LibKqueue.SO_ERROR_CONSUMED);
    start(d);
    Pair p = establish(false);
    chitChat(p);
    p.serverHandler().send(p.server(), TcpMessage.abort());
    p.serverHandler().expectMsgEquals(T, ABORTED);
    assertEquals("Connection reset", p.clientHandler().expectMsgClass(T, Tcp.ErrorClosed.class).cause());
    p.clientHandler().expectTerminated(T, p.client());
    p.serverHandler().expectTerminated(T, p.server());
  }

  @ParityTest
  void poisonPillToClientConnectionGivesServerErrorClosed(String d) {
    if (d.equals("kq")) LibKqueue.skipBecause(LibKqueue.SO_ERROR_CONSUMED);
    start(d);
    Pair p = establish(false);
    chitChat(p);
    p.client().tell(PoisonPill.getInstance(), ActorRef.noSender());
    p.clientHandler().expectTerminated(T, p.client());
    assertEquals("Connection reset", p.serverHandler().expectMsgClass(T, Tcp.ErrorClosed.class).cause());
    p.serverHandler().expectTerminated(T, p.server());
    // the stopped side's handler is told nothing
    p.clientHandler().expectNoMessage(QUIET);
  }

  @ParityTest
  void poisonPillToServerConnectionGivesClientErrorClosed(String d) {
    if (d.equals("kq")) LibKqueue.skipBecause(LibKqueue.SO_ERROR_CONSUMED);
    start(d);
    Pair p = establish(false);
    p.server().tell(PoisonPill.getInstance(), ActorRef.noSender());
    p.serverHandler().expectTerminated(T, p.server());
    assertEquals("Connection reset", p.clientHandler().expectMsgClass(T, Tcp.ErrorClosed.class).cause());
    p.clientHandler().expectTerminated(T, p.client());
    p.serverHandler().expectNoMessage(QUIET);
  }

  @ParityTest
  void requestResponseWithAcksThenServerClose(String d) {
    start(d);
    Pair p = establish(false);
    p.clientHandler().send(p.client(), write("request", "req"));
    p.clientHandler().expectMsgEquals(T, new Ack("req"));
    assertEquals("request", receiveBytes(p.serverHandler(), 7).utf8String());
    p.serverHandler().send(p.server(), write("response", "resp"));
    p.serverHandler().expectMsgEquals(T, new Ack("resp"));
    assertEquals("response", receiveBytes(p.clientHandler(), 8).utf8String());
    p.serverHandler().send(p.server(), TcpMessage.close());
    p.serverHandler().expectMsgEquals(T, CLOSED);
    p.clientHandler().expectMsgEquals(T, PEER_CLOSED);
    p.clientHandler().expectTerminated(T, p.client());
    p.serverHandler().expectTerminated(T, p.server());
  }

  @ParityTest
  void largeAckedWriteWithSmallSocketBuffersArrivesComplete(String d) {
    start(d);
    Pair p =
        establish(List.of(TcpSO.sendBufferSize(1024), TcpSO.receiveBufferSize(1024)), false);
    byte[] data = randomBytes(100_000, 11);
    p.clientHandler().send(p.client(), write(data, "all"));
    ByteString got = receiveBytes(p.serverHandler(), data.length);
    p.clientHandler().expectMsgEquals(T, new Ack("all"));
    assertBytes(data, got.toArray(), "100 000 bytes");
  }

  @ParityTest
  void killingAConnectedClientMakesTheRawServerSeeResetOrEof(String d) throws Exception {
    start(d);
    ServerSocket raw = rawServer();
    TestKit handler = probe();
    Outgoing o = connect(handler, raw);
    handler.send(o.connection(), TcpMessage.register(handler.getRef()));
    handler.watch(o.connection());
    o.connection().tell(Kill.getInstance(), ActorRef.noSender());
    handler.expectTerminated(T, o.connection());
    o.peer().setSoTimeout(3000);
    assertEquals(Outcome.RESET, peerOutcome(o.peer()));
  }

  @ParityTest
  void deadClientHandlerClosesTheConnection(String d) {
    if (d.equals("kq")) LibKqueue.skipBecause(LibKqueue.SO_ERROR_CONSUMED);
    start(d);
    Pair p = establish(false);
    chitChat(p);
    TestKit watcher = probe();
    watcher.watch(p.client());
    system.stop(p.clientHandler().getRef());
    watcher.expectTerminated(T, p.client());
    assertEquals("Connection reset", p.serverHandler().expectMsgClass(T, Tcp.ErrorClosed.class).cause());
    p.serverHandler().expectTerminated(T, p.server());
  }

  /**
   * Full duplex: both ends write 4 MiB in acked chunks and half-close (ConfirmedClose) right
   * after their last ack, while the other direction is still flowing. Every byte sent before
   * the close arrives, and both ends end with ConfirmedClosed (a PeerClosed may come first,
   * since keepOpenOnPeerClosed is on).
   */
  @ParityTest
  void fullDuplexConfirmedCloseWhileDataFlowsBothWays(String d) throws Exception {
    start(d);
    Pair p = establish(true);
    int chunk = 64 * 1024;
    int chunks = 64;
    byte[] c2s = randomBytes(chunk * chunks, 12);
    byte[] s2c = randomBytes(chunk * chunks, 13);
    DuplexEnd client = new DuplexEnd(p.client(), c2s, chunk);
    DuplexEnd server = new DuplexEnd(p.server(), s2c, chunk);
    client.writeNext(p.clientHandler());
    server.writeNext(p.serverHandler());
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
    while (!(client.done && server.done)) {
      if (System.nanoTime() > deadline) throw new AssertionError("full duplex did not finish: " + client + " / " + server);
      client.pump(p.clientHandler());
      server.pump(p.serverHandler());
    }
    assertBytes(s2c, client.received.toArray(), "server to client");
    assertBytes(c2s, server.received.toArray(), "client to server");
    p.clientHandler().expectTerminated(T, p.client());
    p.serverHandler().expectTerminated(T, p.server());
  }

  /** One end of the full-duplex test: drives its writes and collects its events. */
  private static final class DuplexEnd {
    final ActorRef connection;
    final byte[] out;
    final int chunk;
    int written;
    boolean closeSent;
    boolean sawPeerClosed;
    boolean done;
    ByteString received = ByteString.emptyByteString();

    DuplexEnd(ActorRef connection, byte[] out, int chunk) {
      this.connection = connection;
      this.out = out;
      this.chunk = chunk;
    }

    void writeNext(TestKit h) {
      int n = Math.min(chunk, out.length - written);
      ByteString bs = ByteString.fromArray(out, written, n);
      h.send(connection, TcpMessage.write(bs, new Ack(written + n)));
    }

    /** Handles at most one message, waiting briefly. */
    void pump(TestKit h) {
      if (done) return;
      Object m = h.receiveOne(java.time.Duration.ofMillis(5));
      if (m == null) return;
      if (m instanceof Tcp.Received r) {
        received = received.concat(r.data());
      } else if (m instanceof Ack a) {
        written = (Integer) a.id();
        if (written < out.length) {
          writeNext(h);
        } else {
          h.send(connection, TcpMessage.confirmedClose());
          closeSent = true;
        }
      } else if (m == PEER_CLOSED) {
        if (sawPeerClosed) throw new AssertionError("unexpected PeerClosed in " + this);
        sawPeerClosed = true;
      } else if (m == CONFIRMED_CLOSED) {
        if (!closeSent) throw new AssertionError("ConfirmedClosed before ConfirmedClose in " + this);
        done = true;
      } else {
        throw new AssertionError("unexpected " + m + " in " + this);
      }
    }

    @Override
    public String toString() {
      return "written=" + written + " received=" + received.size() + " closeSent=" + closeSent
          + " peerClosed=" + sawPeerClosed + " done=" + done;
    }
  }
}
