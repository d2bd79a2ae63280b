package io.pekkokq.metrics;

/**
 * INTERNAL API. The positions of the socket counters in the {@code long[]} an {@link
 * ApiMetrics} is made of, shared by the counting side ({@code io.pekkokq.runtime.SocketCounters})
 * and the snapshot. Every one is a count that only grows; the gauges of {@link ApiMetrics}
 * (open connections, open listeners, bytes queued) are differences of two of them, so a
 * counter may be written by any thread that owns a socket for a while and summed without
 * locks.
 */
public final class SocketCounts {
  public static final int CONNECTIONS_OPENED = 0;
  public static final int CONNECTIONS_CLOSED = 1;
  public static final int LISTENERS_OPENED = 2;
  public static final int LISTENERS_CLOSED = 3;
  public static final int ACCEPTED = 4;
  public static final int CONNECTED = 5;
  /** CONNECT_FAILED + {@link ConnectFailure#ordinal()}. */
  public static final int CONNECT_FAILED = 6;
  public static final int BYTES_READ = CONNECT_FAILED + 5;
  public static final int BYTES_WRITTEN = BYTES_READ + 1;
  public static final int READ_CALLS = BYTES_READ + 2;
  public static final int WRITE_CALLS = BYTES_READ + 3;
  public static final int READ_EAGAIN = BYTES_READ + 4;
  public static final int WRITE_EAGAIN = BYTES_READ + 5;
  /** Bytes an owner queued for writing. */
  public static final int QUEUED = BYTES_READ + 6;
  /** Bytes that left the write queue: written, or dropped with the socket's close. */
  public static final int UNQUEUED = BYTES_READ + 7;
  public static final int MAX_CHANNELS_REFUSED = BYTES_READ + 8;
  /** How many counters there are. */
  public static final int COUNT = MAX_CHANNELS_REFUSED + 1;

  private SocketCounts() {}
}
