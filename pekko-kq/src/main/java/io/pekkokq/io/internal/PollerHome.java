package io.pekkokq.io.internal;

import io.pekkokq.poll.Poller;
import io.pekkokq.runtime.KqRuntime;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.OneForOneStrategy;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.SupervisorStrategy;

/**
 * INTERNAL API. The parent of the connections accepted on one poller: a child of the
 * manager ({@code poller-<index>}), on that poller's worker dispatcher, one per poller.
 * A listener (or its {@link ListenerShard} on this poller) hands it each accepted socket,
 * and it creates the connection actor ({@code p<index>-<n>}) on this poller, with no
 * message through the shared manager. Being the manager's children and not the listener's,
 * the connections outlive their listener (Pekko's semantics); at actor system termination
 * they stop, closing their descriptors, before the manager stops the pollers. A socket
 * sent to a home that has stopped already goes to dead letters inside its message; the
 * runtime's shutdown, when the manager stops the pollers, closes it ({@link
 * IoMessages.RegisterIncoming#send}). Children
 * are stopped on failure, never restarted: a restarted connection actor would have lost
 * its socket.
 */
final class PollerHome extends AbstractActor {
  private final KqRuntime runtime;
  private final int index;
  private final Poller poller;
  private final String dispatcher;
  /** Makes child names unique. */
  private long children;

  PollerHome(KqRuntime runtime, int index) {
    this.runtime = runtime;
    this.index = index;
    this.poller = runtime.pollers().get(index);
    this.dispatcher = runtime.workerDispatcher(index);
  }

  /** The name of the home of poller {@code index} under the manager. */
  static String name(int index) {
    return "poller-" + index;
  }

  @Override
  public SupervisorStrategy supervisorStrategy() {
    return new OneForOneStrategy(false, SupervisorStrategy.makeDecider(t -> SupervisorStrategy.stop()));
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder().match(IoMessages.RegisterIncoming.class, this::incoming).build();
  }

  /**
   * The accepted socket holds its max-channels place already (taken by its Acceptor). A
   * socket this home cannot claim was closed by the runtime's shutdown already.
   */
  private void incoming(IoMessages.RegisterIncoming incoming) {
    if (!incoming.claim()) return;
    KqRuntime r = runtime;
    Poller p = poller;
    try {
      getContext().actorOf(
          Props.create(TcpIncomingConnection.class, () -> new TcpIncomingConnection(r, p, incoming.socket, incoming.bind))
              .withDispatcher(dispatcher),
          "p" + index + "-" + (++children));
    } catch (RuntimeException e) { // claimed: nobody else would close it
      incoming.discard();
      throw e;
    }
  }
}
