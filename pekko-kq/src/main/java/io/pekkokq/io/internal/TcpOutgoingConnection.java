package io.pekkokq.io.internal;

import io.pekkokq.socket.SocketOptions;
import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.poll.Poller;
import io.pekkokq.poll.ScheduledTimer;
import io.pekkokq.sys.Socket;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.io.Tcp;

/**
 * INTERNAL API. A connection this side opens: resolve (off the actor's thread, when the
 * address is unresolved), open the socket, apply options, bind if asked, attach to a
 * poller, connect. The result of a pending connect arrives as the first WRITABLE (or
 * error) readiness; the Connect's timeout rides the poller's one kernel timer.
 */
public final class TcpOutgoingConnection extends TcpConnection {
  private final ActorRef commander;
  private final Tcp.Connect connect;
  private ScheduledTimer connectTimeout;

  public TcpOutgoingConnection(KqRuntime ext, Poller poller, ActorRef commander, Tcp.Connect connect) {
    super(ext, poller, connect.pullMode());
    this.commander = commander;
    this.connect = connect;
  }

  @Override
  public void preStart() {
    try {
      start();
    } catch (Throwable e) { // e.g. a null address: CommandFailed with the cause, as Pekko
      fail(e);
    }
  }

  private void start() {
    getContext().watch(commander);
    InetSocketAddress remote = connect.remoteAddress();
    if (remote.isUnresolved()) {
      ActorRef self = getSelf();
      CompletableFuture.runAsync(
          () -> {
            try {
              InetAddress ip = InetAddress.getByName(remote.getHostString());
              self.tell(new IoMessages.Resolved(new InetSocketAddress(ip, remote.getPort())), ActorRef.noSender());
            } catch (Throwable e) {
              self.tell(new IoMessages.ResolveFailed(e), ActorRef.noSender());
            }
          },
          getContext().getSystem().dispatchers().lookup(settings.fileIoDispatcher));
    } else {
      getSelf().tell(new IoMessages.Resolved(remote), ActorRef.noSender());
    }
    if (connect.timeout().isDefined()) {
      ActorRef self = getSelf();
      connectTimeout =
          poller.schedule(
              Math.max(0, connect.timeout().get().toNanos()), TimeUnit.NANOSECONDS, // <= 0: expired
              () -> self.tell(IoMessages.CONNECT_TIMEOUT, ActorRef.noSender()));
    }
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(IoMessages.Resolved.class, r -> startConnect(r.address))
        .match(IoMessages.ResolveFailed.class, f -> fail(f.cause))
        .match(Ready.class, this::finishConnect)
        .matchEquals(
            IoMessages.CONNECT_TIMEOUT,
            m -> fail(new ConnectException("Connect timeout of " + connect.timeout() + " expired")))
        .match(org.apache.pekko.actor.Terminated.class, t -> getContext().stop(getSelf()))
        .build();
  }

  private void startConnect(InetSocketAddress remote) {
    try {
      socket = Socket.openTcpFor(remote);
      SocketOptions.beforeBindOrConnect(socket, connect.options(), log());
      if (connect.localAddress().isDefined()) socket.bind(connect.localAddress().get());
      // Attach after connect(): an unconnected socket reports itself writable (and hung
      // up), which would look like a finished connect.
      boolean connectedAtOnce = socket.connect(remote);
      attach();
      if (connectedAtOnce) connected(null);
      // else: pending; the poller reports WRITABLE (or an error) when it ends
    } catch (Throwable e) {
      fail(e);
    }
  }

  private void finishConnect(Ready edge) {
    try {
      socket.finishConnect();
      if (!socket.isConnected()) return; // not yet: a later edge ends the connect
      connected(edge);
    } catch (Throwable e) {
      fail(e);
    }
  }

  private void connected(Ready edge) throws IOException {
    if (connectTimeout != null) connectTimeout.cancel();
    assumeReadyAfterConnect(edge);
    completeConnect(commander, connect.options());
  }

  private void fail(Throwable cause) {
    if (connectTimeout != null) connectTimeout.cancel();
    if (settings.traceLogging) log().debug("could not connect to {}: {}", connect.remoteAddress(), cause);
    commander.tell(new Tcp.CommandFailed(connect).withCause(cause), getSelf());
    releaseSocket();
    getContext().stop(getSelf());
  }

  @Override
  public void postStop() {
    if (connectTimeout != null) connectTimeout.cancel();
    super.postStop();
  }
}
