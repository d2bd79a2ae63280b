package io.pekkokq.runtime;

import com.typesafe.config.Config;
import io.pekkokq.sys.SocketOption;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code pekko.io.kq} settings, read and checked once; shared by the actor API and
 * the Streams API (both read them through {@link KqRuntime#settings()}). See
 * docs/configuration.md.
 */
public class KqSettings {
  /** The worker-dispatcher value that means "the dispatcher of the socket's own poller". */
  public static final String POLLER_DISPATCHER = "poller";

  /** {@code pollers}, with {@code auto} resolved ({@link #autoPollers}). */
  public final int pollers;
  /** {@code tcp.listener-sharding}: a TCP Bind opens one listening socket per poller. */
  public final boolean listenerSharding;
  public final int eventBatchSize;
  public final int maxChannels;
  public final int maxRegistrationsPerPoller;
  public final int batchAcceptLimit;
  public final int directBufferSize;
  public final int directBufferPoolLimit;
  /** null when infinite. */
  public final Duration registerTimeout;
  public final int maxReceivedMessageSize;
  public final int readBudget;
  public final long transferToLimit;
  public final String fileIoDispatcher;
  /** {@code resolve-timeout}: the longest a host name lookup through Pekko's Dns may take. */
  public final Duration resolveTimeout;
  /** A dispatcher id, or {@link #POLLER_DISPATCHER} ({@link #workersOnPollers}). */
  public final String workerDispatcher;
  /** True when listener and connection actors run on their poller's thread. */
  public final boolean workersOnPollers;
  public final int pollerDispatcherThroughput;
  /** null when off. */
  public final Duration blockedPollerWarning;
  public final String managementDispatcher;
  public final boolean traceLogging;
  /** False when {@code native = off}: KqTcp runs on Pekko's NIO Tcp regardless. */
  public final boolean nativeEnabled;
  /** True for {@code fallback = nio}, false for {@code fallback = fail}. */
  public final boolean fallBackToNio;
  /** {@code unix-domain-socket.delete-socket-file-on-unbind}. */
  public final boolean unixDeleteSocketFileOnUnbind;
  /** {@code unix-domain-socket.delete-existing-socket-file}. */
  public final boolean unixDeleteExistingSocketFile;
  /** {@code metrics.enabled}: socket counters and timed poller turns (docs/operations.md). */
  public final boolean metricsEnabled;
  /** {@code metrics.slow-turn-threshold}; null when off. */
  public final Duration slowTurnThreshold;
  /**
   * {@code tcp.socket-options}: the options every TCP listener and connection of both
   * APIs gets unless its command names the option, with the values the kernel takes;
   * the options set to {@code unset} are absent.
   */
  public final Map<SocketOption, Integer> tcpSocketOptions;

  /** @param c the {@code pekko.io.kq} section */
  protected KqSettings(Config c) {
    pollers =
        "auto".equals(c.getValue("pollers").unwrapped())
            ? autoPollers(Runtime.getRuntime().availableProcessors())
            : positive(c, "pollers", c.getInt("pollers"));
    listenerSharding = c.getBoolean("tcp.listener-sharding");
    eventBatchSize = positive(c, "event-batch-size", c.getInt("event-batch-size"));
    maxChannels = unlimitedOr(c, "max-channels", () -> positive(c, "max-channels", c.getInt("max-channels")));
    maxRegistrationsPerPoller =
        positive(c, "max-registrations-per-poller", c.getInt("max-registrations-per-poller"));
    batchAcceptLimit = positive(c, "batch-accept-limit", c.getInt("batch-accept-limit"));
    directBufferSize = bytes(c, "direct-buffer-size");
    directBufferPoolLimit = c.getInt("direct-buffer-pool-limit");
    registerTimeout =
        "infinite".equals(c.getValue("register-timeout").unwrapped())
            ? null
            : c.getDuration("register-timeout");
    int maxReceived =
        unlimitedOr(c, "max-received-message-size", () -> bytes(c, "max-received-message-size"));
    maxReceivedMessageSize = Math.min(maxReceived, directBufferSize);
    readBudget = bytes(c, "read-budget");
    transferToLimit =
        unlimitedOr(c, "file-io-transferTo-limit", () -> bytes(c, "file-io-transferTo-limit"));
    fileIoDispatcher = c.getString("file-io-dispatcher");
    resolveTimeout = c.getDuration("resolve-timeout");
    if (resolveTimeout.isNegative() || resolveTimeout.isZero()) {
      throw new IllegalArgumentException("pekko.io.kq.resolve-timeout must be > 0");
    }
    workerDispatcher = c.getString("worker-dispatcher");
    workersOnPollers = POLLER_DISPATCHER.equals(workerDispatcher);
    pollerDispatcherThroughput =
        positive(c, "poller-dispatcher-throughput", c.getInt("poller-dispatcher-throughput"));
    Object warning = c.getValue("blocked-poller-warning").unwrapped();
    blockedPollerWarning =
        "off".equals(warning) || Boolean.FALSE.equals(warning)
            ? null
            : c.getDuration("blocked-poller-warning");
    if (blockedPollerWarning != null && (blockedPollerWarning.isNegative() || blockedPollerWarning.isZero())) {
      throw new IllegalArgumentException("pekko.io.kq.blocked-poller-warning must be > 0 or off");
    }
    managementDispatcher = c.getString("management-dispatcher");
    traceLogging = c.getBoolean("trace-logging");
    nativeEnabled = c.getBoolean("native");
    String fallback = c.getString("fallback");
    if (!fallback.equals("nio") && !fallback.equals("fail")) {
      throw new IllegalArgumentException("pekko.io.kq.fallback must be nio or fail, was " + fallback);
    }
    fallBackToNio = fallback.equals("nio");
    unixDeleteSocketFileOnUnbind = c.getBoolean("unix-domain-socket.delete-socket-file-on-unbind");
    unixDeleteExistingSocketFile = c.getBoolean("unix-domain-socket.delete-existing-socket-file");
    metricsEnabled = c.getBoolean("metrics.enabled");
    slowTurnThreshold = durationOrOff(c, "metrics.slow-turn-threshold");
    tcpSocketOptions = TcpSocketOptionDefaults.read(c.getConfig("tcp.socket-options"));
    if (directBufferPoolLimit < 0) throw new IllegalArgumentException("pekko.io.kq.direct-buffer-pool-limit must be >= 0");
  }

  /**
   * {@code pollers = auto}: one poller per available processor (which follows cgroup limits
   * and taskset), at least one. A poller is one thread, so P pollers give the work on them
   * at most P cores; measured on the default placements, 74 % (actor API) to 100 %
   * (handlers on the pollers) of a request's server CPU is on the poller threads, so fewer
   * pollers than cores would cap a server below its machine, while a poller more than
   * needed cost 11-16 % more CPU per request (two on one core). docs/benchmarks.md, "Scale
   * with cores".
   */
  public static int autoPollers(int availableProcessors) {
    return Math.max(1, availableProcessors);
  }

  /** Reads {@code pekko.io.kq} from an actor system's configuration. */
  public static KqSettings from(Config systemConfig) {
    return new KqSettings(systemConfig.getConfig("pekko.io.kq"));
  }

  private interface IntValue {
    int get();
  }

  private static int unlimitedOr(Config c, String key, IntValue value) {
    return "unlimited".equals(c.getValue(key).unwrapped()) ? Integer.MAX_VALUE : value.get();
  }

  /** A duration > 0, or null for "off". */
  private static Duration durationOrOff(Config c, String key) {
    Object value = c.getValue(key).unwrapped();
    if ("off".equals(value) || Boolean.FALSE.equals(value)) return null;
    Duration d = c.getDuration(key);
    if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("pekko.io.kq." + key + " must be > 0 or off");
    return d;
  }

  private static int bytes(Config c, String key) {
    long v = c.getBytes(key);
    if (v <= 0 || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("pekko.io.kq." + key + " must be > 0 and < 2 GiB, was " + v);
    }
    return (int) v;
  }

  private static int positive(Config c, String key, int v) {
    if (v <= 0) throw new IllegalArgumentException("pekko.io.kq." + key + " must be > 0, was " + v);
    return v;
  }
}
