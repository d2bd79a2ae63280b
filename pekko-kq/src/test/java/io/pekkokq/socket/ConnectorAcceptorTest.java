package io.pekkokq.socket;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.pekkokq.metrics.Api;
import io.pekkokq.runtime.ChannelBudget;
import io.pekkokq.runtime.DirectBufferPool;
import io.pekkokq.sys.Socket;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.event.NoLogging$;
import org.junit.jupiter.api.Test;

/**
 * The connector's one definition of "connected" and the acceptor's max-channels rule, on
 * loopback sockets (no poller: finish() and accept() are polled, as each is non-blocking).
 */
class ConnectorAcceptorTest {
  private static final LoggingAdapter LOG = NoLogging$.MODULE$;
  private static final SocketOptions NO_OPTIONS = SocketOptions.NONE;
  private final DirectBufferPool pool = new DirectBufferPool(64, 2);
  private final ChannelBudget budget = new ChannelBudget(10);

  private Acceptor listen(ChannelBudget accepted) throws IOException {
    return bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), accepted, false);
  }

  /** A listener with no options, batches of 8, not counted. */
  private static Acceptor bind(SocketAddress local, ChannelBudget budget, boolean takesPlace) throws IOException {
    return ListenerGroup.bind(
            new ListenerGroup.Spec(local, 16, NO_OPTIONS, 8), SocketFilePolicy.UNTOUCHED, budget, takesPlace, null, 1, LOG)
        .shard(0);
  }

  /** A connect with no options, not counted. */
  private Connector connect(SocketAddress remote, ChannelBudget budget) throws IOException {
    return Connector.start(remote, null, NO_OPTIONS, pool, budget, Api.ACTOR, null);
  }

  private static boolean finishWithin(Connector c, long millis) throws Exception {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < deadline) {
      if (c.finish()) return true;
      Thread.sleep(2);
    }
    return false;
  }

  @Test
  void aConnectEndsConnectedAndTakesAndGivesBackItsPlace() throws Exception {
    Acceptor acceptor = listen(budget);
    try {
      Connector c = connect(acceptor.socket().localAddress(), budget);
      assertEquals(1, budget.open());
      assertTrue(finishWithin(c, 5000));
      assertTrue(c.driver().readable() && c.driver().writable(), "a finished connect assumes both ways");
      c.driver().close();
      assertEquals(0, budget.open());
    } finally {
      acceptor.close();
    }
  }

  @Test
  void aClosedSocketIsAFailedConnectNeverNotYet() throws Exception {
    Acceptor acceptor = listen(budget);
    try {
      Connector c = connect(acceptor.socket().localAddress(), null);
      assumeFalse(c.connectedAtOnce(), "the kernel connected at once: nothing left to finish");
      c.socket().close();
      assertThrows(ClosedChannelException.class, c::finish);
    } finally {
      acceptor.close();
    }
  }

  @Test
  void aRefusedConnectIsAConnectException() throws Exception {
    InetSocketAddress nobody;
    Acceptor closed = listen(budget);
    nobody = closed.socket().localAddress();
    closed.close();
    Connector c = connect(nobody, budget);
    assertThrows(ConnectException.class, () -> finishWithin(c, 5000));
    c.driver().close();
    assertEquals(0, budget.open());
  }

  @Test
  void beyondMaxChannelsAnAcceptedSocketIsClosedAndNotHandedOut() throws Exception {
    ChannelBudget one = new ChannelBudget(1);
    Acceptor acceptor = listen(one);
    List<Socket> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        Connector c = connect(acceptor.socket().localAddress(), null);
        assertTrue(finishWithin(c, 5000));
        clients.add(c.socket());
      }
      List<Socket> accepted = new ArrayList<>();
      // Poll as each connection's edge would make the owner do, for a while after the first.
      long deadline = System.nanoTime() + 5_000_000_000L;
      long settle = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(deadline, settle)) {
        acceptor.onReady();
        int n = acceptor.accept(8, accepted::add);
        assertTrue(n >= 0, "accept failed: " + n);
        if (!accepted.isEmpty() && settle == Long.MAX_VALUE) settle = System.nanoTime() + 200_000_000L;
        Thread.sleep(5);
      }
      assertEquals(1, accepted.size(), "one place, one socket handed out");
      assertEquals(1, one.open());
      accepted.forEach(Socket::close);
    } finally {
      clients.forEach(Socket::close);
      acceptor.close();
    }
  }

  @Test
  void theSameDriverCarriesAUnixDomainSocket(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    io.pekkokq.sys.UnixAddress path = io.pekkokq.sys.UnixAddress.of(dir.resolve("driver.sock"));
    Acceptor acceptor = bind(path, budget, true);
    try {
      Connector c = connect(path, budget);
      assertTrue(finishWithin(c, 5000), "connected over AF_UNIX");
      List<Socket> accepted = new ArrayList<>();
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (accepted.isEmpty() && System.nanoTime() < deadline) {
        acceptor.onReady();
        assertTrue(acceptor.accept(8, accepted::add) >= 0);
        Thread.sleep(2);
      }
      assertEquals(1, accepted.size());
      assertEquals(3, budget.open(), "the listener, the client and the accepted socket");
      assertEquals(5, c.driver().write(i -> i == 0 ? org.apache.pekko.util.ByteString.fromString("hello") : null));
      SocketDriver server = new SocketDriver(Channel.of(accepted.get(0)), pool).holdingPlaceOf(budget);
      SocketDriverTest.Reader reader = new SocketDriverTest.Reader();
      while (reader.all().length() < 5 && System.nanoTime() < deadline) {
        server.onReady(io.pekkokq.sys.ReadyBits.READABLE);
        server.read(reader, 64, Long.MAX_VALUE);
        Thread.sleep(2);
      }
      assertEquals("hello", reader.all());
      c.driver().close();
      server.close();
    } finally {
      acceptor.close();
    }
    assertEquals(0, budget.open());
  }

  @Test
  void aListenerThatTakesAPlaceGivesItBackOnCloseAndNoneIsTakenWhenBindFails() throws Exception {
    Acceptor first =
        bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), budget, true);
    assertEquals(1, budget.open());
    InetSocketAddress taken = first.socket().localAddress();
    assertThrows(
        java.net.BindException.class,
        () -> bind(taken, budget, true),
        "the address is in use");
    assertEquals(1, budget.open(), "the failed bind gave its place back");
    first.close();
    first.close();
    assertEquals(0, budget.open());
  }
}
