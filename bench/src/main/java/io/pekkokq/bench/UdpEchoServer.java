package io.pekkokq.bench;

import io.pekkokq.io.KqUdp;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.Udp;
import org.apache.pekko.io.UdpMessage;
import org.apache.pekko.io.UdpSO;

/**
 * UDP echo on the classic actor API: Pekko's own {@code Udp} ({@code -Dbench.udp=pekko},
 * the default) or pekko-kq's {@code KqUdp} ({@code -Dbench.udp=kq}), with the same handler:
 * every {@code Received} goes back to its sender as a {@code Send} without ack, as
 * Pekko's documentation echoes. A Send the socket refuses ({@code CommandFailed}: Pekko
 * holds one unwritten Send at a time, pekko-kq {@code send-queue-limit}) is a datagram the
 * load generator counts as lost; the count is printed when the server stops.
 *
 * <pre>java -cp pekko-kq-bench.jar io.pekkokq.bench.UdpEchoServer &lt;port&gt; [echo]</pre>
 */
public final class UdpEchoServer {
  private UdpEchoServer() {}

  /** 4 MiB socket buffers, as the C and Netty UDP servers ask for. */
  static final int SOCKET_BUFFER = 4 << 20;

  public static void main(String[] args) {
    ServerArgs a = ServerArgs.parse(args, UdpEchoServer.class.getName());
    a.requireTcp(UdpEchoServer.class.getName());
    boolean kq = "kq".equals(System.getProperty("bench.udp", "pekko"));
    ActorSystem system = ActorSystem.create("bench");
    ActorRef manager = kq ? KqUdp.get(system).manager() : Udp.get(system).manager();
    AtomicLong refused = new AtomicLong();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("refused sends: " + refused.get())));
    system.actorOf(Props.create(Echo.class, () -> new Echo(manager, a, refused)), "udp-echo");
  }

  static final class Echo extends AbstractActor {
    private final ActorRef manager;
    private final ServerArgs args;
    private final AtomicLong refused;

    Echo(ActorRef manager, ServerArgs args, AtomicLong refused) {
      this.manager = manager;
      this.args = args;
      this.refused = refused;
    }

    @Override
    public void preStart() {
      List<Inet.SocketOption> options =
          List.of(UdpSO.receiveBufferSize(SOCKET_BUFFER), UdpSO.sendBufferSize(SOCKET_BUFFER));
      manager.tell(UdpMessage.bind(getSelf(), new InetSocketAddress(ServerArgs.HOST, args.port()), options), getSelf());
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Udp.Bound.class, b -> {
            getContext().become(serving(getSender()));
            args.ready();
          })
          .match(Udp.CommandFailed.class, f -> {
            System.err.println("bind failed: " + f);
            getContext().getSystem().terminate();
          })
          .build();
    }

    private Receive serving(ActorRef socket) {
      return receiveBuilder()
          .match(Udp.Received.class, r -> socket.tell(UdpMessage.send(r.data(), r.sender()), getSelf()))
          .match(Udp.CommandFailed.class, f -> refused.incrementAndGet())
          .build();
    }
  }
}
