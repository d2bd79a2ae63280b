package io.pekkokq.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A CompoundWrite far larger than one pooled buffer: its parts are gathered into several
 * buffers per writev, every part's ack arrives in order, and the bytes arrive intact.
 */
class CompoundWriteTest {
  private static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("CompoundWriteTest");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  static final class Ack implements Tcp.Event {
    final int id;

    Ack(int id) {
      this.id = id;
    }
  }

  @Test
  void aLargeCompoundWriteIsGatheredAckedPerPartInOrderAndArrivesIntact() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      TestKit probe = new TestKit(system);
      KqTcp.get(system).manager().tell(
          TcpMessage.connect((InetSocketAddress) server.getLocalSocketAddress()), probe.getRef());
      try (Socket peer = server.accept()) {
        peer.setSoTimeout(10_000);
        probe.expectMsgClass(Duration.ofSeconds(5), Tcp.Connected.class);
        ActorRef connection = probe.getLastSender();
        connection.tell(TcpMessage.register(probe.getRef()), probe.getRef());

        int parts = 300;
        Random random = new Random(3);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        Tcp.WriteCommand write = null;
        for (int i = parts - 1; i >= 0; i--) {
          byte[] chunk = new byte[1 + random.nextInt(20_000)];
          random.nextBytes(chunk);
          Tcp.SimpleWriteCommand part =
              i % 3 == 0
                  ? new Tcp.Write(ByteString.fromArray(chunk), new Ack(i))
                  : new Tcp.Write(ByteString.fromArray(chunk), Tcp.NoAck$.MODULE$);
          write = write == null ? part : part.append(write);
          byte[] before = expected.toByteArray();
          expected.reset();
          expected.write(chunk);
          expected.write(before);
        }
        connection.tell(write, probe.getRef());

        byte[] want = expected.toByteArray();
        byte[] got = new byte[want.length];
        InputStream in = peer.getInputStream();
        int off = 0;
        while (off < got.length) {
          int n = in.read(got, off, got.length - off);
          assertTrue(n > 0);
          off += n;
        }
        assertArrayEquals(want, got);
        for (int i = 0; i < parts; i += 3) {
          assertEquals(i, probe.expectMsgClass(Duration.ofSeconds(5), Ack.class).id, "acks in order");
        }
      }
    }
  }
}
