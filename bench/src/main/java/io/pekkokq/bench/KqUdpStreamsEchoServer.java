package io.pekkokq.bench;

import io.pekkokq.stream.Datagram;
import io.pekkokq.stream.javadsl.KqUdp;
import java.net.InetSocketAddress;
import java.util.List;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.io.UdpSO;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * UDP echo on pekko-kq's Streams datagram flow: {@code KqUdp.bindFlow} joined with an
 * identity flow, so each datagram goes back to its sender, back-pressured end to end.
 *
 * <pre>java -cp pekko-kq-bench.jar io.pekkokq.bench.KqUdpStreamsEchoServer &lt;port&gt; [echo]</pre>
 */
public final class KqUdpStreamsEchoServer {
  private KqUdpStreamsEchoServer() {}

  public static void main(String[] args) throws Exception {
    ServerArgs a = ServerArgs.parse(args, KqUdpStreamsEchoServer.class.getName());
    a.requireTcp(KqUdpStreamsEchoServer.class.getName());
    ActorSystem system = ActorSystem.create("bench");
    KqUdp.bindFlow(
            new InetSocketAddress(ServerArgs.HOST, a.port()),
            List.of(
                UdpSO.receiveBufferSize(UdpEchoServer.SOCKET_BUFFER),
                UdpSO.sendBufferSize(UdpEchoServer.SOCKET_BUFFER)),
            system)
        .join(Flow.of(Datagram.class))
        .run(system)
        .toCompletableFuture()
        .get();
    a.ready();
  }
}
