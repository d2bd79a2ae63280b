package io.pekkokq.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integrity: hundreds of MiB through a KqTcp client and a KqTcp echo server, in writes of
 * random sizes split at random points (single Writes and CompoundWrites of up to 6 parts,
 * 1 byte to 2 MiB), the SHA-256 taken where the bytes are made, where the server receives
 * them and where the client gets them back.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class IntegrityTest extends ReliabilityFixture {
  /** Random bytes that writes take slices of, at random offsets. */
  static final byte[] POOL = new byte[8 << 20];

  static {
    new Random(20260101).nextBytes(POOL);
  }

  enum Ack implements Tcp.Event {
    INSTANCE
  }

  /** A random slice of the pool, 1 byte to {@code max}, with sizes skewed small. */
  static ByteString randomSlice(Random random, int max) {
    int kind = random.nextInt(100);
    int size =
        kind < 60 ? 1 + random.nextInt(4096)
            : kind < 90 ? 4096 + random.nextInt(256 << 10)
            : (256 << 10) + random.nextInt(Math.max(1, max - (256 << 10)));
    size = Math.min(size, max);
    int offset = random.nextInt(POOL.length - size + 1);
    return ByteString.fromArray(POOL, offset, size);
  }

  record Digests(String sent, String echoed, long bytes, int writes, long millis) {}

  /** Server side of one connection: digests what arrives and echoes it, ack-based, suspending reads meanwhile. */
  static final class DigestingEcho extends AbstractActor {
    private final ActorRef connection;
    private final CompletableFuture<String> digest;
    private final MessageDigest sha = MessageDigest.getInstance("SHA-256");
    private final ArrayDeque<ByteString> unsent = new ArrayDeque<>();
    private boolean writing;
    private boolean peerClosed;

    DigestingEcho(ActorRef connection, CompletableFuture<String> digest) throws Exception {
      this.connection = connection;
      this.digest = digest;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Received.class, r -> {
            for (java.nio.ByteBuffer b : r.data().getByteBuffers()) sha.update(b);
            unsent.add(r.data());
            connection.tell(TcpMessage.suspendReading(), getSelf());
            writeNext();
          })
          .matchEquals(Ack.INSTANCE, a -> {
            writing = false;
            writeNext();
          })
          .matchEquals(Tcp.PeerClosed$.MODULE$, p -> {
            peerClosed = true;
            digest.complete(HexFormat.of().formatHex(sha.digest()));
            writeNext();
          })
          .match(Tcp.ConnectionClosed.class, c -> {
            if (!digest.isDone()) digest.completeExceptionally(new AssertionError("server side: " + c));
            getContext().stop(getSelf());
          })
          .match(Tcp.CommandFailed.class, f -> digest.completeExceptionally(new AssertionError("server side: " + f)))
          .build();
    }

    private void writeNext() {
      if (writing) return;
      if (unsent.isEmpty()) {
        if (peerClosed) connection.tell(TcpMessage.close(), getSelf());
        else connection.tell(TcpMessage.resumeReading(), getSelf());
        return;
      }
      ByteString all = ByteString.emptyByteString();
      while (!unsent.isEmpty()) all = all.concat(unsent.poll());
      writing = true;
      connection.tell(TcpMessage.write(all, Ack.INSTANCE), getSelf());
    }
  }

  static final class DigestingServer extends AbstractActor {
    private final CompletableFuture<String> digest;

    DigestingServer(CompletableFuture<String> digest) {
      this.digest = digest;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Connected.class, c -> {
            ActorRef connection = getSender();
            ActorRef h = getContext().actorOf(Props.create(DigestingEcho.class, () -> new DigestingEcho(connection, digest)));
            // keepOpenOnPeerClosed: the echo of the last bytes still goes out after the client's FIN.
            connection.tell(TcpMessage.register(h, true, true), getSelf());
          })
          .build();
    }
  }

  /** Client: writes {@code total} bytes ack-based in random writes, half-closes, digests the echo. */
  static final class Sender extends AbstractActor {
    private final InetSocketAddress server;
    private final ActorRef manager;
    private final long total;
    private final CompletableFuture<Digests> result;
    private final Random random = new Random(99);
    private final MessageDigest sent = MessageDigest.getInstance("SHA-256");
    private final MessageDigest echoed = MessageDigest.getInstance("SHA-256");
    private final long started = System.nanoTime();
    private ActorRef connection;
    private long written;
    private long received;
    private int writes;

    Sender(InetSocketAddress server, ActorRef manager, long total, CompletableFuture<Digests> result) throws Exception {
      this.server = server;
      this.manager = manager;
      this.total = total;
      this.result = result;
    }

    @Override
    public void preStart() {
      manager.tell(TcpMessage.connect(server), getSelf());
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Connected.class, c -> {
            connection = getSender();
            connection.tell(TcpMessage.register(getSelf(), true, true), getSelf());
            writeNext();
          })
          .matchEquals(Ack.INSTANCE, a -> writeNext())
          .match(Tcp.Received.class, r -> {
            for (java.nio.ByteBuffer b : r.data().getByteBuffers()) echoed.update(b);
            received += r.data().size();
          })
          .match(Tcp.ConnectionClosed.class, c -> {
            if (c.isPeerClosed() || c == Tcp.ConfirmedClosed$.MODULE$) {
              result.complete(new Digests(
                  HexFormat.of().formatHex(sent.digest()), HexFormat.of().formatHex(echoed.digest()),
                  received, writes, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
            } else {
              result.completeExceptionally(new AssertionError("client: " + c + " after " + written + " written, " + received + " echoed"));
            }
          })
          .match(Tcp.CommandFailed.class, f -> result.completeExceptionally(new AssertionError("client: " + f)))
          .build();
    }

    /** One write of random parts; after the last, ConfirmedClose (our FIN, then the echo's end). */
    private void writeNext() {
      if (written >= total) {
        connection.tell(TcpMessage.confirmedClose(), getSelf());
        return;
      }
      int parts = random.nextInt(4) == 0 ? 2 + random.nextInt(5) : 1;
      List<Tcp.WriteCommand> commands = new ArrayList<>();
      for (int i = 0; i < parts && written < total; i++) {
        ByteString slice = randomSlice(random, (int) Math.min(2 << 20, total - written));
        for (java.nio.ByteBuffer b : slice.getByteBuffers()) sent.update(b);
        written += slice.size();
        boolean last = i == parts - 1 || written >= total;
        commands.add((Tcp.WriteCommand) (last ? TcpMessage.write(slice, Ack.INSTANCE) : TcpMessage.write(slice)));
      }
      writes++;
      connection.tell(commands.size() == 1 ? commands.get(0) : Tcp.WriteCommand$.MODULE$.create(commands), getSelf());
    }
  }

  @Test
  void randomWritesArriveAndComeBackWithTheSameDigest() throws Exception {
    start("integrity");
    long total = scaled(512L << 20);
    CompletableFuture<String> serverDigest = new CompletableFuture<>();
    TestKit probe = new TestKit(system);
    probe.send(manager, TcpMessage.bind(
        system.actorOf(Props.create(DigestingServer.class, () -> new DigestingServer(serverDigest))),
        new InetSocketAddress(HOST, 0), 10));
    InetSocketAddress server = probe.expectMsgClass(T, Tcp.Bound.class).localAddress();
    CompletableFuture<Digests> client = new CompletableFuture<>();
    system.actorOf(Props.create(Sender.class, () -> new Sender(server, manager, total, client)));
    Digests d = client.get(150, TimeUnit.SECONDS);
    String atServer = serverDigest.get(10, TimeUnit.SECONDS);
    assertEquals(d.sent(), atServer, "SHA-256 of what was sent and of what the server received");
    assertEquals(d.sent(), d.echoed(), "SHA-256 of what was sent and of what came back");
    assertEquals(total, d.bytes(), "bytes echoed");
    assertNoErrorsLogged(null);
    report("integrity",
        mib(total) + " each way in " + d.writes() + " writes of 1 B..2 MiB (1/4 CompoundWrites of 2-6 parts)",
        String.format("PASS: SHA-256 equal at sender, server and echo (%s...); %d ms, %.0f MiB/s each way",
            d.sent().substring(0, 16), d.millis(), total / 1048576.0 / (d.millis() / 1000.0)));
  }
}
