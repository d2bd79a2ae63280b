package io.pekkokq.socket;

import java.util.Arrays;
import org.apache.pekko.util.ByteString;

/**
 * The arrays the read loop reads into, and how a read's bytes become a {@link
 * ByteString} with no copy after the kernel's: a read that filled at least half of its
 * array hands the array over as it is (whole, or a slice of it); a smaller read is copied
 * into an array of its exact size, and the array stays for the next read.
 *
 * <p>Why half: handing over costs a fresh array for the next read, which the JVM zeroes
 * (a pass over its whole length), and keeps the unread rest alive as long as the {@code
 * ByteString}; copying costs a pass over the bytes read ({@code Arrays.copyOf} does not
 * zero). From half full on, the copy passes over at least half as many bytes as the
 * zeroing and the slice wastes at most as much as it holds; {@link ReadSizePredictor}
 * sizes new arrays so that steady reads fill more than half. Small messages (a
 * ping-pong's 64 bytes) thus allocate one exact array each, as before; bulk reads
 * allocate one array each and are never copied.
 *
 * <p>One per thread (the spare is the array that was not handed over), taken once per
 * read loop: the read loop of any connection on that thread uses it, so an idle
 * connection holds no array.
 */
final class ReadArrays {
  private static final ThreadLocal<ReadArrays> OF_THREAD = ThreadLocal.withInitial(ReadArrays::new);

  /** An array not handed over, kept for the next read on this thread; null if none. */
  private byte[] spare;

  private ReadArrays() {}

  static ReadArrays ofThisThread() {
    return OF_THREAD.get();
  }

  /**
   * Bytes a new array has beyond the length asked for. Data often comes in pieces of the
   * very sizes the predictor asks for (16 KiB, 64 KiB): a read of exactly the array's
   * length could be followed by more, so the loop would read again only to learn EAGAIN,
   * one system call per piece (measured: one per 16 KiB in the bench's stream mode, as
   * many as reads). With a little room left, such a read is short and so the last. Eight
   * bytes cost nothing: the JVM rounds an array's size up to eight bytes anyway.
   */
  static final int SLACK = 8;

  /**
   * An array of more than {@code length} and at most twice {@code length} bytes: the
   * spare when it is so long, else a new one of {@code length + SLACK}. Not a longer
   * spare: a read that fits the predicted length would fill less than half of it, and be
   * copied.
   */
  byte[] take(int length) {
    byte[] a = spare;
    return a != null && a.length > length && a.length / 2 <= length ? a : new byte[length + SLACK];
  }

  /** An array taken and not read into (EAGAIN, end, error): kept for the next read. */
  void giveBack(byte[] array) {
    spare = array;
  }

  /**
   * The first {@code n} bytes read into {@code array} (from {@link #take}), as the bytes
   * the owner receives: the array itself when the read filled half of it or more, else an
   * exact copy (and the array is kept). The owner may keep the result for ever: the array
   * handed over is never read into again.
   */
  ByteString received(byte[] array, int n) {
    if (n >= array.length - (array.length >> 1)) {
      if (spare == array) spare = null;
      return n == array.length
          ? ByteString.fromArrayUnsafe(array)
          : ByteString.fromArrayUnsafe(array, 0, n);
    }
    spare = array;
    return ByteString.fromArrayUnsafe(Arrays.copyOf(array, n));
  }

  /** The spare array, for tests. */
  byte[] spare() {
    return spare;
  }
}
