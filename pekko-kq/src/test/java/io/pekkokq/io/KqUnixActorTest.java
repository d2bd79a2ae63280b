package io.pekkokq.io;

import static org.junit.jupiter.api.Assertions.*;

import io.pekkokq.io.unix.KqUnix;
import io.pekkokq.sys.UnixAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The actor API over Unix domain sockets: KqUnix.Bind / Connect, then Pekko's own Tcp
 * protocol, with the JDK's UnixDomainSocketAddress channels as the independent peer.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KqUnixActorTest {
  private static ActorSystem system;
  private static ActorRef manager;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("KqUnixActorTest");
    manager = KqTcp.get(system).manager();
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  enum Ack implements Tcp.Event {
    INSTANCE
  }

  /**
   * Echoes with acks, one Write in flight at a time: what arrives meanwhile (Received may
   * already be on its way when SuspendReading is sent) waits here; reading is suspended
   * while anything waits (back-pressure), and the end of stream closes after the last write.
   */
  static final class Echo extends AbstractActor {
    private final ActorRef connection;
    private ByteString waiting = ByteString.emptyByteString();
    private boolean writing;
    private boolean peerClosed;

    Echo(ActorRef connection) {
      this.connection = connection;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Received.class, r -> {
            waiting = waiting.concat(r.data());
            connection.tell(TcpMessage.suspendReading(), getSelf());
            writeNext();
          })
          .matchEquals(Ack.INSTANCE, a -> {
            writing = false;
            writeNext();
          })
          .matchEquals(Tcp.PeerClosed$.MODULE$, p -> {
            peerClosed = true;
            writeNext();
          })
          .match(Tcp.ConnectionClosed.class, c -> getContext().stop(getSelf()))
          .build();
    }

    private void writeNext() {
      if (writing) return;
      if (waiting.isEmpty()) {
        connection.tell(peerClosed ? TcpMessage.close() : TcpMessage.resumeReading(), getSelf());
        return;
      }
      writing = true;
      connection.tell(TcpMessage.write(waiting, Ack.INSTANCE), getSelf());
      waiting = ByteString.emptyByteString();
    }
  }

  /** The Bind handler: an Echo per connection; forwards each Connected to {@code seen}. */
  static final class EchoServer extends AbstractActor {
    private final ActorRef seen;

    EchoServer(ActorRef seen) {
      this.seen = seen;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(KqUnix.Connected.class, c -> {
            ActorRef connection = getSender(); // not inside the creator: it runs later
            ActorRef echo = getContext().actorOf(Props.create(Echo.class, () -> new Echo(connection)));
            connection.tell(TcpMessage.register(echo, true, false), getSelf());
            seen.tell(c, getSelf());
          })
          .build();
    }
  }

  private KqUnix.Bound bindEcho(TestKit probe, Path path) {
    ActorRef server = system.actorOf(Props.create(EchoServer.class, () -> new EchoServer(probe.getRef())));
    manager.tell(KqUnix.bind(server, path), probe.getRef());
    return probe.expectMsgClass(Duration.ofSeconds(10), KqUnix.Bound.class);
  }

  @Test
  void echoServerOnTheActorApiAgainstJdkClients() throws Exception {
    TestKit probe = new TestKit(system);
    Path path = dir.resolve("actor-echo.sock");
    KqUnix.Bound bound = bindEcho(probe, path);
    ActorRef listener = probe.getLastSender();
    assertEquals(UnixDomainSocketAddress.of(path), bound.localAddress());
    byte[] sent = new byte[4 << 20];
    new Random(7).nextBytes(sent);
    try (SocketChannel jdk = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
      KqUnix.Connected connected = probe.expectMsgClass(Duration.ofSeconds(10), KqUnix.Connected.class);
      assertEquals(UnixAddress.of(path), connected.localName());
      assertTrue(connected.remoteName().isUnnamed());
      assertEquals(ProcessHandle.current().pid(), connected.peerCredentials().pid());
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(() -> {
            try {
              ByteBuffer out = ByteBuffer.wrap(sent);
              while (out.hasRemaining()) jdk.write(out);
              jdk.shutdownOutput();
            } catch (IOException e) {
              throw new RuntimeException(e);
            }
          });
      byte[] echoed = readToEnd(jdk);
      writer.get(30, TimeUnit.SECONDS);
      assertEquals(sent.length, echoed.length, "bytes echoed");
      assertEquals(-1, java.util.Arrays.mismatch(sent, echoed), "first differing byte");
      assertEquals(sha256(sent), sha256(echoed));
    }
    // 2,000 clients at once, each echoed its own number: not on libkqueue, which drops
    // events beyond its eventlist (the byte-for-byte echo above still ran there).
    io.pekkokq.sys.LibKqueue.skipBecause(io.pekkokq.sys.LibKqueue.OVERFLOW_DROPPED);
    List<SocketChannel> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 2000; i++) clients.add(SocketChannel.open(UnixDomainSocketAddress.of(path)));
      for (int i = 0; i < clients.size(); i++) clients.get(i).write(ByteBuffer.wrap(String.format("%08d", i).getBytes()));
      for (int i = 0; i < clients.size(); i++) {
        ByteBuffer in = ByteBuffer.allocate(8);
        while (in.hasRemaining()) assertTrue(clients.get(i).read(in) >= 0, "closed early: " + i);
        assertEquals(String.format("%08d", i), new String(in.array()));
      }
    } finally {
      for (SocketChannel c : clients) c.close();
    }
    listener.tell(TcpMessage.unbind(), probe.getRef());
    probe.fishForMessage(Duration.ofSeconds(10), "Unbound", m -> m instanceof Tcp.Unbound$);
    assertFalse(Files.exists(path), "Unbind removes the socket file by default");
  }

  @Test
  void clientOnTheActorApiWithHalfCloseAgainstAJdkServer() throws Exception {
    TestKit probe = new TestKit(system);
    Path path = dir.resolve("jdk-server.sock");
    try (ServerSocketChannel jdkServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      jdkServer.bind(UnixDomainSocketAddress.of(path));
      manager.tell(KqUnix.connect(path), probe.getRef());
      try (SocketChannel server = jdkServer.accept()) {
        KqUnix.Connected connected = probe.expectMsgClass(Duration.ofSeconds(10), KqUnix.Connected.class);
        ActorRef connection = probe.getLastSender();
        assertEquals(UnixDomainSocketAddress.of(path), connected.remoteAddress());
        assertEquals(ProcessHandle.current().pid(), connected.peerCredentials().pid());
        connection.tell(TcpMessage.register(probe.getRef(), true, false), probe.getRef());
        connection.tell(TcpMessage.write(ByteString.fromString("question"), Ack.INSTANCE), probe.getRef());
        probe.expectMsg(Duration.ofSeconds(10), Ack.INSTANCE);
        connection.tell(TcpMessage.confirmedClose(), probe.getRef());
        // The JDK server sees our end of stream, and can still answer.
        assertEquals("question", new String(readToEnd(server)));
        server.write(ByteBuffer.wrap("answer".getBytes()));
        server.close();
        StringBuilder got = new StringBuilder();
        Object m;
        while (!((m = probe.receiveOne(Duration.ofSeconds(10))) instanceof Tcp.ConnectionClosed)) {
          assertNotNull(m, "no ConfirmedClosed within 10 s; got " + got);
          if (m instanceof Tcp.Received) got.append(((Tcp.Received) m).data().utf8String());
        }
        assertEquals("answer", got.toString());
        assertInstanceOf(Tcp.ConfirmedClosed$.class, m);
      }
    }
  }

  @Test
  void badInputIsACommandFailedWithACauseNamingThePath() throws Exception {
    TestKit probe = new TestKit(system);
    Path tooLong = dir.resolve("y".repeat(120));
    manager.tell(KqUnix.bind(probe.getRef(), tooLong), probe.getRef());
    Tcp.CommandFailed f1 = probe.expectMsgClass(Duration.ofSeconds(10), Tcp.CommandFailed.class);
    assertInstanceOf(KqUnix.Bind.class, f1.cmd());
    assertInstanceOf(BindException.class, f1.cause().get());
    assertTrue(f1.cause().get().getMessage().contains(tooLong.toString()));

    Path taken = dir.resolve("taken.sock");
    try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      stale.bind(UnixDomainSocketAddress.of(taken));
    }
    manager.tell(KqUnix.bind(probe.getRef(), taken), probe.getRef());
    Tcp.CommandFailed f2 = probe.expectMsgClass(Duration.ofSeconds(10), Tcp.CommandFailed.class);
    assertInstanceOf(BindException.class, f2.cause().get());
    assertTrue(f2.cause().get().getMessage().contains(taken.toString()), f2.cause().get().getMessage());
    assertTrue(Files.exists(taken), "an existing file is removed only when asked");

    for (Path nobody : List.of(dir.resolve("nobody.sock"), taken)) {
      manager.tell(KqUnix.connect(nobody), probe.getRef());
      Tcp.CommandFailed f = probe.expectMsgClass(Duration.ofSeconds(10), Tcp.CommandFailed.class);
      assertInstanceOf(KqUnix.Connect.class, f.cmd());
      assertInstanceOf(ConnectException.class, f.cause().get());
      assertTrue(f.cause().get().getMessage().contains(nobody.toString()), f.cause().get().getMessage());
    }
  }

  private static byte[] readToEnd(SocketChannel channel) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    ByteBuffer buffer = ByteBuffer.allocate(65536);
    while (channel.read(buffer.clear()) >= 0) got.write(buffer.array(), 0, buffer.position());
    return got.toByteArray();
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
