package io.pekkokq.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.pekkokq.io.KqTcp;
import io.pekkokq.metrics.Api;
import io.pekkokq.metrics.ApiMetrics;
import io.pekkokq.metrics.ConnectFailure;
import io.pekkokq.metrics.KqMetrics;
import io.pekkokq.metrics.PollerMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/**
 * pekko-kq's metrics snapshot ({@code KqTcp.get(system).metrics()}) as Micrometer meters,
 * named in the style of Reactor Netty's ({@code reactor.netty.tcp.server.data.received}
 * becomes {@code pekko.kq.data.received}): counts as function counters, gauges as gauges,
 * each socket meter tagged with its {@code api} ({@code actor}, {@code streams}, {@code
 * fd-streams}) and each poller meter with its {@code poller}. Bind it once per actor
 * system:
 *
 * <pre>{@code
 * new KqMicrometer(system).bindTo(registry);
 * }</pre>
 *
 * <p>A registry reads its meters one by one; they share one snapshot for {@code maxAge}
 * (100 ms by default), so one scrape takes one snapshot, not one per meter. The meters
 * hold the actor system strongly: remove them from the registry if the system ends before
 * the registry does. docs/operations.md lists every meter.
 */
public final class KqMicrometer implements MeterBinder {
  /** The prefix of every meter's name. */
  public static final String PREFIX = "pekko.kq.";

  private final io.pekkokq.io.KqTcpExt kq;
  private final Tags tags;
  private final long maxAgeNanos;
  private KqMetrics cached;
  private long cachedAt;

  /** Meters of {@code system}, without extra tags, sharing a snapshot for 100 ms. */
  public KqMicrometer(ClassicActorSystemProvider system) {
    this(system, Tags.empty(), Duration.ofMillis(100));
  }

  /**
   * @param tags added to every meter (e.g. the actor system's name, when a JVM runs several)
   * @param maxAge how long meters share one snapshot; zero: each read takes a new one
   */
  public KqMicrometer(ClassicActorSystemProvider system, Iterable<Tag> tags, Duration maxAge) {
    if (system == null) throw new NullPointerException("system");
    if (maxAge == null || maxAge.isNegative()) throw new IllegalArgumentException("maxAge must be >= 0: " + maxAge);
    ActorSystem classic = system.classicSystem();
    this.kq = KqTcp.get(classic);
    this.tags = Tags.of(tags);
    this.maxAgeNanos = maxAge.toNanos();
  }

  /** The snapshot the meters read now: the cached one while it is younger than maxAge. */
  synchronized KqMetrics snapshot() {
    long now = System.nanoTime();
    if (cached == null || now - cachedAt >= maxAgeNanos) {
      cached = kq.metrics();
      cachedAt = now;
    }
    return cached;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (Api api : Api.values()) bindApi(registry, api);
    List<PollerMetrics> pollers = snapshot().pollers(); // fixed for the actor system's life
    for (int i = 0; i < pollers.size(); i++) bindPoller(registry, i, pollers.get(i).name());
  }

  private void bindApi(MeterRegistry registry, Api api) {
    Tags t = tags.and("api", api.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    ToLongFunctionOfApi of = f -> m -> f.applyAsLong(m.api(api));
    gauge(registry, "connections.open", t, "connections", "Connection sockets open now",
        of.apply(ApiMetrics::openConnections));
    counter(registry, "connections.opened", t, "connections", "Connection sockets opened (accepted, or opened to connect)",
        of.apply(ApiMetrics::openedConnections));
    counter(registry, "connections.closed", t, "connections", "Connection sockets closed",
        of.apply(ApiMetrics::closedConnections));
    counter(registry, "connections.accepted", t, "connections", "Connections accepted by listeners",
        of.apply(ApiMetrics::accepted));
    counter(registry, "connections.connected", t, "connections", "Outgoing connections established",
        of.apply(ApiMetrics::connected));
    for (ConnectFailure cause : ConnectFailure.values()) {
      counter(registry, "connections.connect.errors", t.and("cause", cause.name().toLowerCase(Locale.ROOT).replace('_', '-')),
          "connections", "Outgoing connections that failed, by cause",
          of.apply(a -> a.connectFailures(cause)));
    }
    gauge(registry, "listeners.open", t, "listeners", "Listening sockets open now",
        of.apply(ApiMetrics::openListeners));
    counter(registry, "data.received", t, "bytes", "Bytes read", of.apply(ApiMetrics::bytesRead));
    counter(registry, "data.sent", t, "bytes", "Bytes written", of.apply(ApiMetrics::bytesWritten));
    counter(registry, "syscalls", t.and("call", "read"), "calls", "System calls made to move bytes",
        of.apply(ApiMetrics::readCalls));
    counter(registry, "syscalls", t.and("call", "write"), "calls", "System calls made to move bytes",
        of.apply(ApiMetrics::writeCalls));
    counter(registry, "eagain", t.and("call", "read"), "calls", "Reads and writes that got EAGAIN",
        of.apply(ApiMetrics::readEagain));
    counter(registry, "eagain", t.and("call", "write"), "calls", "Reads and writes that got EAGAIN",
        of.apply(ApiMetrics::writeEagain));
    gauge(registry, "data.pending", t, "bytes", "Bytes queued for writing that the kernel has not taken yet",
        of.apply(ApiMetrics::bytesQueuedForWriting));
    counter(registry, "max.channels.refusals", t, "connections",
        "Binds, connects and accepted connections refused by pekko.io.kq.max-channels",
        of.apply(ApiMetrics::maxChannelsRefusals));
  }

  private void bindPoller(MeterRegistry registry, int index, String name) {
    Tags t = tags.and("poller", name);
    ToLongFunctionOfPoller of = f -> m -> index < m.pollers().size() ? f.applyAsLong(m.pollers().get(index)) : 0;
    counter(registry, "poller.turns", t, "turns", "Turns of the poller loop", of.apply(PollerMetrics::turns));
    counter(registry, "poller.events", t, "events", "Events returned by the kernel waits", of.apply(PollerMetrics::events));
    counter(registry, "poller.events.stale", t, "events", "Events dropped because their descriptor had closed",
        of.apply(PollerMetrics::staleEvents));
    counter(registry, "poller.wakeups", t, "wakeups", "Wake-ups from other threads", of.apply(PollerMetrics::wakeups));
    counter(registry, "poller.tasks", t, "tasks", "Tasks run (actor mailboxes among them)", of.apply(PollerMetrics::tasksRun));
    counter(registry, "poller.timers", t, "timers", "Timers fired", of.apply(PollerMetrics::timersFired));
    counter(registry, "poller.user.events", t, "events", "Triggered user events run", of.apply(PollerMetrics::userEventsRun));
    gauge(registry, "poller.registrations", t, "descriptors", "Descriptors registered now",
        of.apply(PollerMetrics::registrations));
    TimeGauge.builder(PREFIX + "poller.turn.longest", this, TimeUnit.NANOSECONDS,
            k -> of.apply(PollerMetrics::longestTurnNanos).applyAsDouble(k.snapshot()))
        .tags(t)
        .description("The longest turn so far")
        .strongReference(true)
        .register(registry);
  }

  /**
   * A function counter holds its object weakly; this binder stays reachable through the
   * gauges, which hold it strongly ({@code strongReference(true)}), as long as the registry
   * keeps them.
   */
  private void counter(
      MeterRegistry registry, String name, Tags t, String unit, String description, ToDoubleFunction<KqMetrics> value) {
    FunctionCounter.builder(PREFIX + name, this, k -> value.applyAsDouble(k.snapshot()))
        .tags(t)
        .baseUnit(unit)
        .description(description)
        .register(registry);
  }

  private void gauge(
      MeterRegistry registry, String name, Tags t, String unit, String description, ToDoubleFunction<KqMetrics> value) {
    Gauge.builder(PREFIX + name, this, k -> value.applyAsDouble(k.snapshot()))
        .tags(t)
        .baseUnit(unit)
        .description(description)
        .strongReference(true)
        .register(registry);
  }

  /** Reads one long of the snapshot's {@link ApiMetrics} for an API, as a double. */
  private interface ToLongFunctionOfApi {
    ToDoubleFunction<KqMetrics> apply(ToLongFunction<ApiMetrics> f);
  }

  private interface ToLongFunctionOfPoller {
    ToDoubleFunction<KqMetrics> apply(ToLongFunction<PollerMetrics> f);
  }
}
