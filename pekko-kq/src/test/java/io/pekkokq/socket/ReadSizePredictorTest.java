package io.pekkokq.socket;

import static io.pekkokq.socket.ReadSizePredictor.INITIAL;
import static io.pekkokq.socket.ReadSizePredictor.MIN;
import static io.pekkokq.socket.ReadSizePredictor.next;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The size of a connection's next read array: grows after full reads, shrinks after small ones, within its bounds. */
class ReadSizePredictorTest {
  private static final int MAX = 128 * 1024;

  @Test
  void aFullReadGrowsFourfoldUpToTheChunkLimit() {
    assertEquals(4 * INITIAL, next(INITIAL, INITIAL, INITIAL, MAX));
    assertEquals(MAX, next(4 * INITIAL, 4 * INITIAL, 4 * INITIAL, MAX), "capped, not 256 KiB");
    assertEquals(MAX, next(MAX, MAX, MAX, MAX), "stays at the top");
    assertEquals(100_000, next(INITIAL * 4, 100_000, 100_000, 100_000), "a limit that is no power of two");
  }

  @Test
  void aReadOfAQuarterOrLessShrinksByHalfDownToTheMinimum() {
    assertEquals(INITIAL / 2, next(INITIAL, 64, MAX, MAX), "the array offered may be longer than the guess");
    assertEquals(INITIAL / 2, next(INITIAL, INITIAL / 4, INITIAL, MAX));
    int size = INITIAL;
    for (int i = 0; i < 20; i++) size = next(size, 64, size, MAX);
    assertEquals(MIN, size, "many small reads end at the minimum, no lower");
    assertEquals(MIN, next(MIN, 1, MIN, MAX));
  }

  @Test
  void aReadBetweenAQuarterAndFullKeepsTheSize() {
    assertEquals(INITIAL, next(INITIAL, INITIAL / 4 + 1, INITIAL, MAX));
    assertEquals(INITIAL, next(INITIAL, INITIAL - 1, INITIAL, MAX));
  }

  @Test
  void aChunkLimitBelowTheMinimumBoundsBothWays() {
    assertEquals(16, next(INITIAL, 16, 16, 16), "never above the connection's largest chunk");
    assertEquals(16, next(16, 1, 16, 16), "and the minimum gives way to it");
  }

  @Test
  void theSizeIsAlwaysWithinTheBounds() {
    int[] maxima = {1, 7, 512, MIN, 5000, MAX};
    int[] reads = {1, 63, 64, 1000, 4096, 65536, MAX};
    for (int max : maxima) {
      for (int read : reads) {
        int size = INITIAL;
        for (int i = 0; i < 10; i++) {
          int offered = Math.min(size, max);
          size = next(size, Math.min(read, offered), offered, max);
          assertTrue(size <= max, size + " > max " + max);
          assertTrue(size >= Math.min(MIN, max), size + " < min for max " + max);
        }
      }
    }
  }
}
