package io.pekkokq.io.parity;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.testkit.javadsl.TestKit;

/** Port of Pekko's CapacityLimitSpec (max-channels = 4) and the listener's capacity case. */
class CapacityParityTest extends ParityFixture {

  private static String maxChannels4() {
    return both("max-channels", "4");
  }

  @ParityTest
  void fifthBindAndConnectAreRefusedWithTheSameCommand(String d) {
    start(d, maxChannels4());
    TestKit handler = probe();
    List<Listener> listeners = new ArrayList<>();
    for (int i = 0; i < 4; i++) listeners.add(bind(handler));

    Tcp.Command fifthBind = TcpMessage.bind(handler.getRef(), anyLoopbackPort(), 100);
    handler.send(manager, fifthBind);
    assertSame(fifthBind, handler.expectMsgClass(T, Tcp.CommandFailed.class).cmd());

    TestKit commander = probe();
    Tcp.Command connect = TcpMessage.connect(listeners.get(0).address());
    commander.send(manager, connect);
    assertSame(connect, commander.expectMsgClass(T, Tcp.CommandFailed.class).cmd());
    handler.expectNoMessage(QUIET);

    // freeing a channel makes room again
    handler.watch(listeners.get(3).ref());
    handler.send(listeners.get(3).ref(), TcpMessage.unbind());
    handler.expectMsgEquals(T, UNBOUND);
    handler.expectTerminated(T, listeners.get(3).ref());
    long deadline = System.nanoTime() + T.toNanos();
    while (true) {
      handler.send(manager, TcpMessage.bind(handler.getRef(), anyLoopbackPort(), 100));
      Object m = handler.receiveOne(T);
      if (m instanceof Tcp.Bound) break;
      assertTrue(m instanceof Tcp.CommandFailed, "expected Bound or CommandFailed, got " + m);
      assertTrue(System.nanoTime() < deadline, "capacity not released after Unbind");
      handler.expectNoMessage(java.time.Duration.ofMillis(50));
    }
  }

  @ParityTest
  void acceptedConnectionBeyondCapacityIsDropped(String d) throws Exception {
    start(d, maxChannels4());
    TestKit bindHandler = probe();
    Listener l = bind(bindHandler); // 1

    TestKit a = probe();
    a.send(manager, TcpMessage.connect(l.address())); // 2
    a.expectMsgClass(T, Tcp.Connected.class);
    a.send(a.getLastSender(), TcpMessage.register(a.getRef()));
    Accepted accepted = expectAccepted(bindHandler); // 3
    bindHandler.send(accepted.connection(), TcpMessage.register(bindHandler.getRef()));

    TestKit b = probe();
    b.send(manager, TcpMessage.connect(l.address())); // 4
    Tcp.Connected bc = b.expectMsgClass(T, Tcp.Connected.class);
    assertNotEquals(null, bc);
    b.send(b.getLastSender(), TcpMessage.register(b.getRef()));
    // the server side of b would be the fifth channel: the listener closes it
    Object closed = b.expectMsgAnyClassOf(T, Tcp.ConnectionClosed.class);
    assertSame(PEER_CLOSED, closed);
    bindHandler.expectNoMessage(QUIET);
  }
}
