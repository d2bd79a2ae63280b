package io.pekkokq.examples;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pekkokq.io.KqTcp;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.util.ByteString;

/**
 * The guide's HTTP/1 client (kqueue-connect.c), the Pekko way: connects (non-blocking;
 * the connect's result comes back as {@code Connected} or {@code CommandFailed}), sends
 * {@code GET /} with {@code Connection: close}, then reads and prints the response as it
 * arrives, and exits when the server closes the connection: exit code 0, or 1 when the
 * connection could not be made (refused, or no answer within 10 s).
 *
 * <p>Arguments: {@code [port | host:port] [host]}, default 127.0.0.1:64000.
 *
 * <p>Run: {@code nc -l 127.0.0.1 64000} in one terminal (type a reply, then Ctrl-C), and
 * {@code mvn -q -pl examples exec:java -Dexec.mainClass=io.pekkokq.examples.ConnectExample}
 * in another; or against the HTTP server: {@code -Dexec.args=8080}.
 */
public final class ConnectExample {
  static final int DEFAULT_PORT = 64000;
  private static final AtomicInteger exitCode = new AtomicInteger(0);
  /** A command-line tool: only warnings from Pekko itself (no shutdown INFO line). */
  private static final Config QUIET =
      ConfigFactory.parseString("pekko.loglevel = WARNING").withFallback(ConfigFactory.load());

  public static void main(String[] args) {
    String host = "127.0.0.1";
    int port = DEFAULT_PORT;
    if (args.length > 0) {
      int colon = args[0].lastIndexOf(':');
      if (colon >= 0) {
        host = args[0].substring(0, colon);
        port = Integer.parseInt(args[0].substring(colon + 1));
      } else {
        port = Integer.parseInt(args[0]);
      }
    }
    if (args.length > 1) host = args[1];

    print("connecting to " + host + ":" + port);
    ActorSystem system = ActorSystem.create("connect-example", QUIET);
    String h = host;
    int p = port;
    system.actorOf(Props.create(Client.class, () -> new Client(h, p)), "client");
    system.getWhenTerminated().toCompletableFuture().join();
    System.exit(exitCode.get());
  }

  /** The request the client sends, byte for byte. */
  static String request(String host, int port) {
    return "GET / HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nConnection: close\r\n\r\n";
  }

  static final class Client extends AbstractActor {
    private static final Tcp.Event SENT = new Tcp.Event() {};
    private final String host;
    private final int port;
    private ActorRef connection;
    private long received;
    private byte lastByte = '\n';

    Client(String host, int port) {
      this.host = host;
      this.port = port;
    }

    @Override
    public void preStart() {
      // An unresolved address: pekko-kq resolves the name on its blocking pool, not here.
      // Pull mode: nothing is read until we ask (ResumeReading), so, as in the guide, the
      // response is read only once the request has been written.
      KqTcp.get(getContext().getSystem()).manager()
          .tell(
              TcpMessage.connect(
                  InetSocketAddress.createUnresolved(host, port),
                  null, // any local address
                  Collections.emptyList(),
                  Duration.ofSeconds(10), // connect timeout
                  true), // pull mode
              getSelf());
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.CommandFailed.class, f -> {
            // Connect errors come back as data: ECONNREFUSED is a ConnectException here.
            String why = f.cause().isDefined() ? f.cause().get().getMessage() : f.causedByString();
            System.err.println("could not connect to " + host + ":" + port + ": " + why);
            System.err.flush();
            stop(1);
          })
          .match(Tcp.Connected.class, c -> {
            connection = getSender();
            connection.tell(TcpMessage.register(getSelf()), getSelf());
            print("connected to " + c.remoteAddress() + " from " + c.localAddress());
            ByteString request = ByteString.fromString(request(host, port), StandardCharsets.US_ASCII);
            connection.tell(TcpMessage.write(request, SENT), getSelf());
          })
          .matchEquals(SENT, s -> {
            print("sent the HTTP request; receiving the response...");
            connection.tell(TcpMessage.resumeReading(), getSelf());
          })
          .match(Tcp.Received.class, r -> {
            received += r.data().size();
            lastByte = r.data().apply(r.data().size() - 1);
            System.out.write(r.data().toArray()); // the bytes as they came, like the C client
            System.out.flush();
            connection.tell(TcpMessage.resumeReading(), getSelf()); // the next chunk
          })
          .match(Tcp.ConnectionClosed.class, c -> {
            if (lastByte != '\n') System.out.println();
            if (c.isErrorClosed()) {
              System.err.println("connection failed: " + c.getErrorCause());
              stop(1);
            } else {
              print("the server closed the connection after " + received + " bytes");
              stop(0);
            }
          })
          .build();
    }

    private void stop(int code) {
      exitCode.set(code);
      getContext().getSystem().terminate();
    }
  }

  static void print(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
