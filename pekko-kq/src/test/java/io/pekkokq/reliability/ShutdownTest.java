package io.pekkokq.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pekkokq.io.KqTcp;
import io.pekkokq.sys.LibKqueue;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Shutdown: terminating an actor system with 1 000 open connections (2 000 sockets, both
 * ends on KqTcp, plus listener and pollers) returns within a bound, closes every
 * descriptor it opened and stops every poller thread it started.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShutdownTest extends ReliabilityFixture {

  /** Connects, echoes once, and then stays open. */
  static final class Client extends AbstractActor {
    private final InetSocketAddress server;
    private final ActorRef manager;
    private final AtomicInteger echoed;
    private final CompletableFuture<Void> all;
    private final int n;
    private final ByteString line = ByteString.fromString("hello before shutdown\n");
    private int got;

    Client(InetSocketAddress server, ActorRef manager, AtomicInteger echoed, int n, CompletableFuture<Void> all) {
      this.server = server;
      this.manager = manager;
      this.echoed = echoed;
      this.n = n;
      this.all = all;
    }

    @Override
    public void preStart() {
      manager.tell(TcpMessage.connect(server), getSelf());
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Connected.class, c -> {
            getSender().tell(TcpMessage.register(getSelf()), getSelf());
            getSender().tell(TcpMessage.write(line), getSelf());
          })
          .match(Tcp.Received.class, r -> {
            got += r.data().size();
            if (got == line.size() && echoed.incrementAndGet() == n) all.complete(null);
          })
          .match(Tcp.CommandFailed.class, f -> all.completeExceptionally(new AssertionError(f.toString())))
          .build();
    }
  }

  /** One actor system with {@code n} open connections; returns it running. */
  private static ActorSystem systemWithOpenConnections(String name, int n, int pollers) throws Exception {
    ActorSystem s = newSystem(name, "pekko.io.kq.pollers = " + pollers);
    ActorRef manager = KqTcp.get(s).manager();
    TestKit probe = new TestKit(s);
    probe.send(manager, TcpMessage.bind(s.actorOf(Props.create(EchoServer.class)), new InetSocketAddress(HOST, 0), 1024));
    InetSocketAddress server = probe.expectMsgClass(T, Tcp.Bound.class).localAddress();
    AtomicInteger echoed = new AtomicInteger();
    CompletableFuture<Void> all = new CompletableFuture<>();
    for (int i = 0; i < n; i++) {
      s.actorOf(Props.create(Client.class, () -> new Client(server, manager, echoed, n, all)));
    }
    all.get(60, TimeUnit.SECONDS);
    assertEquals(2 * n + 1, KqTcp.get(s).openChannels(), "connections (both ends) and the listener");
    return s;
  }

  @Test
  void terminatingWithAThousandOpenConnectionsClosesEveryDescriptorAndStopsThePollers() throws Exception {
    LibKqueue.skipBecause(LibKqueue.OVERFLOW_DROPPED);
    int n = scaled(1000);
    int pollers = 2;
    // Warm-up: the classes and jars a first system opens stay loaded and open.
    ActorSystem warm = systemWithOpenConnections("shutdown-warm-up", 10, pollers);
    warm.terminate();
    warm.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    Set<Thread> pollersBefore = new HashSet<>(pollerThreads());
    int fdsBefore = openFds();

    ActorSystem s = systemWithOpenConnections("shutdown", n, pollers);
    Set<Thread> ours = new HashSet<>(pollerThreads());
    ours.removeAll(pollersBefore);
    assertEquals(pollers, ours.size(), "poller threads of this system: " + ours);
    int fdsOpen = openFds();
    assertTrue(fdsOpen >= fdsBefore + 2 * n, "descriptors while open: " + fdsOpen);

    long t0 = System.nanoTime();
    s.terminate();
    s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    long terminatedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    // The manager stops the pollers in its postStop, before termination completes.
    Set<Thread> alive = new HashSet<>();
    for (Thread t : ours) if (t.isAlive()) alive.add(t);
    int fdsAfter = openFds();
    assertTrue(alive.isEmpty(), () -> "poller threads alive after termination: " + alive);
    assertTrue(fdsAfter <= fdsBefore, () -> "descriptors: " + fdsBefore + " before the system, " + fdsOpen
        + " with it, " + fdsAfter + " after termination");
    assertTrue(terminatedMs < 15_000, "termination took " + terminatedMs + " ms");
    report("shutdown",
        n + " open connections (" + 2 * n + " sockets), " + pollers + " pollers, then ActorSystem.terminate()",
        "PASS: terminated in " + terminatedMs + " ms; fds " + fdsBefore + " -> " + fdsOpen + " -> " + fdsAfter
            + "; " + pollers + " poller threads started, 0 alive after");
  }
}
