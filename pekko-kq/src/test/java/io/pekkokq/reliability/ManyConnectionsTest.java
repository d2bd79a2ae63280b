package io.pekkokq.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pekkokq.io.KqTcp;
import io.pekkokq.sys.LibKqueue;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many connections: as many concurrent connections as the process's descriptor limit
 * allows, up to 10 000 (both ends live in this JVM, so each costs two descriptors), all
 * open at once, then each echoes once, then all close.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ManyConnectionsTest extends ReliabilityFixture {
  static final int TARGET = 10_000;
  /** Below this the case says nothing worth saying: skipped with the reason. */
  static final int MINIMUM = 1_000;

  enum Go {
    INSTANCE
  }

  enum CloseNow {
    INSTANCE
  }

  record Connected(int id) {}

  record Echoed(int id) {}

  record Finished(int id, String how) {}

  /** Connects and registers; on Go sends its line and reports the echo; on CloseNow closes. */
  static final class Client extends AbstractActor {
    private final int id;
    private final InetSocketAddress server;
    private final ActorRef manager;
    private final ActorRef driver;
    private final ByteString line;
    private ByteString echoed = ByteString.emptyByteString();
    private ActorRef connection;

    Client(int id, InetSocketAddress server, ActorRef manager, ActorRef driver) {
      this.id = id;
      this.server = server;
      this.manager = manager;
      this.driver = driver;
      this.line = ByteString.fromString("connection " + id + " of many\n");
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
            connection.tell(TcpMessage.register(getSelf()), getSelf());
            driver.tell(new Connected(id), getSelf());
          })
          .matchEquals(Go.INSTANCE, g -> connection.tell(TcpMessage.write(line), getSelf()))
          .match(Tcp.Received.class, r -> {
            echoed = echoed.concat(r.data());
            if (echoed.size() == line.size()) {
              driver.tell(echoed.equals(line) ? new Echoed(id) : new Finished(id, "wrong echo: " + echoed.utf8String()), getSelf());
            }
          })
          .matchEquals(CloseNow.INSTANCE, c -> connection.tell(TcpMessage.close(), getSelf()))
          .match(Tcp.ConnectionClosed.class, c -> driver.tell(new Finished(id, c.toString()), getSelf()))
          .match(Tcp.CommandFailed.class, f -> driver.tell(new Finished(id, "failed: " + f), getSelf()))
          .build();
    }
  }

  /** Opens n connections with at most {@code window} connects outstanding, then echo, then close. */
  static final class Driver extends AbstractActor {
    private final int n;
    private final int window;
    private final InetSocketAddress server;
    private final ActorRef manager;
    private final CompletableFuture<Long> allConnected;
    private final CompletableFuture<Long> allEchoed;
    private final CompletableFuture<List<String>> allClosed;
    private final List<ActorRef> clients = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private int connected, echoed, closed;
    private final long started = System.nanoTime();

    Driver(int n, int window, InetSocketAddress server, ActorRef manager, CompletableFuture<Long> allConnected,
        CompletableFuture<Long> allEchoed, CompletableFuture<List<String>> allClosed) {
      this.n = n;
      this.window = window;
      this.server = server;
      this.manager = manager;
      this.allConnected = allConnected;
      this.allEchoed = allEchoed;
      this.allClosed = allClosed;
    }

    @Override
    public void preStart() {
      for (int i = 0; i < Math.min(window, n); i++) startOne();
    }

    private void startOne() {
      int id = clients.size();
      ActorRef self = getSelf();
      clients.add(getContext().actorOf(Props.create(Client.class, () -> new Client(id, server, manager, self))));
    }

    private long ms() {
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Connected.class, c -> {
            connected++;
            if (clients.size() < n) startOne();
            if (connected == n) {
              allConnected.complete(ms());
              for (ActorRef client : clients) client.tell(Go.INSTANCE, getSelf());
            }
          })
          .match(Echoed.class, e -> {
            echoed++;
            if (echoed == n) {
              allEchoed.complete(ms());
              // Leave the test thread a moment to count the peak before closing.
              getContext().getSystem().scheduler().scheduleOnce(java.time.Duration.ofMillis(500), getSelf(),
                  CloseNow.INSTANCE, getContext().getDispatcher(), getSelf());
            }
          })
          .matchEquals(CloseNow.INSTANCE, c -> {
            for (ActorRef client : clients) client.tell(CloseNow.INSTANCE, getSelf());
          })
          .match(Finished.class, f -> {
            closed++;
            if (!f.how().equals("Closed")) problems.add(f.id() + ": " + f.how());
            if (problems.size() == 1 && !allConnected.isDone()) allConnected.completeExceptionally(new AssertionError(problems));
            if (closed == n) allClosed.complete(problems);
          })
          .build();
    }
  }

  @Test
  void asManyConcurrentConnectionsAsTheLimitAllowsEachEchoOnce() throws Exception {
    LibKqueue.skipBecause(LibKqueue.OVERFLOW_DROPPED);
    long limit = fdSoftLimit();
    start("many");
    InetSocketAddress server = bindEcho(4096);
    assertEchoWorks("warm-up"); // loads what the first connection loads
    int fdsBefore = openFds();
    // Both ends are in this JVM: two descriptors per connection, plus headroom for the
    // JVM, the test's other systems and a poller's spare descriptors.
    long affordable = limit < 0 ? TARGET : (limit - fdsBefore - 512) / 2;
    int n = (int) Math.min(scaled(TARGET), affordable);
    Assumptions.assumeTrue(n >= MINIMUM,
        "skipped: the open-files limit of this JVM is " + limit + " (ulimit -n), which allows only " + n
            + " concurrent loopback connections with both ends in one process; raise it to at least "
            + (2 * MINIMUM + fdsBefore + 512) + " (Java cannot raise RLIMIT_NOFILE itself)");
    long started = System.nanoTime();
    CompletableFuture<Long> allConnected = new CompletableFuture<>();
    CompletableFuture<Long> allEchoed = new CompletableFuture<>();
    CompletableFuture<List<String>> allClosed = new CompletableFuture<>();
    system.actorOf(Props.create(Driver.class,
        () -> new Driver(n, 512, server, manager, allConnected, allEchoed, allClosed)));
    long connectedMs = allConnected.get(120, TimeUnit.SECONDS);
    long echoedMs = allEchoed.get(60, TimeUnit.SECONDS);
    // Counted while all are still open: the Driver closes them 500 ms after the last echo.
    int openAtPeak = KqTcp.get(system).openChannels();
    int fdsAtPeak = openFds();
    List<String> problems = allClosed.get(60, TimeUnit.SECONDS);
    long totalMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertTrue(problems.isEmpty(), () -> problems.size() + " connections ended badly, first: " + problems.get(0));
    assertEquals(2 * n + 1, openAtPeak, "KqTcp channels open at the peak (both ends and the listener)");
    // Unrelated descriptors of earlier tests may still be closing: a small allowance.
    assertTrue(fdsAtPeak >= fdsBefore + 2 * n - 32, "descriptors at the peak: " + fdsAtPeak + ", before: " + fdsBefore);
    awaitOpenChannels(1, T);
    assertTrue(eventually(T, () -> openFds() <= fdsBefore), () -> "descriptors: before " + fdsBefore + ", after " + openFds());
    assertNoErrorsLogged(null);
    assertEchoWorks("many connections");
    report("many connections",
        n + " concurrent connections (" + 2 * n + " sockets in one JVM; ulimit -n " + limit + "), one echo each",
        "PASS: all open at once after " + connectedMs + " ms (" + fdsAtPeak + " fds at the peak), all echoed at "
            + echoedMs + " ms, all closed at " + totalMs + " ms; fds back to " + openFds());
  }
}
