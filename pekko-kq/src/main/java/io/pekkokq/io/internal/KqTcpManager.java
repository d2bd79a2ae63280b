package io.pekkokq.io.internal;

import io.pekkokq.io.unix.KqUnix;
import io.pekkokq.metrics.Api;
import io.pekkokq.poll.Poller;
import io.pekkokq.runtime.KqRuntime;
import java.util.function.BiFunction;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.OneForOneStrategy;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.SupervisorStrategy;
import org.apache.pekko.io.Tcp;

/**
 * INTERNAL API. The actor behind {@code KqTcp.get(system).manager()}.
 *
 * <p>The same for Unix domain sockets ({@link KqUnix.Bind}, {@link KqUnix.Connect}), whose
 * listeners and connections are these same actors; only Bound and Connected differ.
 *
 * <p>Bind: creates a listener, which answers {@code Bound} (sender: the listener) or
 * {@code CommandFailed}. Connect: creates an outgoing connection, which answers {@code
 * Connected} (sender: the connection) or {@code CommandFailed}. Its children are also
 * one {@link PollerHome} per poller, the parents of the connections accepted on that
 * poller: a listener hands an accepted socket to a home, never to this shared actor, and
 * the connections outlive their listener. Beyond {@code max-channels}, Bind and Connect
 * get {@code CommandFailed} with the same command, as in Pekko (an accepted connection
 * beyond it is closed by the listener's Acceptor). Children are stopped on failure, never restarted: a
 * restarted connection actor would have lost its socket.
 */
public final class KqTcpManager extends AbstractActor {
  private final KqRuntime runtime;
  /** Restores the extension's signals and stops the pollers. */
  private final Runnable stopPollers;
  /** Makes child names unique. */
  private long children;
  /** The {@link PollerHome} of each poller, by poller index. */
  private ActorRef[] homes;

  public KqTcpManager(KqRuntime runtime, Runnable stopPollers) {
    this.runtime = runtime;
    this.stopPollers = stopPollers;
  }

  /** One {@link PollerHome} per poller, before any Bind can need one. */
  @Override
  public void preStart() {
    int n = runtime.pollers().size();
    homes = new ActorRef[n];
    for (int i = 0; i < n; i++) {
      int index = i;
      homes[i] =
          getContext().actorOf(
              Props.create(PollerHome.class, () -> new PollerHome(runtime, index))
                  .withDispatcher(runtime.workerDispatcher(index)),
              PollerHome.name(index));
    }
  }

  /**
   * The manager fronts the pollers: it stops after its children (every listener, home and
   * connection, which close their descriptors on the way), and then stops the pollers, so
   * an actor system's termination leaves no poller thread and no kernel queue behind.
   */
  @Override
  public void postStop() {
    stopPollers.run();
  }

  @Override
  public SupervisorStrategy supervisorStrategy() {
    return new OneForOneStrategy(false, SupervisorStrategy.makeDecider(t -> SupervisorStrategy.stop()));
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(Tcp.Bind.class, b -> bind(BindRequest.of(b)))
        .match(Tcp.Connect.class, c -> connect(ConnectRequest.of(c)))
        .match(KqUnix.Bind.class, b -> bind(BindRequest.of(b)))
        .match(KqUnix.Connect.class, c -> connect(ConnectRequest.of(c)))
        .build();
  }

  private void bind(BindRequest bind) {
    ActorRef commander = getSender();
    if (!runtime.channels().tryReserve(runtime.counters(Api.ACTOR))) {
      commander.tell(new Tcp.CommandFailed(bind.command), getSelf());
      return;
    }
    ActorRef[] h = homes;
    startOn(
        runtime.pollers().nextIndex(),
        TcpListener.class,
        (index, poller) -> new TcpListener(runtime, index, h, commander, bind));
  }

  private void connect(ConnectRequest connect) {
    ActorRef commander = getSender();
    if (!runtime.channels().tryReserve(runtime.counters(Api.ACTOR))) {
      commander.tell(new Tcp.CommandFailed(connect.command), getSelf());
      return;
    }
    startOn(
        runtime.pollers().nextIndex(),
        TcpOutgoingConnection.class,
        (index, poller) -> new TcpOutgoingConnection(runtime, poller, commander, connect));
  }

  /** Creates a socket actor registered with poller {@code index}, on its dispatcher. */
  private <T extends AbstractActor> void startOn(int index, Class<T> type, BiFunction<Integer, Poller, T> create) {
    Poller poller = runtime.pollers().get(index);
    getContext().actorOf(
        Props.create(type, () -> create.apply(index, poller)).withDispatcher(runtime.workerDispatcher(index)),
        childName(index));
  }

  /** "p{poller}-{n}": unique, and a reader of logs sees which poller a socket is on. */
  private String childName(int pollerIndex) {
    return "p" + pollerIndex + "-" + (++children);
  }
}
