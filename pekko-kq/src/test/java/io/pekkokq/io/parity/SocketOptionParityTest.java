package io.pekkokq.io.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pekkokq.sys.OpenSockets;
import io.pekkokq.sys.SocketOption;
import java.util.List;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.testkit.javadsl.TestKit;

/**
 * Pekko's own socket options, passed to a Bind and a Connect, read back with getsockopt
 * on the listener, the accepted connection and the client, the same on every driver
 * ({@link OpenSockets} finds the sockets by their ports, whoever opened them). pekko-kq's
 * own options (KqSO) and the configured defaults are KqSOTest's: Pekko's Tcp knows neither.
 */
class SocketOptionParityTest extends ParityFixture {
  private static final int BUFFER = 96 * 1024;

  private static final List<Inet.SocketOption> OPTIONS =
      List.of(
          TcpSO.reuseAddress(true),
          TcpSO.receiveBufferSize(BUFFER),
          TcpSO.sendBufferSize(BUFFER),
          TcpSO.keepAlive(true),
          TcpSO.oobInline(true),
          TcpSO.tcpNoDelay(false), // both set it on by default
          TcpSO.trafficClass(0x28));

  @ParityTest
  void pekkosOwnOptionsReadBackOnListenerAndBothEnds(String d) {
    start(d);
    TestKit server = probe();
    Listener listener = bind(server, 10, OPTIONS, false);
    TestKit client = probe();
    client.send(
        manager,
        TcpMessage.connect(
            listener.bound().localAddress(), null, OPTIONS, (scala.concurrent.duration.FiniteDuration) null, false));
    Tcp.Connected connected = client.expectMsgClass(T, Tcp.Connected.class);
    client.send(client.getLastSender(), TcpMessage.register(client.getRef()));
    Accepted accepted = expectAccepted(server);
    server.send(accepted.connection(), TcpMessage.register(server.getRef()));

    int listenerPort = listener.bound().localAddress().getPort();
    int clientPort = connected.localAddress().getPort();
    int listening = OpenSockets.listener(listenerPort);
    assertEquals(1, OpenSockets.option(listening, SocketOption.REUSE_ADDRESS), "listener SO_REUSEADDR");
    assertAtLeast(BUFFER, OpenSockets.option(listening, SocketOption.RECEIVE_BUFFER_SIZE), "listener SO_RCVBUF");
    int[] ends = {OpenSockets.connection(listenerPort, clientPort), OpenSockets.connection(clientPort, listenerPort)};
    for (int fd : ends) {
      String where = fd == ends[0] ? "accepted " : "client ";
      assertAtLeast(BUFFER, OpenSockets.option(fd, SocketOption.RECEIVE_BUFFER_SIZE), where + "SO_RCVBUF");
      assertAtLeast(BUFFER, OpenSockets.option(fd, SocketOption.SEND_BUFFER_SIZE), where + "SO_SNDBUF");
      assertEquals(1, OpenSockets.option(fd, SocketOption.KEEP_ALIVE), where + "SO_KEEPALIVE");
      assertEquals(1, OpenSockets.option(fd, SocketOption.OOB_INLINE), where + "SO_OOBINLINE");
      assertEquals(0, OpenSockets.option(fd, SocketOption.TCP_NO_DELAY), where + "TCP_NODELAY");
      assertEquals(0x28, OpenSockets.option(fd, SocketOption.TRAFFIC_CLASS), where + "IP_TOS / IPV6_TCLASS");
    }
  }

  private static void assertAtLeast(int expected, int actual, String what) {
    assertTrue(actual >= expected, what + ": " + actual + " < " + expected);
  }
}
