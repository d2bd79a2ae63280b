package io.pekkokq.metrics;

import java.util.Arrays;

/**
 * The socket counts of one {@link Api} (or of all of them: {@link KqMetrics#total()}), as
 * of one {@link KqMetrics} snapshot. Counts only grow while the actor system lives; the
 * gauges ({@link #openConnections()}, {@link #openListeners()}, {@link
 * #bytesQueuedForWriting()}) go up and down. All zero when {@code pekko.io.kq.metrics.enabled
 * = off}. Immutable. docs/operations.md says what each one means and how to watch it.
 */
public final class ApiMetrics {
  private final Api api;
  private final long[] counts;

  private ApiMetrics(Api api, long[] counts) {
    this.api = api;
    this.counts = counts;
  }

  /**
   * INTERNAL API: a snapshot of {@code counts}, indexed as {@link SocketCounts} says.
   *
   * @param api null for the sum over all APIs
   */
  public static ApiMetrics of(Api api, long[] counts) {
    if (counts.length != SocketCounts.COUNT) {
      throw new IllegalArgumentException("expected " + SocketCounts.COUNT + " counts, got " + counts.length);
    }
    return new ApiMetrics(api, counts.clone());
  }

  /** INTERNAL API: the sum of {@code parts}, counted as {@code api} (null: all). */
  public static ApiMetrics sum(Api api, ApiMetrics... parts) {
    long[] total = new long[SocketCounts.COUNT];
    for (ApiMetrics p : parts) for (int i = 0; i < total.length; i++) total[i] += p.counts[i];
    return new ApiMetrics(api, total);
  }

  /** The API counted here; empty for {@link KqMetrics#total()}. */
  public java.util.Optional<Api> api() {
    return java.util.Optional.ofNullable(api);
  }

  private long get(int index) {
    return counts[index];
  }

  /** Connection sockets open now: accepted, connecting or connected, not yet closed (not listeners). */
  public long openConnections() {
    return Math.max(0, get(SocketCounts.CONNECTIONS_OPENED) - get(SocketCounts.CONNECTIONS_CLOSED));
  }

  /** Connection sockets opened so far (accepted, or opened to connect, whether or not the connect succeeded). */
  public long openedConnections() {
    return get(SocketCounts.CONNECTIONS_OPENED);
  }

  /** Connection sockets closed so far (closed or aborted). */
  public long closedConnections() {
    return get(SocketCounts.CONNECTIONS_CLOSED);
  }

  /** Listening sockets open now. */
  public long openListeners() {
    return Math.max(0, get(SocketCounts.LISTENERS_OPENED) - get(SocketCounts.LISTENERS_CLOSED));
  }

  /** Listening sockets bound so far. */
  public long openedListeners() {
    return get(SocketCounts.LISTENERS_OPENED);
  }

  /** Connections accepted by listeners and kept (those refused by max-channels are not). */
  public long accepted() {
    return get(SocketCounts.ACCEPTED);
  }

  /** Outgoing connections that were established. */
  public long connected() {
    return get(SocketCounts.CONNECTED);
  }

  /** Outgoing connections that failed, whatever the cause. */
  public long connectFailures() {
    long n = 0;
    for (ConnectFailure cause : ConnectFailure.values()) n += connectFailures(cause);
    return n;
  }

  /** Outgoing connections that failed for {@code cause}. */
  public long connectFailures(ConnectFailure cause) {
    return get(SocketCounts.CONNECT_FAILED + cause.ordinal());
  }

  /** Bytes read from sockets (and, for {@link Api#FD_STREAMS}, descriptors). */
  public long bytesRead() {
    return get(SocketCounts.BYTES_READ);
  }

  /** Bytes the kernel took for sending (write, writev and sendfile). */
  public long bytesWritten() {
    return get(SocketCounts.BYTES_WRITTEN);
  }

  /** read(2) calls made, including those that returned EAGAIN, end of stream or an error. */
  public long readCalls() {
    return get(SocketCounts.READ_CALLS);
  }

  /** write(2), writev(2) and sendfile(2) calls made, including those that returned EAGAIN. */
  public long writeCalls() {
    return get(SocketCounts.WRITE_CALLS);
  }

  /** Reads that found nothing to read (EAGAIN): the socket was drained, its next edge brings more. */
  public long readEagain() {
    return get(SocketCounts.READ_EAGAIN);
  }

  /** Writes the kernel took nothing of (EAGAIN): the send buffer was full. */
  public long writeEagain() {
    return get(SocketCounts.WRITE_EAGAIN);
  }

  /** {@link #readEagain()} + {@link #writeEagain()}. */
  public long eagain() {
    return readEagain() + writeEagain();
  }

  /**
   * Bytes handed to pekko-kq for writing that the kernel has not taken yet (a connection
   * actor's pending Write, a stream's gathered elements); files sent with WritePath are not
   * counted. A value that keeps growing means peers read slower than the application writes.
   */
  public long bytesQueuedForWriting() {
    return Math.max(0, get(SocketCounts.QUEUED) - get(SocketCounts.UNQUEUED));
  }

  /** Bind, Connect or accepted connections refused because {@code pekko.io.kq.max-channels} was reached. */
  public long maxChannelsRefusals() {
    return get(SocketCounts.MAX_CHANNELS_REFUSED);
  }

  @Override
  public String toString() {
    return "ApiMetrics(" + (api == null ? "total" : api.name())
        + ", openConnections=" + openConnections() + ", openListeners=" + openListeners()
        + ", accepted=" + accepted() + ", connected=" + connected()
        + ", connectFailures=" + connectFailures() + ", bytesRead=" + bytesRead()
        + ", bytesWritten=" + bytesWritten() + ", readCalls=" + readCalls()
        + ", writeCalls=" + writeCalls() + ", eagain=" + eagain()
        + ", bytesQueuedForWriting=" + bytesQueuedForWriting()
        + ", maxChannelsRefusals=" + maxChannelsRefusals() + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ApiMetrics && ((ApiMetrics) o).api == api && Arrays.equals(((ApiMetrics) o).counts, counts);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(counts) + (api == null ? 0 : api.hashCode());
  }
}
