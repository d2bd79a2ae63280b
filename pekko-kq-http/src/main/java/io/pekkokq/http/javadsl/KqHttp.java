package io.pekkokq.http.javadsl;

import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.http.scaladsl.HttpConnectionContext$;
import org.apache.pekko.stream.SystemMaterializer;

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
    return new KqServerBuilder(
        system,
        host,
        port,
        HttpConnectionContext$.MODULE$,
        system.log(),
        ServerSettings.create(system),
        SystemMaterializer.get(system).materializer(),
        false);
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
