package io.pekkokq.io;

import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * The pekko-kq TCP extension: a drop-in for Pekko's classic {@code Tcp}.
 *
 * <p>Its {@link KqTcpExt#manager()} accepts Pekko's own {@code org.apache.pekko.io.Tcp} commands
 * (built from Java with {@code TcpMessage}) and answers with Pekko's own events, so an
 * application migrates by changing one line:
 *
 * <pre>{@code
 * ActorRef tcp = Tcp.get(system).manager();    // Pekko, Java NIO selector
 * ActorRef tcp = KqTcp.get(system).manager();  // pekko-kq, epoll / kqueue
 * }</pre>
 */
public final class KqTcp {
  /** The extension id, for APIs that take one (e.g. {@code system.hasExtension}). */
  public static final Id ID = new Id();

  private KqTcp() {}

  /** The extension of this actor system. */
  public static KqTcpExt get(ActorSystem system) {
    return ID.apply(system);
  }

  /** The extension of this actor system. */
  public static KqTcpExt get(ClassicActorSystemProvider system) {
    return ID.apply(system.classicSystem());
  }

  /**
   * The {@code ExtensionId}. A separate class because Java cannot give the id itself the
   * static {@code get(system)} that Pekko's Scala objects have.
   */
  public static final class Id extends AbstractExtensionId<KqTcpExt> implements ExtensionIdProvider {
    private Id() {}

    @Override
    public KqTcpExt createExtension(ExtendedActorSystem system) {
      return new KqTcpExt(system);
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }

}
