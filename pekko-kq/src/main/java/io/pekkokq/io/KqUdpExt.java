package io.pekkokq.io;

import io.pekkokq.io.udp.KqUdpManager;
import io.pekkokq.socket.datagram.UdpRuntime;
import io.pekkokq.runtime.KqSettings;
import io.pekkokq.runtime.NativeChoice;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.IO;
import org.apache.pekko.io.Udp;
import org.apache.pekko.io.UdpConnected;

/**
 * The instance of {@link KqUdp} or {@link KqUdpConnected} in one actor system: its manager
 * actor, over the pollers and settings the TCP and Streams APIs share ({@code
 * KqRuntime}). The pollers stop when the actor system terminates. Without the native
 * library (and {@code pekko.io.kq.fallback = nio}), or with {@code pekko.io.kq.native =
 * off}, it hands out Pekko's own NIO manager instead, as {@code KqTcp} does.
 */
public final class KqUdpExt implements IO.Extension {
  private final ActorRef manager;

  KqUdpExt(ExtendedActorSystem system, String name, boolean connected) {
    if (!NativeChoice.get(system).isNative()) {
      // As KqTcp: without the native library (fallback = nio) or with native = off,
      // Pekko's own NIO managers, which take the same commands.
      this.manager = connected ? UdpConnected.get(system).manager() : Udp.get(system).manager();
      return;
    }
    UdpRuntime udp = UdpRuntime.get(system);
    KqSettings settings = udp.runtime().settings();
    this.manager =
        system.systemActorOf(
            Props.create(KqUdpManager.class, () -> new KqUdpManager(udp))
                .withDispatcher(
                    KqSettings.POLLER_DISPATCHER.equals(settings.managementDispatcher)
                        ? udp.runtime().pollerDispatcher(0)
                        : settings.managementDispatcher),
            name);
  }

  /** The actor that takes Pekko's Udp (or UdpConnected) commands. */
  @Override
  public ActorRef manager() {
    return manager;
  }

  /** Java API: {@link #manager()}. */
  public ActorRef getManager() {
    return manager;
  }
}
