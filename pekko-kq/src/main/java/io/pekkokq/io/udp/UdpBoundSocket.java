package io.pekkokq.io.udp;

import io.pekkokq.poll.Poller;
import io.pekkokq.socket.DatagramDriver;
import io.pekkokq.socket.datagram.UdpRuntime;
import java.net.InetSocketAddress;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.io.Udp;
import org.apache.pekko.util.ByteString;

/**
 * INTERNAL API. A socket bound by {@code Udp.Bind}: answers {@code Bound} (or {@code
 * CommandFailed}), delivers {@code Received(data, sender)} to the bind's handler, sends
 * {@code Send}s, stops on {@code Unbind} (answering {@code Unbound}) or when the handler
 * dies, as Pekko's UdpListener.
 */
final class UdpBoundSocket extends UdpProtocolSocket {
  private final Udp.Bind bind;

  UdpBoundSocket(UdpRuntime udp, Poller poller, ActorRef commander, Udp.Bind bind) {
    super(udp, poller, bind.handler());
    this.bind = bind;
    try {
      attach(DatagramDriver.bind(
          udp, bind.localAddress(), scala.jdk.javaapi.CollectionConverters.asJava(bind.options()), log));
      InetSocketAddress local = endpoint.localAddress();
      if (log.isDebugEnabled()) log.debug("bound to {}", local);
      commander.tell(new Udp.Bound(local), getSelf());
    } catch (Exception e) {
      log.error(e, "failed to bind UDP socket to {}", bind.localAddress());
      commander.tell(new Udp.CommandFailed(bind), getSelf());
      getContext().stop(getSelf());
    }
  }

  @Override
  public Receive createReceive() {
    return socketHandlers(receiveBuilder())
        .match(Udp.Send.class, s -> send(s.payload(), s.target(), s))
        .matchEquals(Udp.SuspendReading$.MODULE$, m -> suspendReading())
        .matchEquals(Udp.ResumeReading$.MODULE$, m -> resumeReading())
        .matchEquals(Udp.Unbind$.MODULE$, m -> unbind())
        .build();
  }

  private void unbind() {
    if (log.isDebugEnabled()) log.debug("unbinding {}", bind.localAddress());
    closeAndStop(Udp.Unbound$.MODULE$);
  }

  @Override
  protected void deliver(ByteString data, InetSocketAddress sender) {
    handler.tell(new Udp.Received(data, sender), getSelf());
  }
}
