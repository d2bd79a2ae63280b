package io.pekkokq.socket;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** How a read's bytes become a ByteString: the array handed over when well filled, else an exact copy. */
class ReadArraysTest {
  /** Each test on its own thread: the spare is per thread, and other tests share this one. */
  private static void onFreshThread(Runnable body) throws Exception {
    Throwable[] failed = new Throwable[1];
    Thread t = new Thread(() -> {
      try {
        body.run();
      } catch (Throwable e) {
        failed[0] = e;
      }
    });
    t.start();
    t.join(30_000);
    assertFalse(t.isAlive(), "the test thread ended");
    if (failed[0] instanceof Error) throw (Error) failed[0];
    if (failed[0] != null) throw new AssertionError(failed[0]);
  }

  private static byte[] filled(byte[] array, int n, char c) {
    Arrays.fill(array, 0, n, (byte) c);
    return array;
  }

  @Test
  void aFullReadHandsTheWholeArrayOverAndTheNextReadGetsAnother() throws Exception {
    onFreshThread(() -> {
      ReadArrays arrays = ReadArrays.ofThisThread();
      byte[] array = arrays.take(8);
      assertEquals(8 + ReadArrays.SLACK, array.length, "room beyond the length asked for");
      ByteString got = arrays.received(filled(array, array.length, 'a'), array.length);
      assertInstanceOf(ByteString.ByteString1C.class, got, "whole: the write path's fast case");
      assertSame(array, got.toArrayUnsafe(), "no copy");
      assertNull(arrays.spare());
      assertNotSame(array, arrays.take(8), "a handed-over array is never read into again");
    });
  }

  @Test
  void aReadOfHalfOrMoreHandsASliceOver() throws Exception {
    onFreshThread(() -> {
      ReadArrays arrays = ReadArrays.ofThisThread();
      byte[] array = arrays.take(8);
      int half = array.length / 2;
      ByteString got = arrays.received(filled(array, half, 'b'), half);
      assertEquals(ByteString.fromString("b".repeat(half)), got);
      assertInstanceOf(ByteString.ByteString1.class, got);
      assertTrue(HeapSlices.AVAILABLE);
      assertSame(array, HeapSlices.array((ByteString.ByteString1) got), "no copy");
      assertEquals(0, HeapSlices.offset((ByteString.ByteString1) got));
      assertNotSame(array, arrays.take(8));
    });
  }

  @Test
  void aSmallReadIsCopiedExactlyAndTheArrayKeptForTheNextRead() throws Exception {
    onFreshThread(() -> {
      ReadArrays arrays = ReadArrays.ofThisThread();
      byte[] array = arrays.take(1024);
      ByteString first = arrays.received(filled(array, 3, 'c'), 3);
      assertInstanceOf(ByteString.ByteString1C.class, first);
      assertEquals(3, first.toArrayUnsafe().length, "an exact array: a small message keeps no big one alive");
      assertSame(array, arrays.spare());
      assertSame(array, arrays.take(array.length / 2), "the spare serves a request of half its length");
      assertNotSame(array, arrays.take(array.length / 2 - 1), "not a shorter one: a read that fits would be copied");
      assertNotSame(array, arrays.take(array.length), "nor one that leaves no room beyond it");
      assertSame(array, arrays.spare(), "the spare stays while another array is used");
      ByteString second = arrays.received(filled(array, 5, 'd'), 5);
      assertEquals(ByteString.fromString("ccc"), first, "the first is not overwritten by the second read");
      assertEquals(ByteString.fromString("ddddd"), second);
      assertNotSame(array, arrays.take(2048), "a spare too short is not used");
    });
  }

  @Test
  void anArrayGivenBackAfterNoReadIsReused() throws Exception {
    onFreshThread(() -> {
      ReadArrays arrays = ReadArrays.ofThisThread();
      byte[] array = arrays.take(64);
      arrays.giveBack(array);
      assertSame(array, arrays.take(64));
    });
  }
}
