package io.pekkokq.io.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pekkokq.io.KqTcp;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
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
 * The connection actor makes its write bookkeeping on the first Write and the list of
 * who hears the close event only when it stops (an idle connection holds neither), and
 * keeps its states in fields read by one receive: each must behave as before on first
 * use, on reuse, and when the connection ends without ever having used it.
 */
class TcpConnectionLazyStateTest {
  private static final Duration T = Duration.ofSeconds(10);
  private static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("TcpConnectionLazyStateTest");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  /** A connection accepted from a plain socket: the probe is its bind handler and handler. */
  private static final class Accepted implements AutoCloseable {
    final TestKit handler = new TestKit(system);
    final Socket client = new Socket();
    final ActorRef connection;

    Accepted() throws Exception {
      KqTcp.get(system).manager().tell(
          TcpMessage.bind(handler.getRef(), new InetSocketAddress("127.0.0.1", 0), 10), handler.getRef());
      Tcp.Bound bound = handler.expectMsgClass(T, Tcp.Bound.class);
      ActorRef listener = handler.getLastSender();
      client.connect(bound.localAddress(), 5000);
      client.setSoTimeout(5000);
      handler.expectMsgClass(T, Tcp.Connected.class);
      connection = handler.getLastSender();
      connection.tell(TcpMessage.register(handler.getRef()), handler.getRef());
      listener.tell(TcpMessage.unbind(), handler.getRef());
      handler.expectMsgClass(T, Tcp.Unbound$.class);
    }

    @Override
    public void close() throws Exception {
      client.close();
    }
  }

  private static byte[] readFully(InputStream in, int n) throws Exception {
    byte[] b = in.readNBytes(n);
    assertEquals(n, b.length, "bytes before end of stream");
    return b;
  }

  @Test
  void firstWriteOfAnIdleConnectionThenAnotherReusingItsBookkeeping() throws Exception {
    try (Accepted a = new Accepted()) {
      TestKit writer = new TestKit(system);
      a.handler.expectNoMessage(Duration.ofMillis(200)); // idle: nothing written, nothing read
      for (int i = 0; i < 3; i++) {
        byte[] data = ("write " + i).getBytes();
        a.connection.tell(TcpMessage.write(ByteString.fromArray(data), new Ack(i)), writer.getRef());
        writer.expectMsgEquals(T, new Ack(i));
        assertArrayEquals(data, readFully(a.client.getInputStream(), data.length));
      }
      a.connection.tell(TcpMessage.close(), a.handler.getRef());
      a.handler.expectMsgClass(T, Tcp.Closed$.class);
      assertEquals(-1, a.client.getInputStream().read(), "the peer reads end of stream");
      a.handler.expectNoMessage(Duration.ofMillis(200));
    }
  }

  @Test
  void closeOfAConnectionThatNeverWroteTellsHandlerAndCloserOnceEach() throws Exception {
    try (Accepted a = new Accepted()) {
      TestKit closer = new TestKit(system);
      a.connection.tell(TcpMessage.close(), closer.getRef());
      closer.expectMsgClass(T, Tcp.Closed$.class);
      a.handler.expectMsgClass(T, Tcp.Closed$.class);
      closer.expectNoMessage(Duration.ofMillis(200));
      a.handler.expectNoMessage(Duration.ofMillis(1));
      assertEquals(-1, a.client.getInputStream().read(), "the peer reads end of stream");
    }
  }

  @Test
  void closeBeforeAnyWriteByTheHandlerItselfIsReportedOnce() throws Exception {
    try (Accepted a = new Accepted()) {
      a.connection.tell(TcpMessage.confirmedClose(), a.handler.getRef());
      assertEquals(-1, a.client.getInputStream().read(), "our FIN arrives");
      a.client.shutdownOutput();
      a.handler.expectMsgClass(T, Tcp.ConfirmedClosed$.class);
      a.handler.expectNoMessage(Duration.ofMillis(200));
    }
  }

  private static final class Ack implements Tcp.Event {
    final int n;

    Ack(int n) {
      this.n = n;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Ack && ((Ack) o).n == n;
    }

    @Override
    public int hashCode() {
      return n;
    }
  }
}
