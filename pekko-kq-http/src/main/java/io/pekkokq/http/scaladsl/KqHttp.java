package io.pekkokq.http.scaladsl;

import io.pekkokq.http.impl.KqServer;
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
 * Pekko HTTP servers on pekko-kq sockets, for Scala: builders that are Pekko HTTP's own
 * scaladsl {@code ServerBuilder}, so Scala code needs no conversions. The one-line change:
 *
 * <pre>{@code
 * Http().newServerAt("0.0.0.0", 8080).bind(route)              // Pekko HTTP on Pekko's Tcp
 * KqHttp.get(system).newServerAt("0.0.0.0", 8080).bind(route)  // the same, on epoll / kqueue
 * }</pre>
 *
 * Written in Java like the rest of pekko-kq (no Scala sources). Everything else
 * is as the javadsl {@code io.pekkokq.http.javadsl.KqHttp} (docs/pekko-http.md), on the
 * same server code; the client transport ({@code KqClientTransport}) is passed to Scala
 * code as {@code ClientTransport.toScala(...)}.
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

  /** The extension of this actor system, as {@link #get(ClassicActorSystemProvider)}. */
  public static KqHttp apply(ClassicActorSystemProvider system) {
    return get(system);
  }

  /** A server on {@code host} and {@code port}, as Pekko HTTP's {@code Http().newServerAt}. */
  public KqServerBuilder newServerAt(String host, int port) {
    return new KqServerBuilder(KqServer.defaults(system, new TcpServerEndpoint(host, port)));
  }

  /** A server on a Unix domain socket, as the javadsl {@code newServerAt(UnixDomainSocketAddress)}. */
  public KqServerBuilder newServerAt(UnixDomainSocketAddress address) {
    return new KqServerBuilder(KqServer.defaults(system, new UnixServerEndpoint(address)));
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
