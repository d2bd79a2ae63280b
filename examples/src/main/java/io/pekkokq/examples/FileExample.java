package io.pekkokq.examples;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pekkokq.io.KqTcp;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.Status;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.pattern.Patterns;

/**
 * The guide's file example (kqueue-file.c), the Pekko way. The guide's conclusion: file
 * AIO is incomplete everywhere (open and stat block anyway, epoll cannot watch regular
 * files), so do file work on a bounded pool of threads and signal the event loop when it
 * is done. Two modes:
 *
 * <ul>
 *   <li>{@code read <path>}: an actor reads the file on Pekko's bounded blocking pool
 *       ({@code pekko.actor.default-blocking-io-dispatcher}) and gets the completion as a
 *       message; it stays free meanwhile (it prints progress from a timer while a large
 *       file is read). Prints the size and the SHA-256, then exits (code 0; 1 when the
 *       file cannot be read).
 *   <li>{@code serve <path> [port]}: listens on 127.0.0.1 (default port 64001), prints
 *       {@code READY <port>}, and sends the file to each client that connects with
 *       {@code TcpMessage.writePath} (sendfile(2) underneath, in steps on the same pool),
 *       then closes that connection.
 * </ul>
 *
 * <p>Run: {@code mvn -q -pl examples exec:java -Dexec.mainClass=io.pekkokq.examples.FileExample
 * -Dexec.args="read pom.xml"}, or {@code -Dexec.args="serve pom.xml"} and then (bash)
 * {@code cat < /dev/tcp/127.0.0.1/64001 | sha256sum}, or {@code nc -d 127.0.0.1 64001 | sha256sum}.
 */
public final class FileExample {
  static final int DEFAULT_SERVE_PORT = 64001;
  static final String BLOCKING_POOL = "pekko.actor.default-blocking-io-dispatcher";
  private static final AtomicInteger exitCode = new AtomicInteger(0);
  /** A command-line tool: only warnings from Pekko itself (no shutdown INFO line). */
  private static final Config QUIET =
      ConfigFactory.parseString("pekko.loglevel = WARNING").withFallback(ConfigFactory.load());

  public static void main(String[] args) throws IOException {
    if (args.length >= 2 && args[0].equals("read")) {
      Path path = Path.of(args[1]);
      ActorSystem system = ActorSystem.create("file-example", QUIET);
      system.actorOf(Props.create(Reader.class, () -> new Reader(path)), "reader");
      system.getWhenTerminated().toCompletableFuture().join();
      System.exit(exitCode.get());
    } else if (args.length >= 2 && args[0].equals("serve")) {
      Path path = Path.of(args[1]);
      if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
        System.err.println("cannot serve " + path + ": not a readable regular file");
        System.exit(1);
      }
      long size = Files.size(path); // once, at start-up, where blocking is harmless
      int port = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_SERVE_PORT;
      ActorSystem system = ActorSystem.create("file-example");
      system.actorOf(Props.create(FileServer.class, () -> new FileServer(path, size, port)), "server");
    } else {
      System.err.println("usage: FileExample read <path> | FileExample serve <path> [port]");
      System.exit(2);
    }
  }

  // ---- read: the file work on the blocking pool, the completion as a message ----------

  /** What the blocking pool hands back to the actor. */
  record Digest(long size, String sha256) {}

  static final class Reader extends AbstractActor {
    private static final Object PROGRESS = "progress";
    private final Path path;
    private final AtomicLong bytesRead = new AtomicLong();
    private Cancellable progress;

    Reader(Path path) {
      this.path = path;
    }

    @Override
    public void preStart() {
      print("reading " + path + " on " + BLOCKING_POOL);
      Executor pool = getContext().getSystem().dispatchers().lookup(BLOCKING_POOL);
      CompletableFuture<Digest> work = CompletableFuture.supplyAsync(() -> digest(path, bytesRead), pool);
      // The completion comes back as a message: Digest, or Status.Failure on an exception.
      Patterns.pipe(work, getContext().getDispatcher()).to(getSelf());
      // Meanwhile the actor is free: a timer (the poller's kernel timer) reports progress.
      progress = KqTcp.get(getContext().getSystem()).events()
          .scheduleWithFixedDelay(Duration.ofMillis(250), Duration.ofMillis(250), getSelf(), PROGRESS);
    }

    @Override
    public void postStop() {
      if (progress != null) progress.cancel();
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .matchEquals(PROGRESS, p -> print("still reading: " + bytesRead.get() + " bytes so far"))
          .match(Digest.class, d -> {
            print(path + ": " + d.size() + " bytes, SHA-256 " + d.sha256());
            exitCode.set(0);
            getContext().getSystem().terminate();
          })
          .match(Status.Failure.class, f -> {
            Throwable cause = f.cause();
            while ((cause instanceof java.util.concurrent.CompletionException
                    || cause instanceof java.io.UncheckedIOException)
                && cause.getCause() != null) {
              cause = cause.getCause();
            }
            String why = cause instanceof NoSuchFileException ? "no such file" : cause.toString();
            System.err.println("could not read " + path + ": " + why);
            exitCode.set(1);
            getContext().getSystem().terminate();
          })
          .build();
    }
  }

  /** Runs on the blocking pool: open, read and hash; blocking is fine here. */
  static Digest digest(Path path, AtomicLong bytesRead) {
    try (InputStream in = Files.newInputStream(path)) {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[64 * 1024];
      long size = 0;
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha256.update(buffer, 0, n);
        size += n;
        bytesRead.set(size);
      }
      return new Digest(size, HexFormat.of().formatHex(sha256.digest()));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- serve: sendfile to every client -------------------------------------------------

  static final class FileServer extends AbstractActor {
    private final Path path;
    private final long size;
    private final int port;

    FileServer(Path path, long size, int port) {
      this.path = path;
      this.size = size;
      this.port = port;
    }

    @Override
    public void preStart() {
      KqTcp.get(getContext().getSystem()).manager()
          .tell(TcpMessage.bind(getSelf(), new InetSocketAddress("127.0.0.1", port), 128), getSelf());
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Bound.class, b -> print("READY " + b.localAddress().getPort()))
          .match(Tcp.CommandFailed.class, f -> {
            System.err.println("bind to 127.0.0.1:" + port + " failed: " + f.causedByString());
            getContext().getSystem().terminate();
          })
          .match(Tcp.Connected.class, c -> {
            ActorRef connection = getSender();
            getContext().actorOf(Props.create(SendFile.class, () -> new SendFile(connection, c, path, size)));
          })
          .build();
    }
  }

  /** One client: registers itself, sends the whole file, closes once it is acknowledged. */
  static final class SendFile extends AbstractActor {
    private static final Tcp.Event SENT = new Tcp.Event() {};
    private final ActorRef connection;
    private final Tcp.Connected connected;
    private final Path path;
    private final long size;

    SendFile(ActorRef connection, Tcp.Connected connected, Path path, long size) {
      this.connection = connection;
      this.connected = connected;
      this.path = path;
      this.size = size;
    }

    @Override
    public void preStart() {
      // Register and write from the same actor, so the connection gets them in this order.
      connection.tell(TcpMessage.register(getSelf()), getSelf());
      // pekko-kq opens the file and runs each sendfile step on its blocking pool.
      connection.tell(TcpMessage.writePath(path, 0, size, SENT), getSelf());
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .matchEquals(SENT, s -> {
            print("sent " + path + " (" + size + " bytes) to " + connected.remoteAddress());
            connection.tell(TcpMessage.close(), getSelf());
          })
          .match(Tcp.Received.class, r -> {}) // the client has nothing to say; ignore it
          .match(Tcp.CommandFailed.class, f -> {
            System.err.println("sending " + path + " failed: " + f.causedByString());
            connection.tell(TcpMessage.abort(), getSelf());
          })
          .match(Tcp.ConnectionClosed.class, c -> getContext().stop(getSelf()))
          .build();
    }
  }

  static void print(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
