package io.pekkokq.io.udp;

import io.pekkokq.poll.Poller;
import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.socket.datagram.UdpRuntime;
import java.util.function.BiFunction;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.OneForOneStrategy;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.SupervisorStrategy;
import org.apache.pekko.io.Udp;
import org.apache.pekko.io.UdpConnected;

/**
 * INTERNAL API. The actor behind {@code KqUdp.get(system).manager()} and {@code
 * KqUdpConnected.get(system).manager()} (one instance each): Bind, SimpleSender and
 * Connect each start one socket actor on the next poller, which opens its socket through
 * the datagram driver and answers the commander (beyond {@code max-channels}, shared with
 * TCP, the driver refuses to open and the command gets CommandFailed). Children
 * are stopped on failure, never restarted: a restarted socket actor would have lost its
 * socket.
 */
public final class KqUdpManager extends AbstractActor {
  private final UdpRuntime udp;
  private final KqRuntime runtime;
  private long children;

  public KqUdpManager(UdpRuntime udp) {
    this.udp = udp;
    this.runtime = udp.runtime();
  }

  @Override
  public SupervisorStrategy supervisorStrategy() {
    return new OneForOneStrategy(false, SupervisorStrategy.makeDecider(t -> SupervisorStrategy.stop()));
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(Udp.Bind.class, b -> start(UdpBoundSocket.class,
            (poller, commander) -> new UdpBoundSocket(udp, poller, commander, b)))
        .match(Udp.SimpleSender.class, s -> start(UdpSimpleSender.class,
            (poller, commander) -> new UdpSimpleSender(udp, poller, commander, s)))
        .match(UdpConnected.Connect.class, c -> start(
            UdpConnectedSocket.class, (poller, commander) -> new UdpConnectedSocket(udp, poller, commander, c)))
        .build();
  }

  /**
   * Creates a socket actor on the next poller, on that poller's dispatcher (chosen before
   * the actor exists).
   */
  private <T extends AbstractActor> void start(Class<T> type, BiFunction<Poller, ActorRef, T> create) {
    int index = runtime.pollers().nextIndex();
    Poller poller = runtime.pollers().get(index);
    ActorRef commander = getSender();
    getContext().actorOf(
        Props.create(type, () -> create.apply(poller, commander)).withDispatcher(runtime.workerDispatcher(index)),
        "udp-p" + index + "-" + (++children));
  }
}
