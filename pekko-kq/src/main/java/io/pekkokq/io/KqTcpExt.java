package io.pekkokq.io;

import io.pekkokq.event.KqEvents;
import io.pekkokq.io.internal.DirectBufferPool;
import io.pekkokq.io.internal.KqTcpManager;
import io.pekkokq.io.internal.PollerGroup;
import io.pekkokq.sys.NativeLibrary;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.io.IO;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The extension instance: settings, the pollers, the buffer pool and the manager actor of
 * one actor system. Get it with {@link KqTcp#get}. The pollers stop when the actor system
 * terminates.
 */
public final class KqTcpExt implements IO.Extension {
  private final ExtendedActorSystem system;
  private final KqTcpSettings settings;
  private final PollerGroup pollers;
  private final ActorRef manager;
  private final DirectBufferPool bufferPool;
  private final KqEvents events;
  private final AtomicInteger openChannels = new AtomicInteger();

  KqTcpExt(ExtendedActorSystem system) {
    NativeLibrary.ensureAvailable();
    this.system = system;
    this.settings = KqTcpSettings.from(system.settings().config());
    LoggingAdapter log = Logging.getLogger(system, KqTcpExt.class);
    this.bufferPool = new DirectBufferPool(settings.directBufferSize, settings.directBufferPoolLimit);
    this.pollers = PollerGroup.start(settings, log);
    this.manager =
        system.systemActorOf(
            Props.create(KqTcpManager.class, () -> new KqTcpManager(this))
                .withDispatcher(settings.managementDispatcher),
            "IO-KQ-TCP");
    this.events = new KqEvents(pollers.first());
    // The manager stops the pollers after its children; this is the fallback should the
    // manager never have started.
    system.registerOnTermination(this::shutdownPollers);
  }

  /** The actor that takes Pekko's Tcp commands (Bind, Connect). */
  @Override
  public ActorRef manager() {
    return manager;
  }

  /** Java API: {@link #manager()}. */
  public ActorRef getManager() {
    return manager;
  }

  /** TIMER, USER and SIGNAL events for any actor, on this extension's poller. */
  public KqEvents events() {
    return events;
  }

  public KqTcpSettings settings() {
    return settings;
  }

  /** INTERNAL API. */
  public PollerGroup pollers() {
    return pollers;
  }

  ExtendedActorSystem system() {
    return system;
  }

  /** INTERNAL API: restores subscribed signals, then stops the pollers. Idempotent. */
  public void shutdownPollers() {
    events.close();
    pollers.close();
  }

  /** INTERNAL API. */
  public DirectBufferPool bufferPool() {
    return bufferPool;
  }

  /** INTERNAL API: takes one of max-channels; false when all are taken. */
  public boolean reserveChannel() {
    for (; ; ) {
      int open = openChannels.get();
      if (open >= settings.maxChannels) return false;
      if (openChannels.compareAndSet(open, open + 1)) return true;
    }
  }

  /** INTERNAL API: gives back what {@link #reserveChannel()} took. */
  public void channelClosed() {
    openChannels.decrementAndGet();
  }

  /** How many listeners and connections are open. */
  public int openChannels() {
    return openChannels.get();
  }
}
