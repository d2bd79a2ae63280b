package io.pekkokq.io.udp;

import io.pekkokq.poll.Poller;
import io.pekkokq.socket.DatagramDriver;
import io.pekkokq.socket.datagram.UdpRuntime;
import java.net.InetSocketAddress;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.io.Udp;
import org.apache.pekko.util.ByteString;

/**
 * INTERNAL API. The socket behind {@code Udp.SimpleSender}: unbound (the kernel picks a
 * port at the first send), sends to any address and reads nothing, as Pekko's UdpSender.
 * Dual-stack ({@link DatagramDriver#unbound}), so one sender serves both families as
 * Java's channel does.
 */
final class UdpSimpleSender extends UdpProtocolSocket {
  UdpSimpleSender(UdpRuntime udp, Poller poller, ActorRef commander, Udp.SimpleSender command) {
    super(udp, poller, null);
    try {
      attach(DatagramDriver.unbound(udp, scala.jdk.javaapi.CollectionConverters.asJava(command.options()), log));
      commander.tell(Udp.SimpleSenderReady$.MODULE$, getSelf());
    } catch (Exception e) {
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
  protected void deliver(ByteString data, InetSocketAddress sender) {}
}
