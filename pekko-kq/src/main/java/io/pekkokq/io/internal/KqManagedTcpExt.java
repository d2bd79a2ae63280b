package io.pekkokq.io.internal;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.io.TcpExt;

/**
 * Pekko's {@link TcpExt} with pekko-kq's manager: what {@code PekkoTcpTakeOver} puts into
 * the extension registry. Everything that reaches Pekko's Tcp asks for {@code manager()}
 * (Pekko's {@code IO(Tcp)}, its {@code getManager()}, Pekko Streams' Tcp), so overriding
 * that accessor is enough. Pekko's constructor still starts its own manager actor
 * ("IO-TCP"); {@link #stopPekkosManager()} stops it, since nothing can reach it.
 */
public final class KqManagedTcpExt extends TcpExt {
  private final ActorRef kqManager;
  private final ExtendedActorSystem system;

  public KqManagedTcpExt(ExtendedActorSystem system, ActorRef kqManager) {
    super(system);
    this.system = system;
    this.kqManager = kqManager;
  }

  @Override
  public ActorRef manager() {
    return kqManager;
  }

  /** Stops the NIO manager Pekko's constructor started (and its selectors). */
  public void stopPekkosManager() {
    system.stop(super.manager());
  }
}
