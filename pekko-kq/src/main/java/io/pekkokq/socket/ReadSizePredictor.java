package io.pekkokq.socket;

/**
 * How large the next array a connection reads into should be, from what its last read
 * returned (the idea of Netty's AdaptiveRecvByteBufAllocator): a read that filled what it
 * was offered means more is coming, so offer four times as much; a read of a quarter or
 * less means the traffic is small, so offer half. Always within {@link #MIN} and the
 * connection's largest chunk.
 *
 * <p>The size is the state, one int in each {@link SocketDriver}: no object per
 * connection. It only decides the length of a NEW array ({@link ReadArrays}); a thread's
 * spare array, when long enough, is read into whole.
 */
final class ReadSizePredictor {
  /** The smallest array a read asks for: room for a small message in one read. */
  static final int MIN = 1024;
  /** A new connection's first guess. */
  static final int INITIAL = 16 * 1024;

  private ReadSizePredictor() {}

  /**
   * The size after a read of {@code read} bytes into an array of which {@code offered}
   * bytes were offered, when {@code size} was predicted; {@code max} is the connection's
   * largest chunk (it wins over {@link #MIN} when smaller).
   */
  static int next(int size, int read, int offered, int max) {
    int next = size;
    if (read >= offered || read >= size) next = size > max / 4 ? max : size * 4;
    else if (read <= size / 4) next = size / 2;
    return Math.max(Math.min(MIN, max), Math.min(next, max));
  }
}
