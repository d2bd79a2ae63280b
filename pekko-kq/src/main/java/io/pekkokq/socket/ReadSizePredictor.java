package io.pekkokq.socket;

/**
 * How large the next array a connection reads into should be, from what its reads
 * returned (after Netty's AdaptiveRecvByteBufAllocator): the aim is an array that the
 * usual read fills, or fills more than half of, so that it is handed over as it is
 * ({@link ReadArrays}) and not copied.
 *
 * <ul>
 *   <li>grow fourfold when a read that filled its array was followed by a read that found
 *       more data (the data comes in larger pieces than the array), whether in the same
 *       read loop or the next one (a stream stage reads once per pull);
 *   <li>halve when a read took half of the predicted size or less: the traffic is smaller;
 *   <li>otherwise keep it: in particular a read that filled its array exactly and then
 *       found nothing more (EAGAIN) fitted.
 * </ul>
 *
 * Always within {@link #MIN} and the connection's largest chunk. The size is the state,
 * one int in each {@link SocketDriver}: no object per connection.
 */
final class ReadSizePredictor {
  /** The smallest array a read asks for: room for a small message in one read. */
  static final int MIN = 1024;
  /** A new connection's first guess. */
  static final int INITIAL = 2048;

  private ReadSizePredictor() {}

  /**
   * The size after a read of {@code read} bytes when {@code size} was predicted;
   * {@code moreAfterFull}: the read before it filled its array. {@code
   * max} is the connection's largest chunk (it wins over {@link #MIN} when smaller).
   */
  static int next(int size, int read, boolean moreAfterFull, int max) {
    int next = size;
    if (moreAfterFull) next = size > max / 4 ? max : size * 4;
    else if (read <= size / 2) next = size / 2;
    return Math.max(Math.min(MIN, max), Math.min(next, max));
  }
}
