package io.pekkokq.examples;

import io.pekkokq.io.KqTcp;
import java.net.InetSocketAddress;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;

/**
 * An echo server on the actor API, with ack-based back-pressure: reading is suspended
 * while a write is in flight, so a client that does not read cannot make the server
 * buffer without bound.
 *
 * <p>Run: {@code mvn -q -pl examples exec:java -Dexec.mainClass=io.pekkokq.examples.EchoServer
 * -Dexec.args=9000}, then {@code nc 127.0.0.1 9000}. Prints {@code READY <port>}.
 */
public final class EchoServer {
  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9000;
    ActorSystem system = ActorSystem.create("echo-server");
    system.actorOf(Props.create(Listener.class, () -> new Listener(port)), "listener");
  }

  static final class Listener extends AbstractActor {
    private final int port;

    Listener(int port) {
      this.port = port;
    }

    @Override
    public void preStart() {
      KqTcp.get(getContext().getSystem()).manager()
          .tell(TcpMessage.bind(getSelf(), new InetSocketAddress("127.0.0.1", port), 1024), getSelf());
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
            ActorRef handler = getContext().actorOf(Props.create(Echo.class, () -> new Echo(connection)));
            connection.tell(TcpMessage.register(handler), getSelf());
          })
          .build();
    }
  }

  static final class Echo extends AbstractActor {
    private static final Tcp.Event ACK = new Tcp.Event() {};
    private final ActorRef connection;

    Echo(ActorRef connection) {
      this.connection = connection;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Received.class, r -> {
            connection.tell(TcpMessage.suspendReading(), getSelf());
            connection.tell(TcpMessage.write(r.data(), ACK), getSelf());
          })
          .matchEquals(ACK, a -> connection.tell(TcpMessage.resumeReading(), getSelf()))
          .match(Tcp.ConnectionClosed.class, c -> getContext().stop(getSelf()))
          .build();
    }
  }
}
