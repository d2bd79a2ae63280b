package io.pekkokq.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pekkokq.io.KqTcp;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.event.Logging;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import scala.concurrent.duration.FiniteDuration;

/**
 * Base of the reliability suite (issue 7): an actor system per test on KqTcp, a log of
 * every ERROR the system emits, and the process-level measurements the cases assert on
 * (descriptors from /proc/self/fd, heap after GC, direct memory, RSS, poller threads).
 *
 * <p>Every case is bounded in time and count and stops by itself. Sizes can be scaled with
 * {@code -Dkq.reliability.scale=0.25} (or 2, ...); each case prints one line {@code
 * [reliability] case | size | result} and appends it to {@code
 * target/reliability-results.txt}, the source of docs/reliability.md.
 */
abstract class ReliabilityFixture {
  /** Bound for anything that must happen soon. */
  static final Duration T = Duration.ofSeconds(10);

  static final String HOST = "127.0.0.1";

  static final String BASE_CONFIG =
      "pekko.loglevel = WARNING\n"
          + "pekko.stdout-loglevel = WARNING\n"
          + "pekko.log-dead-letters = off\n"
          + "pekko.log-dead-letters-during-shutdown = off\n"
          + "pekko.actor.warn-about-java-serializer-usage = off\n";

  ActorSystem system;
  ActorRef manager;
  /** Every Logging.Error the actor system published, as "source: message". */
  final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

  // ---- actor system -------------------------------------------------------------------

  /** Starts this test's actor system with KqTcp; {@code extraConfig} (HOCON) overrides. */
  void start(String name, String extraConfig) {
    system = newSystem(name, extraConfig);
    manager = KqTcp.get(system).manager();
    ActorRef errorLog = system.actorOf(Props.create(ErrorLog.class, () -> new ErrorLog(errors)));
    system.getEventStream().subscribe(errorLog, Logging.Error.class);
  }

  void start(String name) {
    start(name, "");
  }

  static ActorSystem newSystem(String name, String extraConfig) {
    Config config =
        ConfigFactory.parseString(extraConfig)
            .withFallback(ConfigFactory.parseString(BASE_CONFIG))
            .withFallback(ConfigFactory.load());
    return ActorSystem.create(name, config);
  }

  @AfterEach
  void stopSystem() {
    if (system != null) TestKit.shutdownActorSystem(system, FiniteDuration.create(30, TimeUnit.SECONDS), true);
    system = null;
  }

  /** Collects ERROR log events. */
  static final class ErrorLog extends AbstractActor {
    private final ConcurrentLinkedQueue<String> sink;

    ErrorLog(ConcurrentLinkedQueue<String> sink) {
      this.sink = sink;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Logging.Error.class, e -> sink.add(e.logSource() + ": " + e.message()
              + (e.cause() != null && !e.cause().getClass().getName().contains("NoCause") ? " (" + e.cause() + ")" : "")))
          .build();
    }
  }

  /** No ERROR was logged, except those matching {@code allowed} (regex, may be null). */
  void assertNoErrorsLogged(String allowed) {
    List<String> unexpected =
        errors.stream().filter(e -> allowed == null || !e.matches("(?s).*(" + allowed + ").*")).collect(Collectors.toList());
    assertTrue(unexpected.isEmpty(), () -> "errors logged: " + unexpected);
  }

  // ---- sizes and reporting ------------------------------------------------------------

  /** The size factor of this run: -Dkq.reliability.scale (default 1). */
  static double scale() {
    String s = System.getProperty("kq.reliability.scale");
    return s == null || s.isBlank() ? 1.0 : Double.parseDouble(s.trim());
  }

  static int scaled(int n) {
    return Math.max(1, (int) Math.round(n * scale()));
  }

  static long scaled(long n) {
    return Math.max(1, Math.round(n * scale()));
  }

  static Duration scaled(Duration d) {
    return Duration.ofMillis(Math.max(100, Math.round(d.toMillis() * scale())));
  }

  /** Prints and records one result line. */
  static void report(String caseName, String size, String result) {
    String line = "[reliability] " + caseName + " | " + size + " | " + result;
    System.out.println(line);
    try {
      Path file = Path.of("target", "reliability-results.txt");
      Files.createDirectories(file.getParent());
      Files.writeString(file, line + System.lineSeparator(), StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException ignored) {
      // the printed line is enough
    }
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  // ---- process measurements -----------------------------------------------------------

  /** Open descriptors of this process. */
  static int openFds() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return (int) fds.count() - 1; // minus the directory stream's own descriptor
    } catch (IOException e) {
      throw new AssertionError("cannot list /proc/self/fd", e);
    }
  }

  /** The soft RLIMIT_NOFILE of this JVM, from /proc/self/limits (-1 when unlimited). */
  static long fdSoftLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
          return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
        }
      }
    } catch (IOException e) {
      throw new AssertionError("cannot read /proc/self/limits", e);
    }
    throw new AssertionError("no 'Max open files' in /proc/self/limits");
  }

  /** Bytes of direct buffers alive (BufferPoolMXBean "direct"). */
  static long directUsed() {
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (pool.getName().equals("direct")) return pool.getMemoryUsed();
    }
    throw new AssertionError("no direct buffer pool bean");
  }

  /** Heap in use after a few collections (which also free unreachable direct buffers). */
  static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      sleep(50);
    }
    return heapAfterLastGc();
  }

  /**
   * The heap as the last collection of each heap pool left it (the pools' collection
   * usage), call it right after a System.gc(). Not the heap's current use: that also
   * counts whatever other threads allocated between the collection and the read, and on
   * a loaded machine (the sampler thread waiting for a core while a transfer allocates
   * 1 MiB writes) SlowReaderTest once saw 81 MiB of such young garbage as "heap after GC".
   */
  static long heapAfterLastGc() {
    long used = 0;
    for (java.lang.management.MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() != java.lang.management.MemoryType.HEAP) continue;
      java.lang.management.MemoryUsage afterGc = pool.getCollectionUsage();
      if (afterGc != null) used += afterGc.getUsed();
    }
    return used;
  }

  /** Resident set size of the process, from /proc/self/status. */
  static long rss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return -1;
  }

  /** Live threads whose name starts with pekko-kq-poller-. */
  static Set<Thread> pollerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("pekko-kq-poller-"))
        .collect(Collectors.toSet());
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Waits up to {@code within} for {@code condition}; false when it never held. */
  static boolean eventually(Duration within, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) return false;
      sleep(10);
    }
    return true;
  }

  /** Waits until only {@code expected} KqTcp channels are open (connections closed). */
  void awaitOpenChannels(int expected, Duration within) {
    boolean ok = eventually(within, () -> KqTcp.get(system).openChannels() == expected);
    assertTrue(ok, () -> "open KqTcp channels: " + KqTcp.get(system).openChannels() + ", expected " + expected);
  }

  // ---- echo server and a proof of life ------------------------------------------------

  /** Bind handler: registers a fresh {@link Echo} per accepted connection. */
  static final class EchoServer extends AbstractActor {
    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Connected.class, c -> {
            ActorRef echo = getContext().actorOf(Props.create(Echo.class));
            getSender().tell(TcpMessage.register(echo), getSelf());
          })
          .build();
    }
  }

  /** Echoes every Received back; stops when the connection closes. */
  static final class Echo extends AbstractActor {
    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Received.class, r -> getSender().tell(TcpMessage.write(r.data()), getSelf()))
          .match(Tcp.ConnectionClosed.class, c -> getContext().stop(getSelf()))
          .build();
    }
  }

  /** Binds a KqTcp echo server on 127.0.0.1:0 with {@code backlog}; returns its address. */
  InetSocketAddress bindEcho(int backlog) {
    TestKit probe = new TestKit(system);
    ActorRef server = system.actorOf(Props.create(EchoServer.class));
    probe.send(manager, TcpMessage.bind(server, new InetSocketAddress(HOST, 0), backlog));
    return probe.expectMsgClass(T, Tcp.Bound.class).localAddress();
  }

  /** Proof that the system is still usable: a fresh KqTcp echo server and client, one round trip. */
  void assertEchoWorks(String what) {
    TestKit binder = new TestKit(system);
    binder.send(manager, TcpMessage.bind(
        system.actorOf(Props.create(EchoServer.class)), new InetSocketAddress(HOST, 0), 100));
    InetSocketAddress server = binder.expectMsgClass(T, Tcp.Bound.class).localAddress();
    ActorRef listener = binder.getLastSender();
    TestKit client = new TestKit(system);
    client.send(manager, TcpMessage.connect(server));
    client.expectMsgClass(T, Tcp.Connected.class);
    ActorRef connection = client.getLastSender();
    client.send(connection, TcpMessage.register(client.getRef()));
    String text = "still alive after " + what;
    client.send(connection, TcpMessage.write(ByteString.fromString(text)));
    StringBuilder echoed = new StringBuilder();
    while (echoed.length() < text.length()) {
      Object m = client.receiveOne(T);
      if (!(m instanceof Tcp.Received)) fail("echo after " + what + ": expected Received, got " + m);
      echoed.append(((Tcp.Received) m).data().utf8String());
    }
    assertEquals(text, echoed.toString(), "echo after " + what);
    client.send(connection, TcpMessage.close());
    client.expectMsg(T, Tcp.Closed$.MODULE$);
    binder.send(listener, TcpMessage.unbind());
    binder.expectMsg(T, Tcp.Unbound$.MODULE$);
  }

  static List<Integer> range(int n) {
    List<Integer> l = new ArrayList<>(n);
    for (int i = 0; i < n; i++) l.add(i);
    return l;
  }
}
