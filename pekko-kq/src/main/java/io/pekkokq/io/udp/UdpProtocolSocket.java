package io.pekkokq.io.udp;

import io.pekkokq.socket.datagram.UdpRuntime;

import io.pekkokq.poll.Poller;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.io.Udp;

/** INTERNAL API. Acks and failures in Pekko's {@code Udp} protocol, for its two socket actors. */
abstract class UdpProtocolSocket extends DatagramSocketActor {
  UdpProtocolSocket(UdpRuntime udp, Poller poller, ActorRef handler) {
    super(udp, poller, handler);
  }

  @Override
  protected final Object ackFor(Object command) {
    Udp.Send send = (Udp.Send) command;
    return send.wantsAck() ? send.ack() : null;
  }

  @Override
  protected final Object failureFor(Object command) {
    return new Udp.CommandFailed((Udp.Command) command);
  }
}
