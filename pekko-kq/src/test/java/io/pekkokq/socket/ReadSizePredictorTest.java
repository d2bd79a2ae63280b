package io.pekkokq.socket;

import static io.pekkokq.socket.ReadSizePredictor.INITIAL;
import static io.pekkokq.socket.ReadSizePredictor.MIN;
import static io.pekkokq.socket.ReadSizePredictor.next;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The size of a connection's next read array: grows while data outruns it, shrinks after small reads, within its bounds. */
class ReadSizePredictorTest {
  private static final int MAX = 128 * 1024;

  @Test
  void moreDataAfterAFullReadGrowsFourfoldUpToTheChunkLimit() {
    assertEquals(4 * INITIAL, next(INITIAL, 100, true, MAX));
    assertEquals(MAX, next(64 * 1024, 64 * 1024, true, MAX), "capped, not 256 KiB");
    assertEquals(MAX, next(MAX, MAX, true, MAX), "stays at the top");
    assertEquals(100_000, next(64 * 1024, 100_000, true, 100_000), "a limit that is no power of two");
  }

  @Test
  void aReadThatFilledItsArrayAndThenFoundNothingMoreFitted() {
    assertEquals(16 * 1024, next(16 * 1024, 16 * 1024, false, MAX), "an exact fit is kept");
  }

  @Test
  void aReadOfHalfOrLessShrinksByHalfDownToTheMinimum() {
    assertEquals(INITIAL / 2, next(INITIAL, 64, false, MAX));
    assertEquals(8 * 1024, next(16 * 1024, 8 * 1024, false, MAX));
    int size = MAX;
    for (int i = 0; i < 20; i++) size = next(size, 64, false, MAX);
    assertEquals(MIN, size, "many small reads end at the minimum, no lower");
    assertEquals(MIN, next(MIN, 1, false, MAX));
  }

  @Test
  void aReadOfMoreThanHalfKeepsTheSize() {
    assertEquals(16 * 1024, next(16 * 1024, 8 * 1024 + 1, false, MAX));
    assertEquals(16 * 1024, next(16 * 1024, 16 * 1024 - 1, false, MAX));
  }

  @Test
  void aChunkLimitBelowTheMinimumBoundsBothWays() {
    assertEquals(16, next(INITIAL, 16, true, 16), "never above the connection's largest chunk");
    assertEquals(16, next(16, 1, false, 16), "and the minimum gives way to it");
  }

  @Test
  void steadyPiecesSettleOnAnArrayTheyFillMoreThanHalf() {
    for (int piece : new int[] {100, 3000, 16 * 1024, 50_000}) {
      int size = INITIAL;
      for (int round = 0; round < 20; round++) {
        // The read loop: one piece waits; reads of at most the array until a short read.
        int waiting = piece;
        boolean lastFilled = false;
        for (; ; ) {
          int offered = size;
          int n = Math.min(waiting, offered);
          if (n == 0) break; // EAGAIN
          size = next(size, n, lastFilled, MAX);
          lastFilled = n == offered;
          waiting -= n;
          if (n < offered) break; // short: drained
        }
      }
      if (piece <= MIN) assertEquals(MIN, size, piece + " B pieces");
      else assertTrue(piece <= size && piece * 2 > size, piece + " B pieces fill more than half of " + size);
    }
  }

  @Test
  void theSizeIsAlwaysWithinTheBounds() {
    int[] maxima = {1, 7, 512, MIN, 5000, MAX};
    int[] reads = {1, 63, 64, 1000, 4096, 65536, MAX};
    for (int max : maxima) {
      for (int read : reads) {
        for (boolean more : new boolean[] {false, true}) {
          int size = INITIAL;
          for (int i = 0; i < 10; i++) {
            size = next(size, Math.min(read, Math.min(size, max)), more, max);
            assertTrue(size <= max, size + " > max " + max);
            assertTrue(size >= Math.min(MIN, max), size + " < min for max " + max);
          }
        }
      }
    }
  }
}
