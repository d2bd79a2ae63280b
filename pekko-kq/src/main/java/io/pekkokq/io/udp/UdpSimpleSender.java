package io.pekkokq.io.udp;

import io.pekkokq.socket.datagram.DatagramOptions;
import io.pekkokq.socket.datagram.UdpRuntime;

import io.pekkokq.poll.Poller;
import io.pekkokq.sys.DatagramSocket;
import java.net.InetSocketAddress;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.io.Udp;
import org.apache.pekko.util.ByteString;

/**
 * INTERNAL API. The socket behind {@code Udp.SimpleSender}: unbound (the kernel picks a
 * port at the first send), sends to any address and reads nothing, as Pekko's UdpSender.
 * It is an IPv6 socket, which reaches IPv4 addresses too (IPv4-mapped), so one sender
 * serves both families as Java's channel does; IPv4 only where the kernel has no IPv6.
 */
final class UdpSimpleSender extends UdpProtocolSocket {
  UdpSimpleSender(UdpRuntime udp, Poller poller, ActorRef commander, Udp.SimpleSender command) {
    super(udp, poller);
    DatagramSocket socket = null;
    try {
      socket = DatagramSocket.openDualStack();
      DatagramOptions.beforeBind(socket, scala.jdk.javaapi.CollectionConverters.asJava(command.options()), log);
      attach(socket);
      commander.tell(Udp.SimpleSenderReady$.MODULE$, getSelf());
    } catch (Exception e) {
      if (endpoint == null && socket != null) socket.close();
      log.error(e, "failed to open a UDP socket for SimpleSender");
      commander.tell(new Udp.CommandFailed(command), getSelf());
      getContext().stop(getSelf());
    }
  }

  @Override
  public Receive createReceive() {
    return socketHandlers(receiveBuilder())
        .match(Udp.Send.class, s -> send(s.payload(), s.target(), s))
        .build();
  }

  @Override
  protected boolean reads() {
    return false;
  }

  @Override
  protected void deliver(ByteString data, InetSocketAddress sender) {}
}
