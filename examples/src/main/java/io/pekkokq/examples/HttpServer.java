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
 * An HTTP/1.1 server on the actor API: answers every request with "Hello, World!",
 * keeps connections alive and answers pipelined requests in order.
 *
 * <p>Run: {@code mvn -q -pl examples exec:java -Dexec.mainClass=io.pekkokq.examples.HttpServer}
 * (optional argument: the port, default 8080), then {@code curl http://127.0.0.1:8080/}.
 * Prints {@code READY <port>} once listening.
 */
public final class HttpServer {
  static final int DEFAULT_PORT = 8080;

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_PORT;
    ActorSystem system = ActorSystem.create("http-server");
    system.actorOf(Props.create(Listener.class, () -> new Listener(port)), "listener");
  }

  /** Binds through pekko-kq's manager: the one line that differs from Pekko's own Tcp. */
  static final class Listener extends AbstractActor {
    private final int port;

    Listener(int port) {
      this.port = port;
    }

    @Override
    public void preStart() {
      ActorRef tcp = KqTcp.get(getContext().getSystem()).manager();
      tcp.tell(TcpMessage.bind(getSelf(), new InetSocketAddress("127.0.0.1", port), 1024), getSelf());
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Bound.class, b -> {
            System.out.println("READY " + b.localAddress().getPort());
            System.out.flush();
          })
          .match(Tcp.CommandFailed.class, f -> {
            System.err.println("bind failed: " + f.causedByString());
            getContext().getSystem().terminate();
          })
          .match(Tcp.Connected.class, c -> {
            ActorRef connection = getSender();
            // The handler never blocks, so it may share its connection's poller thread:
            // a request is then read, answered and written without a thread hand-off.
            String dispatcher = KqTcp.get(getContext().getSystem()).dispatcherOf(connection);
            ActorRef handler =
                getContext().actorOf(
                    Props.create(HttpConnection.class, () -> new HttpConnection(connection))
                        .withDispatcher(dispatcher));
            connection.tell(TcpMessage.register(handler), getSelf());
          })
          .build();
    }
  }

  /** One connection: parses requests, queues responses, writes with acks (one in flight). */
  static final class HttpConnection extends AbstractActor {
    private static final ByteString RESPONSE =
        ByteString.fromString(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!",
            StandardCharsets.US_ASCII);
    private static final ByteString HEADER_END = ByteString.fromString("\r\n\r\n");
    private static final Tcp.Event ACK = new Tcp.Event() {};

    private final ActorRef connection;
    private ByteString input = ByteString.emptyByteString();
    private ByteString output = ByteString.emptyByteString();
    private boolean writing;
    private boolean closeAfterWrite;

    HttpConnection(ActorRef connection) {
      this.connection = connection;
    }

    @Override
    public void preStart() {
      getContext().watch(connection);
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Received.class, r -> onBytes(r.data()))
          .matchEquals(ACK, a -> {
            writing = false;
            flush();
          })
          .match(Tcp.ConnectionClosed.class, c -> getContext().stop(getSelf()))
          .match(org.apache.pekko.actor.Terminated.class, t -> getContext().stop(getSelf()))
          .build();
    }

    private void onBytes(ByteString data) {
      input = input.concat(data);
      int end;
      while ((end = input.indexOfSlice(HEADER_END)) >= 0) {
        String head = input.take(end).utf8String();
        input = input.drop(end + HEADER_END.size());
        output = output.concat(RESPONSE);
        if (head.toLowerCase().contains("connection: close")) closeAfterWrite = true;
      }
      flush();
    }

    private void flush() {
      if (writing) return;
      if (!output.isEmpty()) {
        writing = true;
        connection.tell(TcpMessage.write(output, ACK), getSelf());
        output = ByteString.emptyByteString();
      } else if (closeAfterWrite) {
        connection.tell(TcpMessage.close(), getSelf());
      }
    }
  }
}
