package io.pekkokq.runtime;

import io.pekkokq.metrics.Api;
import io.pekkokq.metrics.KqMetrics;
import io.pekkokq.poll.Poller;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;

/**
 * INTERNAL API. What the actor API ({@code io.KqTcp}) and the Streams API ({@code
 * stream.javadsl.KqTcp}) of one actor system share: the settings, the pollers and their
 * dispatchers, the blocked-poller watchdog, the direct buffer pool, the channel budget and
 * the accepted sockets on their way to an owner. Both front-ends reach these through
 * {@link #get}, neither through the other.
 *
 * <p>The pollers stop when the actor system terminates ({@link #shutdown}); the IO
 * manager stops them earlier, right after its children, so that connection actors close
 * their descriptors while their poller still runs. Then no owner can take an accepted
 * socket any more, and the shutdown closes those still on their way ({@link #inTransit}).
 */
public final class KqRuntime implements Extension {
  private final KqSettings settings;
  private final PollerGroup pollers;
  private final DirectBufferPool bufferPool;
  private final ChannelBudget channels;
  private final SocketsInTransit inTransit;
  private final BlockedPollerWatchdog watchdog;
  private final Executor blockingPool;
  /** Indexed by {@link Api#ordinal()}. */
  private final SocketCounters[] counters = new SocketCounters[Api.values().length];

  /** @throws io.pekkokq.sys.NativeUnavailableException when the system is not native ({@link NativeChoice}) */
  private KqRuntime(ExtendedActorSystem system) {
    NativeChoice.get(system).requireNative();
    this.settings = KqSettings.from(system.settings().config());
    LoggingAdapter log = Logging.getLogger(system, KqRuntime.class);
    this.bufferPool = new DirectBufferPool(settings.directBufferSize, settings.directBufferPoolLimit);
    for (Api api : Api.values()) counters[api.ordinal()] = new SocketCounters(api, settings.metricsEnabled);
    this.pollers = PollerGroup.start(settings, log);
    this.channels = new ChannelBudget(settings.maxChannels, pollers.size());
    this.inTransit = new SocketsInTransit(pollers.size());
    for (int i = 0; i < pollers.size(); i++) {
      // Each poller's sockets take their places from its own lane (no shared counter per
      // socket); a socket opened before this ran, or on another thread, uses the shared one.
      int lane = i;
      pollers.get(i).execute(() -> channels.joinLane(lane));
    }
    PollerDispatchers.register(system, pollers, settings.pollerDispatcherThroughput);
    this.watchdog = BlockedPollerWatchdog.start(system, pollers, settings.blockedPollerWarning, log);
    this.blockingPool = system.dispatchers().lookup(settings.fileIoDispatcher);
    io.pekkokq.metrics.jfr.JfrSupport.prepare(blockingPool); // off the pollers: it can take a second
    system.registerOnTermination(this::shutdown);
  }

  /**
   * The runtime of this actor system, started on first use.
   *
   * @throws io.pekkokq.sys.NativeUnavailableException when the actor system does not run
   *     natively ({@link NativeChoice}): there are no pollers to start
   */
  public static KqRuntime get(ActorSystem system) {
    return ID.apply(system);
  }

  /** The runtime of this actor system, started on first use. */
  public static KqRuntime get(ClassicActorSystemProvider system) {
    return ID.apply(system.classicSystem());
  }

  public KqSettings settings() {
    return settings;
  }

  public PollerGroup pollers() {
    return pollers;
  }

  public DirectBufferPool bufferPool() {
    return bufferPool;
  }

  public ChannelBudget channels() {
    return channels;
  }

  /** The accepted sockets sent to an owner that has not taken them yet; closed at {@link #shutdown}. */
  public SocketsInTransit inTransit() {
    return inTransit;
  }

  /**
   * Where the sockets of {@code api} are counted: hand it to their driver, acceptor or
   * connector. With {@code pekko.io.kq.metrics.enabled = off} they count nothing.
   */
  public SocketCounters counters(Api api) {
    return counters[api.ordinal()];
  }

  /** A snapshot of this actor system's counters (both APIs; docs/operations.md). */
  public KqMetrics metrics() {
    return new KqMetrics(
        settings.metricsEnabled,
        pollers.metrics(),
        snapshot(Api.ACTOR),
        snapshot(Api.STREAMS),
        snapshot(Api.FD_STREAMS));
  }

  private io.pekkokq.metrics.ApiMetrics snapshot(Api api) {
    return counters[api.ordinal()].snapshot();
  }

  /** {@code file-io-dispatcher}: where sendfile steps run (they block). */
  public Executor blockingPool() {
    return blockingPool;
  }

  /**
   * The id of the dispatcher that runs on the thread of poller {@code index}.
   *
   * @throws IllegalArgumentException when there is no such poller
   */
  public String pollerDispatcher(int index) {
    if (index < 0 || index >= pollers.size()) {
      throw new IllegalArgumentException("poller index " + index + " not in [0, " + pollers.size() + ")");
    }
    return PollerDispatchers.id(index);
  }

  /** The dispatcher for a socket actor registered with poller {@code index}. */
  public String workerDispatcher(int pollerIndex) {
    return settings.workersOnPollers ? PollerDispatchers.id(pollerIndex) : settings.workerDispatcher;
  }

  /** The poller whose thread is the caller's, else the next one (round-robin). */
  public Poller currentOrNextPoller() {
    return pollers.currentOrNext();
  }

  /**
   * Stops the watchdog and the pollers, then closes every accepted socket still on its way
   * to an owner (and, from now on, every one sent): none can take it any more. Idempotent.
   */
  public void shutdown() {
    try {
      if (watchdog != null) watchdog.stop();
      pollers.close();
    } finally {
      inTransit.closeAll();
    }
  }

  private static final Id ID = new Id();

  private static final class Id extends AbstractExtensionId<KqRuntime> implements ExtensionIdProvider {
    @Override
    public KqRuntime createExtension(ExtendedActorSystem system) {
      return new KqRuntime(system);
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
