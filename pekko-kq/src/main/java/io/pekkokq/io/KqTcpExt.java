package io.pekkokq.io;

import io.pekkokq.event.KqEvents;
import io.pekkokq.io.internal.KqTcpManager;
import io.pekkokq.metrics.KqMetrics;
import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.runtime.KqSettings;
import io.pekkokq.runtime.NativeChoice;
import io.pekkokq.runtime.PollerGroup;
import io.pekkokq.sys.NativeUnavailableException;
import java.util.Optional;
import org.apache.pekko.actor.ActorPath;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorRefWithCell;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.IO;
import org.apache.pekko.io.Tcp;

/**
 * The extension instance: the manager actor of one actor system, over the pollers,
 * buffers and settings of its {@link KqRuntime} (which the Streams API shares). Get it
 * with {@link KqTcp#get}. The pollers stop when the actor system terminates.
 *
 * <p>Without the native library and with {@code pekko.io.kq.fallback = nio}, or with
 * {@code pekko.io.kq.native = off} ({@link NativeChoice}), it runs on Pekko's NIO Tcp:
 * {@link #manager()} is Pekko's own Tcp manager, {@link #events()} runs on Pekko's
 * scheduler, {@link #isNative()} is false, and there are no pollers. With {@code fallback
 * = fail} creating it throws {@link NativeUnavailableException}. It never throws a
 * LinkageError.
 */
public final class KqTcpExt implements IO.Extension {
  /** Null when not native. */
  private final KqRuntime runtime;
  private final KqSettings settings;
  private final NativeChoice choice;
  private final ActorRef manager;
  private final KqEvents events;

  KqTcpExt(ExtendedActorSystem system) {
    this.choice = NativeChoice.get(system);
    if (!choice.isNative()) {
      this.runtime = null;
      this.settings = KqSettings.from(system.settings().config());
      this.manager = Tcp.get(system).manager();
      this.events = KqEvents.onPekkoScheduler(system, choice.whyNotNative());
      return;
    }
    this.runtime = KqRuntime.get(system);
    this.settings = runtime.settings();
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

  /**
   * True when this extension drives sockets with the native library; false when it runs on
   * Pekko's NIO Tcp ({@code pekko.io.kq.fallback = nio} or {@code native = off}).
   */
  public boolean isNative() {
    return runtime != null;
  }

  /** Why this extension runs on Pekko's NIO Tcp, or empty when it is native. */
  public Optional<Throwable> whyNotNative() {
    return Optional.ofNullable(choice.whyNotNative());
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

  /**
   * TIMER, USER and SIGNAL events for any actor, on this extension's poller (on Pekko's
   * scheduler, without signals, when it is not native).
   */
  public KqEvents events() {
    return events;
  }

  /** The {@code pekko.io.kq} settings (shared with the Streams API). */
  public KqSettings settings() {
    return settings;
  }

  /**
   * The id of the dispatcher that runs actors (or stream stages, with {@code
   * ActorAttributes.dispatcher}) on the thread of poller {@code index}, from 0 to {@code
   * pollers - 1}. What runs there must not block: it holds up that poller's sockets.
   *
   * @throws NativeUnavailableException when the extension is not native (no pollers)
   */
  public String pollerDispatcher(int index) {
    choice.requireNative();
    return runtime.pollerDispatcher(index);
  }

  /**
   * The dispatcher a listener or connection actor of this extension runs on (the sender
   * of {@code Bound} or {@code Connected}). Create a connection's handler with it ({@code
   * props.withDispatcher(dispatcherOf(connection))}) and, when {@code worker-dispatcher =
   * poller}, the handler shares the poller thread with its connection: a request is read,
   * handled and answered on one thread. For any other actor it is {@code
   * worker-dispatcher} (or Pekko's default dispatcher when that is "poller"), and Pekko's
   * default dispatcher when the extension is not native.
   */
  public String dispatcherOf(ActorRef socketActor) {
    if (!isNative()) return "pekko.actor.default-dispatcher";
    if (!settings.workersOnPollers) return settings.workerDispatcher;
    if (socketActor instanceof ActorRefWithCell && underManager(socketActor)) {
      // The manager (or a poller's home, for an accepted connection) created it on its
      // poller's dispatcher: read that choice back.
      return ((ActorRefWithCell) socketActor).underlying().props().dispatcher();
    }
    return "pekko.actor.default-dispatcher";
  }

  /** A child of the manager (a listener, an outgoing connection) or of one of its children. */
  private boolean underManager(ActorRef actor) {
    ActorPath parent = actor.path().parent();
    return parent.equals(manager.path()) || parent.parent().equals(manager.path());
  }

  /** INTERNAL API; throws NativeUnavailableException when not native. */
  public PollerGroup pollers() {
    choice.requireNative();
    return runtime.pollers();
  }

  /** INTERNAL API: restores subscribed signals, then stops the pollers. Idempotent. */
  public void shutdownPollers() {
    events.close();
    if (runtime != null) runtime.shutdown();
  }

  /**
   * A snapshot of this actor system's pekko-kq counters: per poller, and per API (this
   * actor API, Streams, fd streams; the Streams API's {@code KqTcp.get(system).metrics()}
   * returns the same). Cheap enough to take every second; docs/operations.md explains
   * each count. All zero ({@link KqMetrics#isNative()} false) when not native.
   */
  public KqMetrics metrics() {
    return runtime == null ? KqMetrics.notNative() : runtime.metrics();
  }

  /** How many listeners and connections of pekko-kq are open (both APIs); 0 when not native. */
  public int openChannels() {
    return runtime == null ? 0 : runtime.channels().open();
  }
}
