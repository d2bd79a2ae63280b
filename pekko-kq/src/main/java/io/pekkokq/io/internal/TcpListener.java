package io.pekkokq.io.internal;

import io.pekkokq.socket.SocketOptions;
import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.runtime.KqSettings;
import io.pekkokq.poll.Interest;
import io.pekkokq.poll.Poller;
import io.pekkokq.poll.Registration;
import io.pekkokq.sys.Errno;
import io.pekkokq.sys.Socket;
import io.pekkokq.sys.SocketOption;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.io.Tcp;

/**
 * INTERNAL API. A listening socket. Each READ edge means "connections are pending"; the
 * listener accepts them in batches (one system call takes up to a batch, accept4 in a
 * loop in C) and hands each descriptor to the manager, which creates its connection
 * actor. Push mode takes {@code batch-accept-limit} per round and continues with a
 * message to itself; pull mode accepts only against ResumeAccepting credit.
 */
public final class TcpListener extends AbstractActor {
  private final KqRuntime ext;
  private final KqSettings settings;
  private final Poller poller;
  private final ActorRef manager;
  private final ActorRef commander;
  private final Tcp.Bind bind;
  private final LoggingAdapter log = Logging.getLogger(getContext().getSystem(), this);

  private Socket socket;
  private Registration registration;
  /** The kernel said connections are pending, and no accept has returned EAGAIN since. */
  private boolean acceptable;
  /** Pull mode: how many more connections may be accepted. */
  private int credit;
  private ByteBuffer acceptedFds;
  private long acceptedFdsAddress;

  public TcpListener(KqRuntime ext, Poller poller, ActorRef manager, ActorRef commander, Tcp.Bind bind) {
    this.ext = ext;
    this.poller = poller;
    this.settings = ext.settings();
    this.manager = manager;
    this.commander = commander;
    this.bind = bind;
  }

  @Override
  public void preStart() {
    InetSocketAddress local = bind.localAddress();
    try {
      // Inside the try: a null handler fails the Bind with a cause, instead of no answer.
      getContext().watch(java.util.Objects.requireNonNull(bind.handler(), "Bind.handler"));
      if (local.isUnresolved()) {
        throw new java.net.UnknownHostException(local.getHostString());
      }
      socket = Socket.openTcpFor(local);
      socket.setOption(SocketOption.REUSE_ADDRESS, true); // as Java's ServerSocketChannel on Unix
      SocketOptions.beforeBindOrConnect(socket, bind.options(), log);
      socket.bind(local);
      socket.listen(bind.backlog());
      int batch = settings.batchAcceptLimit;
      acceptedFds = ByteBuffer.allocateDirect(4 * batch).order(ByteOrder.nativeOrder());
      acceptedFdsAddress = io.pekkokq.sys.NativeMemory.address(acceptedFds);
      registration =
          poller.register(socket, Interest.READ, Ready.tell(getSelf()));
      commander.tell(new Tcp.Bound(socket.localAddress()), getSelf());
    } catch (Exception e) {
      Exception cause =
          e instanceof BindException
              ? new BindException("[" + local + "] " + e.getMessage())
              : e;
      log.error("bind to {} failed: {}", local, cause.getMessage());
      commander.tell(new Tcp.CommandFailed(bind).withCause(cause), getSelf());
      getContext().stop(getSelf());
    }
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(Ready.class, r -> {
          acceptable = true;
          acceptPending();
        })
        .matchEquals(IoMessages.CONTINUE_ACCEPTING, m -> acceptPending())
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
    if (!acceptable || socket == null || !socket.isOpen()) return;
    int limit = bind.pullMode() ? Math.min(credit, settings.batchAcceptLimit) : settings.batchAcceptLimit;
    if (limit <= 0) return;
    int n = socket.accept(acceptedFdsAddress, limit);
    if (n == -Errno.EAGAIN) {
      acceptable = false;
      return;
    }
    if (n < 0) {
      // e.g. EMFILE: log and carry on; the pending connection stays queued in the kernel.
      log.warning("accept on {} failed: {}", bind.localAddress(), Errno.message(n));
      acceptable = false;
      return;
    }
    for (int i = 0; i < n; i++) {
      manager.tell(new IoMessages.RegisterIncoming(acceptedFds.getInt(4 * i), bind), getSelf());
    }
    if (bind.pullMode()) credit -= n;
    if (n == limit && (!bind.pullMode() || credit > 0)) {
      // Maybe more are pending: continue after other actors had their turn.
      getSelf().tell(IoMessages.CONTINUE_ACCEPTING, ActorRef.noSender());
    } else if (n < limit) {
      acceptable = false; // drained: the next connection brings a new edge
    }
  }

  private void closeSocket() {
    if (registration != null) registration.cancel();
    if (socket != null) socket.close();
  }

  @Override
  public void postStop() {
    closeSocket();
    ext.channels().release();
  }
}
