package io.pekkokq.io;

import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * The pekko-kq UDP extension: a drop-in for Pekko's classic {@code Udp}.
 *
 * <p>Its {@link KqUdpExt#manager()} accepts Pekko's own {@code org.apache.pekko.io.Udp}
 * commands (built from Java with {@code UdpMessage}): Bind, SimpleSender, and on the
 * socket they create Send, Unbind, SuspendReading and ResumeReading; it answers with
 * Pekko's own events. Datagrams move in batches (recvmmsg / sendmmsg on Linux):
 *
 * <pre>{@code
 * ActorRef udp = Udp.get(system).manager();    // Pekko, Java NIO selector
 * ActorRef udp = KqUdp.get(system).manager();  // pekko-kq, epoll / kqueue
 * }</pre>
 *
 * See docs/udp.md for options, configuration and differences.
 */
public final class KqUdp {
  public static final Id ID = new Id();

  private KqUdp() {}

  public static KqUdpExt get(ActorSystem system) {
    return ID.apply(system);
  }

  public static KqUdpExt get(ClassicActorSystemProvider system) {
    return ID.apply(system.classicSystem());
  }

  /** The {@code ExtensionId}. */
  public static final class Id extends AbstractExtensionId<KqUdpExt> implements ExtensionIdProvider {
    private Id() {}

    @Override
    public KqUdpExt createExtension(ExtendedActorSystem system) {
      return new KqUdpExt(system, "IO-KQ-UDP", false);
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
