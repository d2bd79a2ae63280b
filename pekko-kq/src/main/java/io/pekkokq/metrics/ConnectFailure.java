package io.pekkokq.metrics;

/**
 * Why an outgoing connection could not be made, as {@link ApiMetrics#connectFailures(ConnectFailure)}
 * counts it. A Connect refused by {@code max-channels} is not a connect failure: it never
 * reached the network, and {@link ApiMetrics#maxChannelsRefusals()} counts it.
 */
public enum ConnectFailure {
  /** The peer answered with a reset: nothing listens there (ECONNREFUSED). */
  REFUSED,
  /** The Connect's timeout expired, or the kernel gave up (ETIMEDOUT). */
  TIMED_OUT,
  /** No route to the host or network (EHOSTUNREACH, ENETUNREACH). */
  UNREACHABLE,
  /** The host name could not be resolved. */
  UNRESOLVED,
  /** Anything else (a Unix socket path that does not exist, a bad address...). */
  OTHER
}
