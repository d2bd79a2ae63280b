package io.pekkokq.io.internal;

import io.pekkokq.metrics.Api;
import io.pekkokq.poll.Poller;
import io.pekkokq.poll.ScheduledTimer;
import io.pekkokq.runtime.ConnectFailures;
import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.socket.Connector;
import io.pekkokq.socket.SocketOptions;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.io.Tcp;

/**
 * INTERNAL API. A connection this side opens, through a {@link Connector}: resolve
 * (through Pekko's Dns, when the address is unresolved), open the socket, apply options,
 * bind if asked, connect, attach to a poller. The result of a pending connect arrives as
 * the first WRITABLE (or error) readiness; the Connect's timeout rides the poller's one
 * kernel timer.
 */
public final class TcpOutgoingConnection extends TcpConnection {
  private final ActorRef commander;
  private final ConnectRequest connect;
  private ScheduledTimer connectTimeout;
  private Connector connector;

  TcpOutgoingConnection(KqRuntime ext, Poller poller, ActorRef commander, ConnectRequest connect) {
    super(ext, poller, connect.pullMode);
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
    SocketAddress remote = connect.remoteAddress;
    ActorRef self = getSelf();
    if (Connector.needsResolution(remote)) {
      Connector.resolve(
          (InetSocketAddress) remote,
          getContext().getSystem(),
          settings.resolveTimeout,
          address -> self.tell(new IoMessages.Resolved(address), ActorRef.noSender()),
          cause -> self.tell(new IoMessages.ResolveFailed(cause), ActorRef.noSender()));
    } else {
      self.tell(new IoMessages.Resolved(remote), ActorRef.noSender());
    }
    if (connect.timeout != null) {
      connectTimeout =
          poller.schedule(
              Math.max(0, connect.timeout.toNanos()), TimeUnit.NANOSECONDS, // <= 0: expired
              () -> self.tell(IoMessages.CONNECT_TIMEOUT, ActorRef.noSender()));
    }
  }

  @Override
  protected void onSetupMessage(Object message) {
    if (message instanceof IoMessages.Resolved) {
      startConnect(((IoMessages.Resolved) message).address);
    } else if (message instanceof IoMessages.ResolveFailed) {
      fail(((IoMessages.ResolveFailed) message).cause);
    } else if (message instanceof Ready) {
      onConnectEdge((Ready) message);
    } else if (IoMessages.CONNECT_TIMEOUT.equals(message)) {
      fail(ConnectFailures.timeout(connect.timeoutText));
    } else if (message instanceof org.apache.pekko.actor.Terminated) {
      getContext().stop(getSelf());
    } else {
      unhandled(message);
    }
  }

  private void startConnect(SocketAddress remote) {
    try {
      connector =
          Connector.start(
              remote,
              connect.localAddress,
              SocketOptions.forClient(settings.tcpSocketOptions, SocketOptions.java(connect.options), !connect.unix()),
              ext.bufferPool(),
              null, // the manager took this connection's place
              Api.ACTOR,
              ext.counters(Api.ACTOR));
      socket = connector.socket();
      driver = connector.driver();
      attach();
      if (connector.connectedAtOnce()) onConnectEdge(null);
      // else: pending; the poller reports WRITABLE (or an error) when it ends
    } catch (Throwable e) {
      fail(e);
    }
  }

  /** An edge of the pending connect (null: it connected at once). */
  private void onConnectEdge(Ready edge) {
    try {
      if (edge != null) driver.onReady(edge.bits); // e.g. the peer's FIN came with it
      if (!connector.finish()) return; // not yet: a later edge ends the connect
      if (connectTimeout != null) connectTimeout.cancel();
      completeConnect(commander, connect.connected(socket));
    } catch (Throwable e) {
      fail(e);
    }
  }

  private void fail(Throwable cause) {
    if (connectTimeout != null) connectTimeout.cancel();
    Connector.failed(ext.counters(Api.ACTOR), cause);
    if (settings.traceLogging) log().debug("could not connect to {}: {}", connect.remoteAddress, cause);
    commander.tell(new Tcp.CommandFailed(connect.command).withCause(cause), getSelf());
    releaseSocket();
    getContext().stop(getSelf());
  }

  @Override
  public void postStop() {
    if (connectTimeout != null) connectTimeout.cancel();
    super.postStop();
  }
}
