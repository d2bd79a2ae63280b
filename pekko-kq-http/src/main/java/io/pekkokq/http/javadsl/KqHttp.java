package io.pekkokq.http.javadsl;

import io.pekkokq.http.impl.KqServer;
import io.pekkokq.http.impl.ServerEndpoint;
import io.pekkokq.http.impl.TcpServerEndpoint;
import io.pekkokq.http.impl.UnixServerEndpoint;
import java.net.UnixDomainSocketAddress;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * Pekko HTTP servers on pekko-kq sockets. The one-line change:
 *
 * <pre>{@code
 * Http.get(system).newServerAt("0.0.0.0", 8080).bind(route);    // Pekko HTTP on Pekko's Tcp
 * KqHttp.get(system).newServerAt("0.0.0.0", 8080).bind(route);  // the same, on epoll / kqueue
 * }</pre>
 *
 * Everything above the socket is Pekko HTTP's own (parsing, routing, timeouts, TLS,
 * {@code pekko.http.server} settings); see {@link KqServerBuilder}. For the client side
 * see {@link KqClientTransport}.
 */
public final class KqHttp implements Extension {
  /** The extension id. */
  public static final Id ID = new Id();

  private final ExtendedActorSystem system;

  private KqHttp(ExtendedActorSystem system) {
    this.system = system;
  }

  /** The extension of this actor system. */
  public static KqHttp get(ActorSystem system) {
    return ID.apply(system);
  }

  /** The extension of this actor system. */
  public static KqHttp get(ClassicActorSystemProvider system) {
    return ID.apply(system.classicSystem());
  }

  /**
   * A builder for a server on {@code host} (an address or a name) and {@code port} ({@code
   * 0} for a free one, negative for the protocol's default), with the system's {@code
   * pekko.http.server} settings, no TLS, the system's log and materializer, as Pekko
   * HTTP's {@code newServerAt}.
   */
  public KqServerBuilder newServerAt(String host, int port) {
    return newServerAt(new TcpServerEndpoint(host, port));
  }

  /**
   * A builder for a server on the Unix domain socket {@code address} (which Pekko HTTP
   * cannot do), otherwise as {@link #newServerAt(String, int)}: HTTP clients reach it as
   * Docker's API is reached ({@code curl --unix-socket PATH http://localhost/}, or {@link
   * KqClientTransport#unixDomainSocket}). The socket file is removed on unbind, and a file
   * already at the path fails the bind, by {@code pekko.io.kq.unix-domain-socket}'s
   * defaults. Needs the native library: without it the bind fails with {@code
   * NativeUnavailableException}. Requests carry no remote-address attribute (the peer has
   * no IP address); socket options do not apply.
   */
  public KqServerBuilder newServerAt(UnixDomainSocketAddress address) {
    return newServerAt(new UnixServerEndpoint(address));
  }

  private KqServerBuilder newServerAt(ServerEndpoint endpoint) {
    return new KqServerBuilder(KqServer.defaults(system, endpoint));
  }

  /** The {@code ExtensionId}; a class of its own because Java has no companion objects. */
  public static final class Id extends AbstractExtensionId<KqHttp> implements ExtensionIdProvider {
    private Id() {}

    @Override
    public KqHttp createExtension(ExtendedActorSystem system) {
      return new KqHttp(system);
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
