package io.pekkokq.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pekkokq.io.KqTcp;
import io.pekkokq.poll.Interest;
import io.pekkokq.poll.Poller;
import io.pekkokq.poll.Registration;
import io.pekkokq.sys.Errno;
import io.pekkokq.sys.LibKqueue;
import io.pekkokq.sys.Loopback;
import io.pekkokq.sys.NativeMemory;
import io.pekkokq.sys.ReadyBits;
import io.pekkokq.sys.Socket;
import io.pekkokq.sys.SocketOption;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stale events: connections whose READ and WRITE are both signalled are closed by a
 * handler while their event is still in the fetched batch, their descriptor numbers reused
 * at once by new connections. Nothing may reach the wrong owner.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StaleEventsTest extends ReliabilityFixture {

  /** One registered socket at the poller level, with the test's unique id. */
  private static final class Conn {
    final int id;
    final Socket socket;
    final Socket client; // null for a replacement (it is the client itself)
    final boolean replacement;
    volatile Registration registration;
    volatile boolean closed;
    volatile boolean dispatched;

    Conn(int id, Socket socket, Socket client, boolean replacement) {
      this.id = id;
      this.socket = socket;
      this.client = client;
      this.replacement = replacement;
    }
  }

  /**
   * Poller level, deterministic: the poller is held while a round's connections are
   * registered (READ and WRITE) and sent a byte, so all their events arrive in one batch.
   * The first listener told closes random connections whose event has not been dispatched
   * yet, then opens a new connection (which gets the closed number, and the closed slot)
   * and registers it. A replacement never receives data, so READABLE reaching it can only be
   * the closed connection's stale event; a closed connection's listener must never run.
   */
  @Test
  void pollerLevelStaleEventsNeverReachTheClosedOwnerNorTheNewOwnerOfTheNumber() throws Exception {
    LibKqueue.skipBecause(LibKqueue.OVERFLOW_DROPPED);
    int rounds = scaled(10);
    int perRound = 400;
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    Random random = new Random(7);
    AtomicInteger nextId = new AtomicInteger();
    long victimsUndispatched = 0, selfCloses = 0, replacements = 0, reusedNumbers = 0, stale = 0;
    int fdsBefore = openFds();
    long started = System.nanoTime();
    try (Poller poller = Poller.start("reliability-poller", 4096, 1 << 16, (w, c) -> failures.add(c));
        Socket listener = Socket.openTcpFor(new InetSocketAddress(HOST, 0))) {
      listener.setOption(SocketOption.REUSE_ADDRESS, true);
      listener.bind(new InetSocketAddress(HOST, 0));
      listener.listen(4096);
      InetSocketAddress address = listener.localAddress();
      for (int round = 0; round < rounds; round++) {
        List<Conn> originals = new ArrayList<>();
        for (int i = 0; i < perRound; i++) {
          Socket client = Socket.openTcpFor(address);
          boolean at = client.connect(address);
          Socket server = Loopback.acceptOne(listener);
          if (!at) client.finishConnect();
          originals.add(new Conn(nextId.getAndIncrement(), server, client, false));
        }
        List<Conn> all = Collections.synchronizedList(new ArrayList<>(originals));
        // Hold the poller thread so that every edge below lands in one batch.
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        poller.execute(() -> {
          held.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        assertTrue(held.await(5, TimeUnit.SECONDS));
        long[] counters = new long[4]; // victims, self closes, replacements, reused numbers
        for (Conn c : originals) {
          c.registration = poller.register(c.socket, Interest.READ_WRITE, bits -> {
            if (c.closed) violations.add("listener of closed connection " + c.id + " told " + ReadyBits.toString(bits));
            if ((bits & ReadyBits.READABLE) == 0) {
              violations.add("connection " + c.id + " had data but was told " + ReadyBits.toString(bits));
            }
            if (c.dispatched) return; // a later edge (e.g. the FIN at clean-up)
            c.dispatched = true;
            // Close 0-3 connections still waiting in this batch, in random order, and
            // reuse each number at once for a new connection on the same poller.
            int victims = random.nextInt(4);
            for (int v = 0; v < victims; v++) {
              Conn victim = originals.get(random.nextInt(originals.size()));
              if (victim == c || victim.closed) continue;
              if (!victim.dispatched) counters[0]++;
              int oldFd = victim.socket.intValue();
              victim.closed = true;
              victim.registration.cancelAndClose();
              try {
                Socket fresh = Socket.openTcpFor(address);
                if (fresh.intValue() == oldFd) counters[3]++;
                fresh.connect(address);
                Conn r = new Conn(nextId.getAndIncrement(), fresh, null, true);
                all.add(r);
                r.registration = poller.register(fresh, Interest.READ_WRITE, rbits -> {
                  if (r.closed) violations.add("listener of closed replacement " + r.id + " told " + ReadyBits.toString(rbits));
                  if ((rbits & ReadyBits.READABLE) != 0) {
                    violations.add("replacement " + r.id + " (fd " + fresh.intValue() + ", was " + victim.id
                        + ") told " + ReadyBits.toString(rbits) + " though no byte was ever sent to it");
                  }
                });
                counters[2]++;
              } catch (Exception e) {
                failures.add(e);
              }
            }
            // Sometimes the handler closes its own connection too.
            if (random.nextInt(4) == 0) {
              c.closed = true;
              c.registration.cancelAndClose();
              counters[1]++;
            }
          });
        }
        List<Conn> order = new ArrayList<>(originals);
        Collections.shuffle(order, random);
        for (Conn c : order) Loopback.send(c.client, "x"); // READ on top of WRITE
        long staleBefore = poller.staleEventCount();
        release.countDown();
        // Wait until every original was told or closed, then for one more poller round.
        boolean done = eventually(T, () -> {
          synchronized (all) {
            return originals.stream().allMatch(c -> c.dispatched || c.closed);
          }
        });
        assertTrue(done, "round " + round + ": not every connection was told");
        CountDownLatch barrier = new CountDownLatch(1);
        poller.execute(barrier::countDown);
        assertTrue(barrier.await(5, TimeUnit.SECONDS));
        CountDownLatch cleaned = new CountDownLatch(1);
        long[] roundStale = new long[1];
        poller.execute(() -> {
          roundStale[0] = poller.staleEventCount() - staleBefore;
          // Clean up on the poller thread: cancel first, then close, as owners must.
          synchronized (all) {
            for (Conn c : all) {
              c.closed = true;
              c.registration.cancelAndClose();
              if (c.client != null) c.client.close();
            }
          }
          cleaned.countDown();
        });
        assertTrue(cleaned.await(5, TimeUnit.SECONDS));
        drainAccepts(listener);
        victimsUndispatched += counters[0];
        selfCloses += counters[1];
        replacements += counters[2];
        reusedNumbers += counters[3];
        stale += roundStale[0];
        assertTrue(roundStale[0] <= counters[0],
            "round " + round + ": " + roundStale[0] + " stale events but only " + counters[0] + " closed in the batch");
      }
      assertTrue(eventually(T, () -> poller.registrationCount() == 0), "registrations left");
    }
    assertTrue(violations.isEmpty(), () -> violations.size() + " misdeliveries, first: " + violations.peek());
    assertTrue(failures.isEmpty(), () -> "poller reported failures: " + failures);
    assertTrue(stale > 0, "no event went stale: the scenario was not exercised");
    assertTrue(reusedNumbers > 0, "no descriptor number was reused");
    assertTrue(eventually(T, () -> openFds() <= fdsBefore), "descriptors left open: " + (openFds() - fdsBefore));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    report("stale events, poller level",
        rounds * perRound + " connections in " + rounds + " batches of " + perRound + ", " + replacements + " replacements",
        "PASS: 0 misdeliveries, 0 failures; " + victimsUndispatched + " closed while in the batch, " + stale
            + " stale events dropped, " + reusedNumbers + " numbers reused at once, " + selfCloses
            + " self-closes; " + ms + " ms");
  }

  private static void drainAccepts(Socket listener) {
    ByteBuffer fds = ByteBuffer.allocateDirect(4 * 64).order(ByteOrder.nativeOrder());
    long address = NativeMemory.address(fds);
    for (; ; ) {
      int n = listener.accept(address, 64);
      if (n <= 0) {
        if (n != -Errno.EAGAIN) throw new AssertionError("accept: " + Errno.message(n));
        return;
      }
      for (int i = 0; i < n; i++) Socket.adopt(fds.getInt(4 * i)).close();
    }
  }

  // ---- actor level --------------------------------------------------------------------

  record Done(int id, String outcome) {}

  /** Each client's bytes: its id repeated, so any byte tells whose it is. */
  static byte[] payloadOf(int id, int length) {
    byte[] unit = String.format("<%07d>", id).getBytes(StandardCharsets.US_ASCII);
    byte[] p = new byte[length];
    for (int i = 0; i < length; i++) p[i] = unit[i % unit.length];
    return p;
  }

  static final int UNIT = 9;

  enum WriteAck implements Tcp.Event {
    INSTANCE
  }

  /** Server side: learns its client's id from the first bytes, then checks every byte. */
  static final class CheckingEcho extends AbstractActor {
    private final ActorRef connection;
    private final ConcurrentLinkedQueue<String> violations;
    private final boolean closeEarly;
    private ByteString head = ByteString.emptyByteString();
    private ByteString unsent = ByteString.emptyByteString();
    private boolean writing;
    private byte[] unit;
    private long offset;
    private boolean closed;

    CheckingEcho(ActorRef connection, ConcurrentLinkedQueue<String> violations, boolean closeEarly) {
      this.connection = connection;
      this.violations = violations;
      this.closeEarly = closeEarly;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Received.class, r -> {
            if (closed) violations.add("server handler got Received after its close event");
            if (!getSender().equals(connection)) violations.add("server handler got Received from a foreign actor");
            check(r.data());
            unsent = unsent.concat(r.data());
            writeUnsent();
            if (closeEarly) connection.tell(TcpMessage.close(), getSelf());
          })
          .match(WriteAck.class, a -> {
            writing = false;
            writeUnsent();
          })
          .match(Tcp.CommandFailed.class, f -> {}) // a write after our own Close: dropped
          .match(Tcp.ConnectionClosed.class, c -> {
            if (closed) violations.add("server handler got a second close event " + c);
            closed = true;
          })
          .build();
    }

    /** Ack-based echo: one write in flight, the rest gathered meanwhile. */
    private void writeUnsent() {
      if (writing || unsent.isEmpty() || closed) return;
      writing = true;
      connection.tell(TcpMessage.write(unsent, WriteAck.INSTANCE), getSelf());
      unsent = ByteString.emptyByteString();
    }

    private void check(ByteString data) {
      if (unit == null) {
        head = head.concat(data);
        if (head.size() < UNIT) return;
        unit = head.take(UNIT).toArray();
        data = head;
        offset = 0;
      }
      byte[] bytes = data.toArray();
      for (byte b : bytes) {
        if (b != unit[(int) (offset % UNIT)]) {
          violations.add("server handler for " + new String(unit, StandardCharsets.US_ASCII)
              + " got a foreign byte at " + offset);
          return;
        }
        offset++;
      }
    }
  }

  static final class CheckingServer extends AbstractActor {
    private final ConcurrentLinkedQueue<String> violations;
    private final Random random = new Random(11);

    CheckingServer(ConcurrentLinkedQueue<String> violations) {
      this.violations = violations;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Connected.class, c -> {
            ActorRef connection = getSender();
            boolean closeEarly = random.nextInt(6) == 0;
            ActorRef h = getContext().actorOf(
                Props.create(CheckingEcho.class, () -> new CheckingEcho(connection, violations, closeEarly)));
            connection.tell(TcpMessage.register(h), getSelf());
          })
          .build();
    }
  }

  /** One client: sends its id's bytes, checks what comes back, closes in one of five ways. */
  static final class Client extends AbstractActor {
    private final int id;
    private final int mode;
    private final InetSocketAddress server;
    private final ActorRef manager;
    private final ActorRef report;
    private final ConcurrentLinkedQueue<String> violations;
    private final byte[] payload;
    private ActorRef connection;
    private int offset;
    private boolean closed;
    private boolean closeSent;

    Client(int id, int mode, int length, InetSocketAddress server, ActorRef manager, ActorRef report,
        ConcurrentLinkedQueue<String> violations) {
      this.id = id;
      this.mode = mode;
      this.server = server;
      this.manager = manager;
      this.report = report;
      this.violations = violations;
      this.payload = payloadOf(id, length);
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
            // Two parts in one command, so that nothing is dropped as "queue full".
            int half = payload.length / 2;
            connection.tell(
                Tcp.WriteCommand$.MODULE$.create(List.of(
                    (Tcp.WriteCommand) TcpMessage.write(ByteString.fromArray(payload, 0, half)),
                    (Tcp.WriteCommand) TcpMessage.write(ByteString.fromArray(payload, half, payload.length - half)))),
                getSelf());
            if (mode == 0) closeWith(TcpMessage.close()); // close while writes are queued
            if (mode == 1) closeWith(TcpMessage.abort());
          })
          .match(Tcp.Received.class, r -> {
            if (closed) violations.add("client " + id + " got Received after its close event");
            if (!getSender().equals(connection)) violations.add("client " + id + " got Received from a foreign actor");
            byte[] b = r.data().toArray();
            for (byte x : b) {
              if (offset >= payload.length || x != payload[offset % payload.length]) {
                violations.add("client " + id + " got a foreign byte at " + offset);
                break;
              }
              offset++;
            }
            if (mode == 2) closeWith(TcpMessage.abort());
            if (mode == 3) closeWith(TcpMessage.confirmedClose());
            if (mode == 4 && offset == payload.length) closeWith(TcpMessage.close());
          })
          .match(Tcp.CommandFailed.class, f -> {
            if (f.cmd() instanceof Tcp.Connect) finish("connect failed: " + f.causedByString());
          })
          .match(Tcp.ConnectionClosed.class, c -> {
            if (closed) violations.add("client " + id + " got a second close event " + c);
            finish(c.getClass().getSimpleName().replace("$", ""));
          })
          .build();
    }

    private void closeWith(Tcp.Command close) {
      if (closeSent) return;
      closeSent = true;
      connection.tell(close, getSelf());
    }

    private void finish(String outcome) {
      if (!closed) report.tell(new Done(id, outcome), getSelf());
      closed = true;
    }
  }

  /** Keeps {@code concurrency} clients going until {@code total} have finished. */
  static final class Driver extends AbstractActor {
    private final int total;
    private final int concurrency;
    private final InetSocketAddress server;
    private final ActorRef manager;
    private final ConcurrentLinkedQueue<String> violations;
    private final CompletableFuture<List<Done>> result;
    private final List<Done> done = new ArrayList<>();
    private final Random random = new Random(3);
    private int started;

    Driver(int total, int concurrency, InetSocketAddress server, ActorRef manager,
        ConcurrentLinkedQueue<String> violations, CompletableFuture<List<Done>> result) {
      this.total = total;
      this.concurrency = concurrency;
      this.server = server;
      this.manager = manager;
      this.violations = violations;
      this.result = result;
    }

    @Override
    public void preStart() {
      for (int i = 0; i < concurrency; i++) startOne();
    }

    private void startOne() {
      if (started == total) return;
      int id = started++;
      int mode = random.nextInt(5); // 4: close after the whole echo, below
      int length = UNIT + random.nextInt(48 * 1024);
      ActorRef me = getSelf();
      getContext().actorOf(Props.create(Client.class,
          () -> new Client(id, mode, length, server, manager, me, violations)));
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Done.class, d -> {
            done.add(d);
            getContext().stop(getSender());
            if (done.size() == total) result.complete(done);
            else startOne();
          })
          .build();
    }
  }

  /**
   * Actor level: thousands of connections through KqTcp, each client and each server
   * handler checking that every byte it is given carries its own id, while connections
   * close in random ways (Close with writes queued, Abort, ConfirmedClose, server-side
   * Close, or at the end) and new ones take their numbers at once.
   */
  @Test
  void actorLevelEveryHandlerOnlyEverSeesItsOwnConnection() throws Exception {
    start("stale-actors");
    int total = scaled(4000);
    int concurrency = 200;
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    ActorRef serverHandler = system.actorOf(Props.create(CheckingServer.class, () -> new CheckingServer(violations)));
    org.apache.pekko.testkit.javadsl.TestKit probe = new org.apache.pekko.testkit.javadsl.TestKit(system);
    probe.send(manager, TcpMessage.bind(serverHandler, new InetSocketAddress(HOST, 0), 1024));
    InetSocketAddress server = probe.expectMsgClass(T, Tcp.Bound.class).localAddress();
    Poller poller = KqTcp.get(system).pollers().first();
    long staleBefore = poller.staleEventCount();
    int fdsBefore = openFds();
    long startedAt = System.nanoTime();
    CompletableFuture<List<Done>> result = new CompletableFuture<>();
    system.actorOf(Props.create(Driver.class,
        () -> new Driver(total, concurrency, server, manager, violations, result)));
    List<Done> done = result.get(90, TimeUnit.SECONDS);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);
    assertEquals(total, done.size());
    awaitOpenChannels(1, T);
    assertTrue(eventually(T, () -> openFds() <= fdsBefore), () -> "descriptors left open: " + (openFds() - fdsBefore));
    long connectFailures = done.stream().filter(d -> d.outcome().startsWith("connect")).count();
    java.util.Map<String, Long> outcomes = done.stream()
        .collect(java.util.stream.Collectors.groupingBy(Done::outcome, java.util.TreeMap::new, java.util.stream.Collectors.counting()));
    assertTrue(violations.isEmpty(), () -> violations.size() + " misdeliveries, first: " + violations.peek());
    assertEquals(0, connectFailures, () -> "connects failed: " + outcomes);
    assertNoErrorsLogged(null);
    long stale = poller.staleEventCount() - staleBefore;
    assertEchoWorks("stale events");
    report("stale events, actor level",
        total + " connections, " + concurrency + " at a time, 5 close modes",
        "PASS: 0 misdeliveries, 0 errors logged; outcomes " + outcomes + "; " + stale
            + " stale events dropped by the poller; " + ms + " ms");
  }
}
