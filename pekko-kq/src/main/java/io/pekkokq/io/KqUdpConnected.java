package io.pekkokq.io;

import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * The pekko-kq connected-UDP extension: a drop-in for Pekko's classic {@code
 * UdpConnected}. Its manager accepts Pekko's own {@code UdpConnected.Connect} (from Java:
 * {@code UdpConnectedMessage}); the socket it creates takes Send, Disconnect,
 * SuspendReading and ResumeReading and delivers {@code Received(data)} from its peer.
 *
 * <pre>{@code
 * ActorRef udp = UdpConnected.get(system).manager();    // Pekko
 * ActorRef udp = KqUdpConnected.get(system).manager();  // pekko-kq
 * }</pre>
 */
public final class KqUdpConnected {
  public static final Id ID = new Id();

  private KqUdpConnected() {}

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
      return new KqUdpExt(system, "IO-KQ-UDP-CONN", true);
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
