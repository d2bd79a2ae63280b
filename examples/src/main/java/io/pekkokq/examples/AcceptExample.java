package io.pekkokq.examples;

import io.pekkokq.io.KqTcp;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.util.ByteString;

/**
 * The guide's accept example (epoll-accept.c / kqueue-accept.c), the Pekko way: listens on
 * 127.0.0.1:64000, prints each accepted connection and each READ event (one
 * {@code Tcp.Received} per chunk read after the socket became readable) with its size,
 * and once a request's header is complete answers {@code 200 OK} with a short body and
 * closes the connection.
 *
 * <p>Run: {@code mvn -q -pl examples exec:java -Dexec.mainClass=io.pekkokq.examples.AcceptExample}
 * (optional argument: the port, default 64000), then {@code curl 127.0.0.1:64000/}.
 * Prints {@code READY <port>} once listening.
 */
public final class AcceptExample {
  static final int DEFAULT_PORT = 64000;
  static final String BODY = "Hello from pekko-kq\n";

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_PORT;
    ActorSystem system = ActorSystem.create("accept-example");
    system.actorOf(Props.create(Listener.class, () -> new Listener(port)), "listener");
  }

  /** The listening socket: its READ events are new connections, each one a Connected. */
  static final class Listener extends AbstractActor {
    private final int port;

    Listener(int port) {
      this.port = port;
    }

    @Override
    public void preStart() {
      ActorRef tcp = KqTcp.get(getContext().getSystem()).manager();
      tcp.tell(TcpMessage.bind(getSelf(), new InetSocketAddress("127.0.0.1", port), 128), getSelf());
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
            print("accepted a connection from " + c.remoteAddress());
            ActorRef connection = getSender();
            ActorRef handler = getContext().actorOf(Props.create(Answer.class, () -> new Answer(connection)));
            connection.tell(TcpMessage.register(handler), getSelf());
          })
          .build();
    }
  }

  /** One accepted connection: logs each READ, answers once the request head is in, closes. */
  static final class Answer extends AbstractActor {
    private static final ByteString RESPONSE =
        ByteString.fromString(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + BODY.length()
                + "\r\nConnection: close\r\n\r\n" + BODY,
            StandardCharsets.US_ASCII);
    private static final Tcp.Event WRITTEN = new Tcp.Event() {};

    private final ActorRef connection;
    private ByteString request = ByteString.emptyByteString();
    private boolean answered;

    Answer(ActorRef connection) {
      this.connection = connection;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Received.class, r -> {
            print("READ event: received " + r.data().size() + " bytes");
            request = request.concat(r.data());
            String text = request.decodeString(StandardCharsets.ISO_8859_1);
            if (!answered && (text.contains("\r\n\r\n") || text.contains("\n\n"))) {
              answered = true;
              connection.tell(TcpMessage.write(RESPONSE, WRITTEN), getSelf());
            }
          })
          .matchEquals(WRITTEN, w -> {
            print("answered 200 OK (" + RESPONSE.size() + " bytes), closing");
            connection.tell(TcpMessage.close(), getSelf());
          })
          .match(Tcp.ConnectionClosed.class, c -> {
            print("connection closed (" + c.getClass().getSimpleName().replace("$", "") + ")");
            getContext().stop(getSelf());
          })
          .build();
    }
  }

  static void print(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
