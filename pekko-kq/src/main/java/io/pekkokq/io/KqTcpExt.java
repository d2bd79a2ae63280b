package io.pekkokq.io;

import io.pekkokq.event.KqEvents;
import io.pekkokq.io.internal.BlockedPollerWatchdog;
import io.pekkokq.io.internal.DirectBufferPool;
import io.pekkokq.io.internal.KqTcpManager;
import io.pekkokq.io.internal.PollerDispatchers;
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
  private final BlockedPollerWatchdog watchdog;
  private final AtomicInteger openChannels = new AtomicInteger();

  KqTcpExt(ExtendedActorSystem system) {
    NativeLibrary.ensureAvailable();
    this.system = system;
    this.settings = KqTcpSettings.from(system.settings().config());
    LoggingAdapter log = Logging.getLogger(system, KqTcpExt.class);
    this.bufferPool = new DirectBufferPool(settings.directBufferSize, settings.directBufferPoolLimit);
    this.pollers = PollerGroup.start(settings, log);
    PollerDispatchers.register(system, pollers, settings.pollerDispatcherThroughput);
    this.watchdog = BlockedPollerWatchdog.start(system, pollers, settings.blockedPollerWarning, log);
    this.manager =
        system.systemActorOf(
            Props.create(KqTcpManager.class, () -> new KqTcpManager(this))
                .withDispatcher(
                    KqTcpSettings.POLLER_DISPATCHER.equals(settings.managementDispatcher)
                        ? PollerDispatchers.id(0)
                        : settings.managementDispatcher),
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

  /**
   * The id of the dispatcher that runs actors (or stream stages, with {@code
   * ActorAttributes.dispatcher}) on the thread of poller {@code index}, from 0 to {@code
   * pollers - 1}. What runs there must not block: it holds up that poller's sockets.
   */
  public String pollerDispatcher(int index) {
    if (index < 0 || index >= pollers.size()) {
      throw new IllegalArgumentException("poller index " + index + " not in [0, " + pollers.size() + ")");
    }
    return PollerDispatchers.id(index);
  }

  /**
   * The dispatcher a listener or connection actor of this extension runs on (the sender
   * of {@code Bound} or {@code Connected}). Create a connection's handler with it ({@code
   * props.withDispatcher(dispatcherOf(connection))}) and, when {@code worker-dispatcher =
   * poller}, the handler shares the poller thread with its connection: a request is read,
   * handled and answered on one thread. For any other actor it is {@code
   * worker-dispatcher} (or Pekko's default dispatcher when that is "poller").
   */
  public String dispatcherOf(ActorRef socketActor) {
    if (!settings.workersOnPollers) return settings.workerDispatcher;
    int index = KqTcpManager.pollerIndexOf(socketActor, manager);
    return index >= 0 && index < pollers.size()
        ? PollerDispatchers.id(index)
        : "pekko.actor.default-dispatcher";
  }

  /** INTERNAL API: the dispatcher of a socket actor registered with poller {@code index}. */
  public String workerDispatcher(int pollerIndex) {
    return settings.workersOnPollers ? PollerDispatchers.id(pollerIndex) : settings.workerDispatcher;
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
    if (watchdog != null) watchdog.stop();
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
