package io.pekkokq.io.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.io.KqTcp;
import io.pekkokq.runtime.KqRuntime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp.IncomingConnection;
import org.apache.pekko.stream.javadsl.Tcp.ServerBinding;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An accepted socket whose owner never takes it is closed when the actor system
 * terminates (docs/architecture.md, lifecycle rule 4), in both APIs, reproduced without a
 * race: the actor API's accepted sockets go to poller homes stopped beforehand (as a home
 * already stopping at termination: its message goes to dead letters); the Streams API's
 * incoming connection is never materialized, with no register-timeout to expire it. The
 * peer must see its connection end, and max-channels must be back to zero.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UnclaimedAcceptedSocketTest {
  private static final Duration T = Duration.ofSeconds(30);

  private static ActorSystem system(String name, int pollers) {
    return ActorSystem.create(
        name,
        ConfigFactory.parseString(
                "pekko.io.kq.pollers = " + pollers + "\n"
                    + "pekko.io.kq.register-timeout = infinite\n"
                    + "pekko.loglevel = WARNING\n"
                    + "pekko.log-dead-letters = off\n"
                    + "pekko.log-dead-letters-during-shutdown = off\n")
            .withFallback(ConfigFactory.load()));
  }

  /** One or two pollers: a single listener's accepts, and (where sharded) its shards'. */
  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void socketsSentToStoppedHomesAreClosedWhenTheSystemTerminates(int pollers) throws Exception {
    ActorSystem system = system("UnclaimedAcceptedSocketTest-actor-" + pollers, pollers);
    List<Socket> clients = new ArrayList<>();
    try {
      KqRuntime runtime = KqRuntime.get(system);
      ActorRef manager = KqTcp.get(system).manager();
      TestKit probe = new TestKit(system);
      for (int i = 0; i < pollers; i++) {
        ActorRef home = home(system, manager, i);
        probe.watch(home);
        system.stop(home);
        probe.expectTerminated(T, home);
      }
      manager.tell(TcpMessage.bind(probe.getRef(), new InetSocketAddress("127.0.0.1", 0), 16), probe.getRef());
      InetSocketAddress bound = probe.expectMsgClass(T, Tcp.Bound.class).localAddress();
      // Enough connections that, sharded, the kernel's spread gives every shard one
      // almost surely; each accepted socket goes to a stopped home, whichever shard took it.
      int n = 4 * pollers;
      for (int i = 0; i < n; i++) clients.add(connect(bound));
      awaitTrue(() -> runtime.inTransit().size() == n, () -> "accepted sockets on their way: " + runtime.inTransit().size());
      assertEquals(n + 1, runtime.channels().open(), "the accepted sockets and the listener hold their places");
      probe.expectNoMessage(Duration.ofMillis(100)); // no Connected: no connection actor took one

      terminate(system);

      for (Socket client : clients) assertPeerClosed(client);
      assertEquals(0, runtime.inTransit().size());
      assertEquals(0, runtime.channels().open(), "every max-channels place given back");
    } finally {
      for (Socket c : clients) c.close();
      terminate(system);
    }
  }

  /**
   * The race itself, not forced: connections keep arriving while the system terminates.
   * Whichever way each one ends (a connection actor that stops, a socket sent to a home
   * already stopping, one still in the listener's backlog when it closes), its peer sees
   * the end and every max-channels place comes back.
   */
  @Test
  void terminatingWhileConnectionsArriveLeavesNoAcceptedSocketOpen() throws Exception {
    ActorSystem system = system("UnclaimedAcceptedSocketTest-race", 2);
    List<Socket> clients = java.util.Collections.synchronizedList(new ArrayList<>());
    try {
      KqRuntime runtime = KqRuntime.get(system);
      TestKit probe = new TestKit(system); // the Bind handler: it never registers a connection
      KqTcp.get(system).manager()
          .tell(TcpMessage.bind(probe.getRef(), new InetSocketAddress("127.0.0.1", 0), 64), probe.getRef());
      InetSocketAddress bound = probe.expectMsgClass(T, Tcp.Bound.class).localAddress();
      java.util.concurrent.CountDownLatch some = new java.util.concurrent.CountDownLatch(20);
      Thread connecting = new Thread(() -> {
        for (int i = 0; i < 300; i++) {
          try {
            clients.add(connect(bound));
            some.countDown();
          } catch (IOException refused) { // the listener has closed: the race is over
            break;
          }
        }
      }, "connecting");
      connecting.start();
      assertTrue(some.await(T.toSeconds(), TimeUnit.SECONDS), "20 connections before the termination");

      terminate(system);
      connecting.join(2 * T.toMillis()); // a connect in flight ends when the listener closes
      assertTrue(!connecting.isAlive(), "the connecting thread ended");

      synchronized (clients) {
        for (Socket client : clients) assertPeerClosed(client);
      }
      assertEquals(0, runtime.inTransit().size());
      assertEquals(0, runtime.channels().open(), "every max-channels place given back");
    } finally {
      synchronized (clients) {
        for (Socket c : clients) c.close();
      }
      terminate(system);
    }
  }

  @Test
  void anIncomingConnectionNeverMaterializedIsClosedWhenTheSystemTerminates() throws Exception {
    ActorSystem system = system("UnclaimedAcceptedSocketTest-streams", 1);
    Socket client = null;
    try {
      KqRuntime runtime = KqRuntime.get(system);
      CompletableFuture<IncomingConnection> first = new CompletableFuture<>();
      ServerBinding binding =
          io.pekkokq.stream.javadsl.KqTcp.get(system)
              .bind("127.0.0.1", 0)
              .to(Sink.foreach(first::complete)) // holds it, never materializes its flow
              .run(system)
              .toCompletableFuture()
              .get(T.toSeconds(), TimeUnit.SECONDS);
      client = connect(binding.localAddress());
      first.get(T.toSeconds(), TimeUnit.SECONDS);
      assertEquals(1, runtime.inTransit().size(), "the unmaterialized connection is on its way");
      assertEquals(2, runtime.channels().open(), "the connection and the listener hold their places");

      terminate(system);

      assertPeerClosed(client);
      assertEquals(0, runtime.inTransit().size());
      assertEquals(0, runtime.channels().open(), "every max-channels place given back");
    } finally {
      if (client != null) client.close();
      terminate(system);
    }
  }

  @Test
  void aMaterializedIncomingConnectionIsNoLongerOnItsWay() throws Exception {
    ActorSystem system = system("UnclaimedAcceptedSocketTest-streams-taken", 1);
    try (Socket client = new Socket()) {
      KqRuntime runtime = KqRuntime.get(system);
      ServerBinding binding =
          io.pekkokq.stream.javadsl.KqTcp.get(system)
              .bind("127.0.0.1", 0)
              .to(Sink.foreach(c -> c.handleWith(org.apache.pekko.stream.javadsl.Flow.create(), system)))
              .run(system)
              .toCompletableFuture()
              .get(T.toSeconds(), TimeUnit.SECONDS);
      client.connect(binding.localAddress(), (int) T.toMillis());
      client.setSoTimeout((int) T.toMillis());
      client.getOutputStream().write(7);
      assertEquals(7, client.getInputStream().read(), "echoed by the materialized flow");
      assertEquals(0, runtime.inTransit().size(), "taken by its stream");
    } finally {
      terminate(system);
    }
  }

  /** The home of poller {@code index}, once the manager (started asynchronously) has made it. */
  private static ActorRef home(ActorSystem system, ActorRef manager, int index) throws Exception {
    long deadline = System.nanoTime() + T.toNanos();
    for (; ; ) {
      try {
        return system.actorSelection(manager.path().child(PollerHome.name(index))).resolveOne(T)
            .toCompletableFuture().get(T.toSeconds(), TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException notYet) {
        if (System.nanoTime() > deadline) throw notYet;
        Thread.sleep(10);
      }
    }
  }

  private static Socket connect(InetSocketAddress address) throws IOException {
    Socket client = new Socket();
    client.connect(address, (int) T.toMillis());
    client.setSoTimeout((int) T.toMillis());
    return client;
  }

  /** The server closed (a reset, or an end of stream); a descriptor left open would time out. */
  private static void assertPeerClosed(Socket client) throws IOException {
    try {
      assertEquals(-1, client.getInputStream().read(), "end of stream");
    } catch (SocketTimeoutException e) {
      fail("the accepted socket was never closed: its peer heard nothing within " + T);
    } catch (SocketException reset) {
      // Connection reset: the socket was aborted, as expected
    }
  }

  private static void terminate(ActorSystem system) throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(T.toSeconds(), TimeUnit.SECONDS);
  }

  private static void awaitTrue(BooleanSupplier condition, java.util.function.Supplier<String> what)
      throws InterruptedException {
    long deadline = System.nanoTime() + T.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, what);
      Thread.sleep(10);
    }
  }
}
