package io.pekkokq.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An echo handler written only against Pekko's Tcp API, run on KqTcp's manager: the
 * drop-in in its smallest form, checked from outside with plain JDK sockets.
 */
class KqTcpEchoTest {
  private static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("KqTcpEchoTest");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  /** Pekko-only code: nothing here knows about pekko-kq. */
  static final class EchoHandler extends AbstractActor {
    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Received.class, r -> getSender().tell(TcpMessage.write(r.data()), getSelf()))
          .match(Tcp.ConnectionClosed.class, c -> getContext().stop(getSelf()))
          .build();
    }
  }

  static final class EchoServer extends AbstractActor {
    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Connected.class, c -> {
            ActorRef handler = getContext().actorOf(Props.create(EchoHandler.class));
            getSender().tell(TcpMessage.register(handler), getSelf());
          })
          .build();
    }
  }

  @Test
  void echoesBytesForManyClientsAtOnce() throws Exception {
    TestKit probe = new TestKit(system);
    ActorRef server = system.actorOf(Props.create(EchoServer.class));
    KqTcp.get(system).manager().tell(
        TcpMessage.bind(server, new InetSocketAddress("127.0.0.1", 0), 100), probe.getRef());
    Tcp.Bound bound = probe.expectMsgClass(Duration.ofSeconds(5), Tcp.Bound.class);
    int clients = 50;
    Socket[] sockets = new Socket[clients];
    byte[][] sent = new byte[clients][];
    Random random = new Random(42);
    for (int i = 0; i < clients; i++) {
      sockets[i] = new Socket();
      sockets[i].connect(bound.localAddress(), 5000);
      sockets[i].setSoTimeout(5000);
      sent[i] = new byte[1 + random.nextInt(300_000)];
      random.nextBytes(sent[i]);
    }
    for (int i = 0; i < clients; i++) {
      Socket s = sockets[i];
      byte[] data = sent[i];
      Thread writer = new Thread(() -> {
        try {
          OutputStream out = s.getOutputStream();
          out.write(data);
          out.flush();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      writer.start();
      byte[] back = new byte[data.length];
      InputStream in = s.getInputStream();
      int off = 0;
      while (off < back.length) {
        int n = in.read(back, off, back.length - off);
        assertTrue(n > 0, "echo ended early at " + off);
        off += n;
      }
      writer.join();
      assertArrayEquals(data, back, "client " + i);
      s.close();
    }
    assertTrue(Arrays.stream(sockets).allMatch(Socket::isClosed));
  }

  @Test
  void aReceivedKeptByTheHandlerIsNotChangedByLaterReads() throws Exception {
    TestKit binder = new TestKit(system);
    KqTcp.get(system).manager().tell(
        TcpMessage.bind(binder.getRef(), new InetSocketAddress("127.0.0.1", 0), 100), binder.getRef());
    Tcp.Bound bound = binder.expectMsgClass(Duration.ofSeconds(5), Tcp.Bound.class);
    ActorRef listener = binder.getLastSender();
    TestKit handler = new TestKit(system);
    try (Socket s = new Socket()) {
      s.connect(bound.localAddress(), 5000);
      binder.expectMsgClass(Duration.ofSeconds(5), Tcp.Connected.class);
      binder.getLastSender().tell(TcpMessage.register(handler.getRef()), binder.getRef());
      OutputStream out = s.getOutputStream();
      out.write("first".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.flush();
      // A small read: its bytes were copied out of an array the next reads use again.
      java.util.List<org.apache.pekko.util.ByteString> early = new java.util.ArrayList<>();
      int earlyBytes = 0;
      while (earlyBytes < 5) {
        org.apache.pekko.util.ByteString data =
            handler.expectMsgClass(Duration.ofSeconds(5), Tcp.Received.class).data();
        early.add(data);
        earlyBytes += data.size();
      }
      byte[] bulk = new byte[1 << 20];
      new Random(3).nextBytes(bulk);
      out.write(bulk);
      s.shutdownOutput();
      java.util.List<org.apache.pekko.util.ByteString> later = new java.util.ArrayList<>();
      for (; ; ) {
        Object m = handler.receiveOne(Duration.ofSeconds(10));
        assertNotNull(m, "PeerClosed within 10 s");
        if (m instanceof Tcp.Received) later.add(((Tcp.Received) m).data());
        else {
          assertEquals(Tcp.PeerClosed$.MODULE$, m);
          break;
        }
      }
      org.apache.pekko.util.ByteString all = org.apache.pekko.util.ByteString.emptyByteString();
      for (org.apache.pekko.util.ByteString b : early) all = all.concat(b);
      assertEquals("first", all.utf8String(), "the early Received, after 1 MiB more was read");
      all = org.apache.pekko.util.ByteString.emptyByteString();
      for (org.apache.pekko.util.ByteString b : later) all = all.concat(b);
      assertArrayEquals(bulk, all.toArray(), "every later Received, kept until the end");
    } finally {
      listener.tell(TcpMessage.unbind(), binder.getRef());
    }
  }

  @Test
  void aServerThatAnswersAndClosesAtOnceGivesReceivedThenPeerClosed() throws Exception {
    // The peer's data and FIN can arrive with the connect's own edge; neither may be lost.
    for (int round = 0; round < 20; round++) {
      try (java.net.ServerSocket server = new java.net.ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
        Thread answer = new Thread(() -> {
          try (Socket s = server.accept()) {
            s.getOutputStream().write("bye".getBytes());
          } catch (Exception ignored) {
            // the assertions below tell
          }
        });
        answer.start();
        TestKit probe = new TestKit(system);
        KqTcp.get(system).manager().tell(
            TcpMessage.connect((InetSocketAddress) server.getLocalSocketAddress()), probe.getRef());
        probe.expectMsgClass(Duration.ofSeconds(5), Tcp.Connected.class);
        answer.join();
        probe.getLastSender().tell(TcpMessage.register(probe.getRef()), probe.getRef());
        Tcp.Received received = probe.expectMsgClass(Duration.ofSeconds(5), Tcp.Received.class);
        assertEquals("bye", received.data().utf8String());
        probe.expectMsg(Duration.ofSeconds(5), Tcp.PeerClosed$.MODULE$);
      }
    }
  }
}
