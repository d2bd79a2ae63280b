package io.pekkokq.io.udp;

import io.pekkokq.poll.Poller;
import io.pekkokq.socket.DatagramDriver;
import io.pekkokq.socket.datagram.UdpRuntime;
import java.net.InetSocketAddress;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.UdpConnected;
import org.apache.pekko.util.ByteString;

/**
 * INTERNAL API. A socket connected by {@code UdpConnected.Connect}: answers {@code
 * Connected} (or {@code CommandFailed}), delivers {@code Received(data)} from its peer to
 * the handler, sends {@code Send}s to the peer, and stops on {@code Disconnect} (answering
 * {@code Disconnected}) or when the handler dies, as Pekko's UdpConnection.
 *
 * <p>An ICMP port-unreachable from the peer's host is ignored on reading, as Pekko does;
 * on sending it fails that Send with {@code CommandFailed} (Pekko's actor would fail and
 * stop instead).
 */
final class UdpConnectedSocket extends DatagramSocketActor {
  UdpConnectedSocket(UdpRuntime udp, Poller poller, ActorRef commander, UdpConnected.Connect connect) {
    super(udp, poller, connect.handler());
    try {
      InetSocketAddress remote = connect.remoteAddress();
      Iterable<Inet.SocketOption> options = scala.jdk.javaapi.CollectionConverters.asJava(connect.options());
      attach(DatagramDriver.connect(udp, remote, connect.localAddress().getOrElse(() -> null), options, log));
      if (log.isDebugEnabled()) log.debug("connected to {}", remote);
      commander.tell(UdpConnected.Connected$.MODULE$, getSelf());
    } catch (Exception e) {
      log.debug("failed to connect a UDP socket to {}: {}", connect.remoteAddress(), e);
      commander.tell(new UdpConnected.CommandFailed(connect), getSelf());
      getContext().stop(getSelf());
    }
  }

  @Override
  public Receive createReceive() {
    return socketHandlers(receiveBuilder())
        .match(UdpConnected.Send.class, s -> send(s.payload(), null, s))
        .matchEquals(UdpConnected.SuspendReading$.MODULE$, m -> suspendReading())
        .matchEquals(UdpConnected.ResumeReading$.MODULE$, m -> resumeReading())
        .matchEquals(UdpConnected.Disconnect$.MODULE$, m -> closeAndStop(UdpConnected.Disconnected$.MODULE$))
        .build();
  }

  @Override
  protected void deliver(ByteString data, InetSocketAddress sender) {
    handler.tell(new UdpConnected.Received(data), getSelf());
  }

  @Override
  protected Object ackFor(Object command) {
    UdpConnected.Send send = (UdpConnected.Send) command;
    return send.wantsAck() ? send.ack() : null;
  }

  @Override
  protected Object failureFor(Object command) {
    return new UdpConnected.CommandFailed((UdpConnected.Command) command);
  }
}
