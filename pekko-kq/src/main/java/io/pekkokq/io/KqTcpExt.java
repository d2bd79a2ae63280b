package io.pekkokq.io;

import io.pekkokq.event.KqEvents;
import io.pekkokq.io.internal.KqTcpManager;
import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.runtime.KqSettings;
import io.pekkokq.runtime.PollerGroup;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorRefWithCell;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.IO;

/**
 * The extension instance: the manager actor of one actor system, over the pollers,
 * buffers and settings of its {@link KqRuntime} (which the Streams API shares). Get it
 * with {@link KqTcp#get}. The pollers stop when the actor system terminates.
 */
public final class KqTcpExt implements IO.Extension {
  private final KqRuntime runtime;
  private final ActorRef manager;
  private final KqEvents events;

  KqTcpExt(ExtendedActorSystem system) {
    this.runtime = KqRuntime.get(system);
    KqSettings settings = runtime.settings();
    this.events = new KqEvents(runtime.pollers().first());
    this.manager =
        system.systemActorOf(
            Props.create(KqTcpManager.class, () -> new KqTcpManager(runtime, this::shutdownPollers))
                .withDispatcher(
                    KqSettings.POLLER_DISPATCHER.equals(settings.managementDispatcher)
                        ? runtime.pollerDispatcher(0)
                        : settings.managementDispatcher),
            "IO-KQ-TCP");
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

  /** The {@code pekko.io.kq} settings (shared with the Streams API). */
  public KqSettings settings() {
    return runtime.settings();
  }

  /**
   * The id of the dispatcher that runs actors (or stream stages, with {@code
   * ActorAttributes.dispatcher}) on the thread of poller {@code index}, from 0 to {@code
   * pollers - 1}. What runs there must not block: it holds up that poller's sockets.
   */
  public String pollerDispatcher(int index) {
    return runtime.pollerDispatcher(index);
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
    KqSettings settings = runtime.settings();
    if (!settings.workersOnPollers) return settings.workerDispatcher;
    if (socketActor instanceof ActorRefWithCell
        && socketActor.path().parent().equals(manager.path())) {
      // The manager created it on its poller's dispatcher: read that choice back.
      return ((ActorRefWithCell) socketActor).underlying().props().dispatcher();
    }
    return "pekko.actor.default-dispatcher";
  }

  /** INTERNAL API. */
  public PollerGroup pollers() {
    return runtime.pollers();
  }

  /** INTERNAL API: restores subscribed signals, then stops the pollers. Idempotent. */
  public void shutdownPollers() {
    events.close();
    runtime.shutdown();
  }

  /** How many listeners and connections are open (both APIs). */
  public int openChannels() {
    return runtime.channels().open();
  }
}
