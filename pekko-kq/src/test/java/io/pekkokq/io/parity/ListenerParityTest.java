package io.pekkokq.io.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.testkit.javadsl.TestKit;

/** Port of Pekko's TcpListenerSpec, black-box: listeners through the manager, raw JDK clients. */
class ListenerParityTest extends ParityFixture {

  private static String batchOf2() {
    return both("batch-accept-limit", "2");
  }

  @ParityTest
  void boundComesFromTheListenerWithTheRealPort(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Listener l = bind(handler);
    assertEquals("127.0.0.1", l.address().getAddress().getHostAddress());
    assertNotEquals(0, l.address().getPort());
    assertNotEquals(manager, l.ref(), "Bound must come from the listener, not the manager");
    // the port really listens
    rawConnect(l.address());
    expectAccepted(handler);
    // and the sender of Bound takes Unbind
    handler.send(l.ref(), TcpMessage.unbind());
    handler.expectMsgEquals(T, UNBOUND);
  }

  @ParityTest
  void incomingConnectedCarriesBothAddressesAndComesFromTheConnection(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Listener l = bind(handler);
    Socket client = rawConnect(l.address());
    Accepted a = expectAccepted(handler);
    assertEquals(client.getLocalSocketAddress(), a.connected().remoteAddress());
    assertEquals(l.address(), a.connected().localAddress());
    assertNotEquals(l.ref(), a.connection());
    TestKit connHandler = probe();
    handler.send(a.connection(), TcpMessage.register(connHandler.getRef()));
    writeRaw(client, "ping");
    assertEquals("ping", receiveBytes(connHandler, 4).utf8String());
    connHandler.send(a.connection(), write("pong", 1));
    connHandler.expectMsgEquals(T, new Ack(1));
    assertEquals("pong", readString(client, 4));
  }

  @ParityTest
  void acceptsMorePendingConnectionsThanTheBatchLimit(String d) throws Exception {
    start(d, batchOf2());
    TestKit handler = probe();
    Listener l = bind(handler);
    for (int round = 0; round < 2; round++) {
      Set<Object> clients = new HashSet<>();
      for (int i = 0; i < 3; i++) clients.add(rawConnect(l.address()).getLocalSocketAddress());
      Set<Object> accepted = new HashSet<>();
      for (int i = 0; i < 3; i++) accepted.add(expectAccepted(handler).connected().remoteAddress());
      assertEquals(clients, accepted, "round " + round);
    }
    handler.expectNoMessage(QUIET);
  }

  @ParityTest
  void pullModeListenerAcceptsOnlyAgainstResumeAccepting(String d) throws Exception {
    start(d, batchOf2());
    TestKit handler = probe();
    Listener l = bind(handler, 100, List.of(), true);
    List<Socket> clients =
        List.of(rawConnect(l.address()), rawConnect(l.address()), rawConnect(l.address()));
    handler.expectNoMessage(QUIET);

    handler.send(l.ref(), TcpMessage.resumeAccepting(1));
    Accepted first = expectAccepted(handler);
    // register at once (register-timeout is 500ms here)
    TestKit connHandler = probe();
    handler.send(first.connection(), TcpMessage.register(connHandler.getRef()));
    handler.expectNoMessage(QUIET);

    handler.send(l.ref(), TcpMessage.resumeAccepting(2));
    expectAccepted(handler);
    expectAccepted(handler);
    handler.expectNoMessage(QUIET);

    // credit used up: a fourth connection waits for the next ResumeAccepting
    rawConnect(l.address());
    handler.expectNoMessage(QUIET);
    handler.send(l.ref(), TcpMessage.resumeAccepting(1));
    expectAccepted(handler);

    // accepted connections inherit pull mode: no Received before ResumeReading. The first
    // accepted is one of the three clients, not necessarily the first: with several pollers
    // the listener is sharded, and the kernel queues each connection on one shard.
    Socket c1 =
        clients.stream()
            .filter(c -> c.getLocalSocketAddress().equals(first.connected().remoteAddress()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("accepted a connection of none of the clients"));
    writeRaw(c1, "pulled");
    connHandler.expectNoMessage(QUIET);
    connHandler.send(first.connection(), TcpMessage.resumeReading());
    assertEquals("pulled", receiveBytes(connHandler, 6).utf8String());
  }

  @ParityTest
  void unbindAnswersUnboundStopsTheListenerAndFreesThePort(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    TestKit unbinder = probe();
    Listener l = bind(handler);
    unbinder.watch(l.ref());
    unbinder.send(l.ref(), TcpMessage.unbind());
    unbinder.expectMsgEquals(T, UNBOUND);
    unbinder.expectTerminated(T, l.ref());
    handler.expectNoMessage(java.time.Duration.ZERO);
    assertThrows(ConnectException.class, () -> new Socket(l.address().getAddress(), l.address().getPort()).close());

    // the same port can be bound again
    TestKit handler2 = probe();
    handler2.send(manager, TcpMessage.bind(handler2.getRef(), l.address(), 100));
    Tcp.Bound again = handler2.expectMsgClass(T, Tcp.Bound.class);
    assertEquals(l.address(), again.localAddress());
  }

  @ParityTest
  void connectionsSurviveTheirListenersUnbind(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    Listener l = bind(handler);
    Socket client = rawConnect(l.address());
    Accepted a = expectAccepted(handler);
    TestKit connHandler = probe();
    handler.send(a.connection(), TcpMessage.register(connHandler.getRef()));
    handler.send(l.ref(), TcpMessage.unbind());
    handler.expectMsgEquals(T, UNBOUND);
    writeRaw(client, "still");
    assertEquals("still", receiveBytes(connHandler, 5).utf8String());
    connHandler.send(a.connection(), write("alive", 1));
    connHandler.expectMsgEquals(T, new Ack(1));
    assertEquals("alive", readString(client, 5));
  }

  @ParityTest
  void bindToAPortInUseFailsWithTheAddressInTheCause(String d) throws Exception {
    start(d);
    ServerSocket taken = rawServer();
    InetSocketAddress addr = (InetSocketAddress) taken.getLocalSocketAddress();
    TestKit handler = probe();
    Tcp.Command bind = TcpMessage.bind(handler.getRef(), addr, 100);
    handler.send(manager, bind);
    Tcp.CommandFailed failed = handler.expectMsgClass(T, Tcp.CommandFailed.class);
    assertSame(bind, failed.cmd());
    BindException cause = cause(failed, BindException.class);
    assertEquals("[" + addr + "] Address already in use", cause.getMessage());
    handler.expectNoMessage(QUIET);
  }

  @ParityTest
  void deathOfTheBindHandlerUnbinds(String d) throws Exception {
    start(d);
    TestKit handler = probe();
    TestKit watcher = probe();
    Listener l = bind(handler);
    watcher.watch(l.ref());
    system.stop(handler.getRef());
    watcher.expectTerminated(T, l.ref());
    // Pekko closes the server channel from postStop while it is still registered, so NIO defers
    // the real close to the selector's next wakeup: nudge it with another Bind (harmless for
    // kq), then the port must stop accepting.
    bind(probe());
    watcher.awaitCond(T, () -> refuses(l.address()));
  }

  private static boolean refuses(InetSocketAddress addr) {
    try {
      new Socket(addr.getAddress(), addr.getPort()).close();
      return false;
    } catch (ConnectException e) {
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
