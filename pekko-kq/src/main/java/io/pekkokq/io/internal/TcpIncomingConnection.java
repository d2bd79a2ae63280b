package io.pekkokq.io.internal;

import io.pekkokq.metrics.Api;
import io.pekkokq.poll.Poller;
import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.socket.Channel;
import io.pekkokq.socket.SocketDriver;
import io.pekkokq.sys.Socket;

/**
 * INTERNAL API. A connection a listener accepted (its Bind's options set by the
 * Acceptor): adopt the descriptor, attach to a poller, and tell the bind handler Connected.
 */
public final class TcpIncomingConnection extends TcpConnection {
  private final BindRequest bind;

  TcpIncomingConnection(KqRuntime ext, Poller poller, Socket accepted, BindRequest bind) {
    super(ext, poller, bind.pullMode);
    this.bind = bind;
    this.socket = accepted;
    this.driver = new SocketDriver(Channel.of(accepted), ext.bufferPool()).countedIn(Api.ACTOR, ext.counters(Api.ACTOR));
  }

  @Override
  public void preStart() throws Exception {
    try {
      attach();
      completeConnect(bind.handler, bind.connected(socket));
    } catch (Exception e) {
      log().warning("could not set up accepted connection ({}): {}", socket, e.getMessage());
      releaseSocket();
      getContext().stop(getSelf());
    }
  }
}
