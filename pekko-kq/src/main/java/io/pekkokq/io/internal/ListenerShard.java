package io.pekkokq.io.internal;

import io.pekkokq.poll.Poller;
import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.socket.Acceptor;
import java.net.SocketAddress;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;

/**
 * INTERNAL API. One shard of a sharded push-mode Bind, a child of its {@link TcpListener}
 * on the dispatcher of the shard's poller: it hears the shard's READ edges, accepts
 * ({@link AcceptRounds}) and hands each socket to that poller's {@link PollerHome}, so
 * that the whole accept path, edge, accept and the connection actor's creation, stays on
 * the poller that accepted (with {@code worker-dispatcher = poller}: on its thread) and
 * nothing passes through the manager or another poller. It accepts only once its
 * listener has sent Bound ({@link IoMessages#START_ACCEPTING}), as Pekko's listener does,
 * so that a handler never sees a Connected before its Bound; edges before that are
 * remembered. It owns its listening socket from its start and closes it when it stops, on
 * its own thread: the listener stops its shards before it answers Unbound.
 */
final class ListenerShard extends AbstractActor {
  private final KqRuntime runtime;
  private final Acceptor acceptor;
  private final ActorRef home;
  private final BindRequest bind;
  private final Poller poller;
  private final int batch;
  private final SocketAddress address;
  private final LoggingAdapter log = Logging.getLogger(getContext().getSystem(), this);
  private AcceptRounds rounds;
  /** The listener has sent Bound. */
  private boolean started;

  ListenerShard(KqRuntime runtime, Acceptor acceptor, ActorRef home, BindRequest bind, Poller poller, int batch) {
    this.runtime = runtime;
    this.acceptor = acceptor;
    this.home = home;
    this.bind = bind;
    this.poller = poller;
    this.batch = batch;
    this.address = bind.localAddress;
  }

  @Override
  public void preStart() {
    KqRuntime r = runtime;
    ActorRef h = home;
    BindRequest b = bind;
    Acceptor.Target toHome = accepted -> IoMessages.RegisterIncoming.send(r, h, accepted, b, ActorRef.noSender());
    rounds =
        new AcceptRounds(
            new Acceptor[] {acceptor}, new Acceptor.Target[] {toHome}, batch, false, getSelf(), poller, address, log);
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(Ready.Shard.class, r -> {
          if (started) rounds.onReady(0);
          else acceptor.onReady();
        })
        .matchEquals(IoMessages.START_ACCEPTING, m -> {
          started = true;
          rounds.acceptPending();
        })
        .matchEquals(IoMessages.CONTINUE_ACCEPTING, m -> rounds.acceptPending())
        .matchEquals(IoMessages.RETRY_ACCEPTING, m -> rounds.onRetry())
        .build();
  }

  @Override
  public void postStop() {
    acceptor.close();
  }
}
