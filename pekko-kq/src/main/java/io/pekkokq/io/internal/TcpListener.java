package io.pekkokq.io.internal;

import io.pekkokq.metrics.Api;
import io.pekkokq.poll.Poller;
import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.runtime.KqSettings;
import io.pekkokq.socket.Acceptor;
import io.pekkokq.socket.SocketFilePolicy;
import io.pekkokq.socket.SocketOptions;
import io.pekkokq.sys.Errno;
import io.pekkokq.sys.Socket;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.io.Tcp;

/**
 * INTERNAL API. A listening socket: Pekko's listener protocol over an {@link Acceptor}.
 * Each READ edge means "connections are pending"; the acceptor takes them in batches (one
 * system call takes up to a batch) and this actor hands each socket to the manager, which
 * creates its connection actor. Push mode takes {@code batch-accept-limit} per round and
 * continues with a message to itself; pull mode accepts only against ResumeAccepting
 * credit. A failed accept (e.g. EMFILE) is retried shortly: the connections stay queued in
 * the kernel, and no new edge comes for them.
 */
public final class TcpListener extends AbstractActor implements Acceptor.Target {
  /** How long after a failed accept the next try comes. */
  private static final long ACCEPT_RETRY_MILLIS = 100;

  private final KqRuntime ext;
  private final KqSettings settings;
  private final Poller poller;
  private final ActorRef manager;
  private final ActorRef commander;
  private final BindRequest bind;
  private final LoggingAdapter log = Logging.getLogger(getContext().getSystem(), this);

  private Acceptor acceptor;
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
      acceptor =
          Acceptor.bind(
              local, bind.backlog,
              SocketOptions.forListener(settings.tcpSocketOptions, SocketOptions.java(bind.options), !bind.unix()),
              settings.batchAcceptLimit, SocketFilePolicy.from(settings),
              ext.channels(),
              false, // the manager took the listener's own place
              ext.counters(Api.ACTOR),
              log);
      ActorRef self = getSelf();
      acceptor.attach(poller, bits -> self.tell(Ready.of(bits), ActorRef.noSender()));
      commander.tell(bind.bound(acceptor.socket()), getSelf());
    } catch (Exception e) {
      log.error("bind to {} failed: {}", local, e.getMessage());
      commander.tell(new Tcp.CommandFailed(bind.command).withCause(e), getSelf());
      getContext().stop(getSelf());
    }
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(Ready.class, r -> {
          acceptor.onReady();
          acceptPending();
        })
        .matchEquals(IoMessages.CONTINUE_ACCEPTING, m -> acceptPending())
        .matchEquals(IoMessages.RETRY_ACCEPTING, m -> {
          acceptor.onReady();
          acceptPending();
        })
        .match(Tcp.ResumeAccepting.class, r -> {
          credit = r.batchSize();
          acceptPending();
        })
        .matchEquals(Tcp.Unbind$.MODULE$, m -> {
          closeSocket();
          getSender().tell(Tcp.Unbound$.MODULE$, getSelf());
          getContext().stop(getSelf());
        })
        .match(Terminated.class, t -> getContext().stop(getSelf()))
        .build();
  }

  private void acceptPending() {
    if (acceptor == null || !acceptor.acceptable()) return;
    int limit = bind.pullMode ? Math.min(credit, settings.batchAcceptLimit) : settings.batchAcceptLimit;
    if (limit <= 0) return;
    int n = acceptor.accept(limit, this);
    if (n < 0) {
      log.warning("accept on {} failed: {}", bind.localAddress, Errno.message(n));
      ActorRef self = getSelf();
      poller.schedule(
          ACCEPT_RETRY_MILLIS, TimeUnit.MILLISECONDS,
          () -> self.tell(IoMessages.RETRY_ACCEPTING, ActorRef.noSender()));
      return;
    }
    if (bind.pullMode) credit -= n;
    if (acceptor.acceptable() && (!bind.pullMode || credit > 0)) {
      // Maybe more are pending: continue after other actors had their turn.
      getSelf().tell(IoMessages.CONTINUE_ACCEPTING, ActorRef.noSender());
    }
  }

  /** Each accepted socket, holding its max-channels place, goes to the manager. */
  @Override
  public void accepted(Socket accepted) {
    manager.tell(new IoMessages.RegisterIncoming(accepted, bind), getSelf());
  }

  private void closeSocket() {
    if (acceptor != null) acceptor.close();
  }

  @Override
  public void postStop() {
    closeSocket();
    ext.channels().release();
  }
}
