package io.pekkokq.io.internal;

import io.pekkokq.metrics.Api;
import io.pekkokq.poll.Poller;
import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.runtime.KqSettings;
import io.pekkokq.socket.Acceptor;
import io.pekkokq.socket.ListenerGroup;
import io.pekkokq.socket.SocketFilePolicy;
import io.pekkokq.socket.SocketOptions;
import io.pekkokq.sys.Errno;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.io.Tcp;

/**
 * INTERNAL API. A Bind: Pekko's listener protocol over a {@link ListenerGroup}, one
 * listening socket, or one per poller (listener sharding, each shard attached to its own
 * poller). Each READ edge of a shard means "connections are pending" there; its acceptor
 * takes them in batches (one system call takes up to a batch) and this actor hands each
 * socket to the manager, which creates its connection actor on the poller of the shard
 * that accepted it (with one listener: the next poller, round-robin). Push mode takes
 * {@code batch-accept-limit} per round over all shards and continues with a message to
 * itself; pull mode accepts only against ResumeAccepting credit, counted over all
 * shards. A failed accept (e.g. EMFILE) is retried shortly: the connections stay queued
 * in the kernel, and no new edge comes for them. Unbind closes every shard.
 */
public final class TcpListener extends AbstractActor {
  /** How long after a failed accept the next try comes. */
  private static final long ACCEPT_RETRY_MILLIS = 100;

  private final KqRuntime ext;
  private final KqSettings settings;
  private final Poller poller;
  private final ActorRef manager;
  private final ActorRef commander;
  private final BindRequest bind;
  private final LoggingAdapter log = Logging.getLogger(getContext().getSystem(), this);

  private ListenerGroup listeners;
  /** Per shard: where its accepted sockets go (made once, not per accept). */
  private Acceptor.Target[] targets;
  /** The shard an accept round starts with, rotating so that no shard waits behind another. */
  private int firstShard;
  /** A retry after a failed accept is scheduled. */
  private boolean retryScheduled;
  /** Pull mode: how many more connections may be accepted. */
  private int credit;

  TcpListener(KqRuntime ext, Poller poller, ActorRef manager, ActorRef commander, BindRequest bind) {
    this.ext = ext;
    this.poller = poller;
    this.settings = ext.settings();
    this.manager = manager;
    this.commander = commander;
    this.bind = bind;
  }

  @Override
  public void preStart() {
    SocketAddress local = bind.localAddress;
    try {
      // Inside the try: a null handler fails the Bind with a cause, instead of no answer.
      getContext().watch(java.util.Objects.requireNonNull(bind.handler, "Bind.handler"));
      listeners =
          ListenerGroup.bind(
              local, bind.backlog,
              SocketOptions.forListener(settings.tcpSocketOptions, SocketOptions.java(bind.options), !bind.unix()),
              settings.batchAcceptLimit, SocketFilePolicy.from(settings),
              ext.channels(),
              false, // the manager took the listener's own place
              ext.counters(Api.ACTOR),
              settings.listenerSharding ? ext.pollers().size() : 1,
              log);
      ActorRef self = getSelf();
      targets = new Acceptor.Target[listeners.size()];
      for (int i = 0; i < listeners.size(); i++) {
        // Sharded: shard i on poller i, and its connections stay there; else this
        // listener's own poller, its connections spread round-robin by the manager.
        int connectionPoller = listeners.sharded() ? i : IoMessages.RegisterIncoming.NEXT_POLLER;
        Poller shardPoller = listeners.sharded() ? ext.pollers().get(i) : poller;
        Ready.Shard ready = Ready.Shard.of(i);
        listeners.shard(i).attach(shardPoller, bits -> self.tell(ready, ActorRef.noSender()));
        targets[i] =
            accepted -> manager.tell(new IoMessages.RegisterIncoming(accepted, bind, connectionPoller), self);
      }
      commander.tell(bind.bound(listeners.socket()), getSelf());
    } catch (Exception e) {
      log.error("bind to {} failed: {}", local, e.getMessage());
      commander.tell(new Tcp.CommandFailed(bind.command).withCause(e), getSelf());
      getContext().stop(getSelf());
    }
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(Ready.Shard.class, r -> {
          listeners.shard(r.index).onReady();
          acceptPending();
        })
        .matchEquals(IoMessages.CONTINUE_ACCEPTING, m -> acceptPending())
        .matchEquals(IoMessages.RETRY_ACCEPTING, m -> {
          retryScheduled = false;
          listeners.allReady();
          acceptPending();
        })
        .match(Tcp.ResumeAccepting.class, r -> {
          credit = r.batchSize();
          acceptPending();
        })
        .matchEquals(Tcp.Unbind$.MODULE$, m -> {
          closeSockets();
          getSender().tell(Tcp.Unbound$.MODULE$, getSelf());
          getContext().stop(getSelf());
        })
        .match(Terminated.class, t -> getContext().stop(getSelf()))
        .build();
  }

  /** One round: up to a batch (or the credit left) over the shards with pending connections. */
  private void acceptPending() {
    if (listeners == null || !listeners.anyAcceptable()) return;
    int limit = bind.pullMode ? Math.min(credit, settings.batchAcceptLimit) : settings.batchAcceptLimit;
    int shards = listeners.size();
    for (int k = 0; k < shards && limit > 0; k++) {
      int i = (firstShard + k) % shards;
      Acceptor shard = listeners.shard(i);
      if (!shard.acceptable()) continue;
      int n = shard.accept(limit, targets[i]);
      if (n < 0) {
        log.warning("accept on {} failed: {}", bind.localAddress, Errno.message(n));
        scheduleRetry();
        continue;
      }
      limit -= n;
      if (bind.pullMode) credit -= n;
    }
    firstShard = (firstShard + 1) % shards;
    if (listeners.anyAcceptable() && (!bind.pullMode || credit > 0)) {
      // Maybe more are pending: continue after other actors had their turn.
      getSelf().tell(IoMessages.CONTINUE_ACCEPTING, ActorRef.noSender());
    }
  }

  private void scheduleRetry() {
    if (retryScheduled) return;
    retryScheduled = true;
    ActorRef self = getSelf();
    poller.schedule(
        ACCEPT_RETRY_MILLIS, TimeUnit.MILLISECONDS,
        () -> self.tell(IoMessages.RETRY_ACCEPTING, ActorRef.noSender()));
  }

  private void closeSockets() {
    if (listeners != null) listeners.close();
  }

  @Override
  public void postStop() {
    closeSockets();
    ext.channels().release();
  }
}
