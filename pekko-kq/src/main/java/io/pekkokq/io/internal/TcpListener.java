package io.pekkokq.io.internal;

import io.pekkokq.metrics.Api;
import io.pekkokq.poll.Poller;
import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.runtime.KqSettings;
import io.pekkokq.socket.Acceptor;
import io.pekkokq.socket.ListenerGroup;
import io.pekkokq.socket.SocketOptions;
import java.net.SocketAddress;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.io.Tcp;

/**
 * INTERNAL API. A Bind: Pekko's listener protocol over a {@link ListenerGroup}, one
 * listening socket, or one per poller (listener sharding, shard {@code i} attached to
 * poller {@code i}). This actor answers Bound and is the one the user talks to; each
 * accepted socket goes to a {@link PollerHome}, the parent of the connections of one
 * poller, never through the manager.
 *
 * <p>Who accepts ({@link AcceptRounds}, the one accept rule):
 * <ul>
 *   <li>sharded, push mode: one {@link ListenerShard} child per shard, on the shard's
 *       poller, which accepts and hands its sockets to the home of that same poller: the
 *       whole accept path stays on the poller that accepted;
 *   <li>pull mode (ResumeAccepting credit is counted over all shards, so one actor must
 *       count it) and a single listener: this actor, over every shard; a sharded
 *       connection still goes to the home of its shard's poller, a single listener's to
 *       the homes in turn.
 * </ul>
 * Unbind (or the handler's Terminated) stops this actor; its shards stop first, each
 * closing its socket on its own thread, then this actor closes whatever is left, gives
 * the Bind's max-channels place back and answers Unbound: every shard is closed when
 * Unbound arrives. Accepted connections are not its children and outlive it.
 */
public final class TcpListener extends AbstractActor {
  private final KqRuntime ext;
  private final KqSettings settings;
  /** The poller this actor runs on. */
  private final int pollerIndex;
  /** The {@link PollerHome} of each poller, by poller index. */
  private final ActorRef[] homes;
  private final ActorRef commander;
  private final BindRequest bind;
  private final LoggingAdapter log = Logging.getLogger(getContext().getSystem(), this);

  private ListenerGroup listeners;
  /** When this actor accepts itself (see the class comment); else null. */
  private AcceptRounds rounds;
  /** A single listener's next home (its own counter: nothing shared per connection). */
  private int nextHome;
  /** Who sent Unbind, answered once every shard is closed. */
  private ActorRef unbinder;

  TcpListener(KqRuntime ext, int pollerIndex, ActorRef[] homes, ActorRef commander, BindRequest bind) {
    this.ext = ext;
    this.pollerIndex = pollerIndex;
    this.settings = ext.settings();
    this.homes = homes;
    this.commander = commander;
    this.bind = bind;
    this.nextHome = pollerIndex;
  }

  @Override
  public void preStart() {
    SocketAddress local = bind.localAddress;
    try {
      // Inside the try: a null handler fails the Bind with a cause, instead of no answer.
      getContext().watch(java.util.Objects.requireNonNull(bind.handler, "Bind.handler"));
      SocketOptions options =
          SocketOptions.forListener(settings.tcpSocketOptions, SocketOptions.java(bind.options), !bind.unix());
      listeners =
          ListenerGroup.bind(
              new ListenerGroup.Spec(local, bind.backlog, options, settings.batchAcceptLimit),
              ext, Api.ACTOR,
              false, // the manager took the listener's own place
              log);
      if (listeners.sharded() && !bind.pullMode) startShards();
      else acceptHere();
      commander.tell(bind.bound(listeners.socket()), getSelf());
      // Only now: a shard's first Connected must come after Bound (this actor accepts
      // itself only after preStart, so the same holds for it).
      for (ActorRef shard : getContext().getChildren()) shard.tell(IoMessages.START_ACCEPTING, getSelf());
    } catch (Exception e) {
      log.error("bind to {} failed: {}", local, e.getMessage());
      commander.tell(new Tcp.CommandFailed(bind.command).withCause(e), getSelf());
      getContext().stop(getSelf());
    }
  }

  /** Shard i: a {@link ListenerShard} on poller i, told of its edges, feeding home i. */
  private void startShards() throws java.io.IOException {
    for (int i = 0; i < listeners.size(); i++) {
      Acceptor acceptor = listeners.shard(i);
      ActorRef home = homes[i];
      Poller poller = ext.pollers().get(i);
      int batch = settings.batchAcceptLimit;
      BindRequest b = bind;
      ActorRef shard =
          getContext().actorOf(
              Props.create(ListenerShard.class, () -> new ListenerShard(ext, acceptor, home, b, poller, batch))
                  .withDispatcher(ext.workerDispatcher(i)),
              "shard-" + i);
      acceptor.attach(poller, bits -> shard.tell(Ready.Shard.of(0), ActorRef.noSender()));
    }
  }

  /** This actor accepts from every shard (pull mode, or a single listener). */
  private void acceptHere() throws java.io.IOException {
    int n = listeners.size();
    Acceptor[] shards = new Acceptor[n];
    Acceptor.Target[] targets = new Acceptor.Target[n];
    ActorRef self = getSelf();
    for (int i = 0; i < n; i++) {
      shards[i] = listeners.shard(i);
      Ready.Shard ready = Ready.Shard.of(i);
      if (listeners.sharded()) {
        ActorRef home = homes[i];
        targets[i] = accepted -> IoMessages.RegisterIncoming.send(ext, home, accepted, bind, self);
        shards[i].attach(ext.pollers().get(i), bits -> self.tell(ready, ActorRef.noSender()));
      } else {
        targets[i] = accepted -> IoMessages.RegisterIncoming.send(ext, nextHome(), accepted, bind, self);
        shards[i].attach(ext.pollers().get(pollerIndex), bits -> self.tell(ready, ActorRef.noSender()));
      }
    }
    rounds =
        new AcceptRounds(
            shards, targets, settings.batchAcceptLimit, bind.pullMode, self,
            ext.pollers().get(pollerIndex), bind.localAddress, log);
  }

  private ActorRef nextHome() {
    ActorRef home = homes[nextHome];
    nextHome = (nextHome + 1) % homes.length;
    return home;
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(Ready.Shard.class, r -> rounds.onReady(r.index))
        .matchEquals(IoMessages.CONTINUE_ACCEPTING, m -> rounds.acceptPending())
        .matchEquals(IoMessages.RETRY_ACCEPTING, m -> rounds.onRetry())
        .match(Tcp.ResumeAccepting.class, r -> {
          if (rounds != null) rounds.resume(r.batchSize());
        })
        .matchEquals(Tcp.Unbind$.MODULE$, m -> {
          unbinder = getSender();
          getContext().stop(getSelf());
        })
        .match(Terminated.class, t -> getContext().stop(getSelf()))
        .build();
  }

  /** After the shards (children) stopped, each having closed its own socket. */
  @Override
  public void postStop() {
    if (listeners != null) listeners.close();
    ext.channels().release();
    if (unbinder != null) unbinder.tell(Tcp.Unbound$.MODULE$, getSelf());
  }
}
