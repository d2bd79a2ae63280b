package io.pekkokq.socket;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.apache.pekko.util.ByteString;

/**
 * The array, offset and length under a {@code ByteString1}, the slice of one heap array
 * that a read handing over a part-filled array produces ({@link ReadArrays}), so the write
 * path can send it from the heap as it does a whole array ({@link WriteEngine}): an echo
 * server writing what it received copies nothing.
 *
 * <p>Pekko offers no public way to reach the array of a slice without copying it, so
 * its two private fields are read through a private lookup (Pekko is an open or unnamed
 * module); they have these names in the Pekko releases this project is tested with
 * (1.1.5, 1.2.1, 1.7.0; ReadArraysTest checks it). Should a Pekko rename them, {@link
 * #AVAILABLE} is false and slices are gathered by copy, as before: slower, never wrong.
 */
final class HeapSlices {
  private static final VarHandle BYTES;
  private static final VarHandle START;
  /** Whether {@link #array} and {@link #offset} work on this Pekko. */
  static final boolean AVAILABLE;

  static {
    VarHandle bytes = null;
    VarHandle start = null;
    try {
      MethodHandles.Lookup lookup =
          MethodHandles.privateLookupIn(ByteString.ByteString1.class, MethodHandles.lookup());
      bytes = lookup.findVarHandle(ByteString.ByteString1.class, "bytes", byte[].class);
      start = lookup.findVarHandle(ByteString.ByteString1.class, "startIndex", int.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      bytes = null; // renamed, or a module that does not open the package: copy instead
      start = null;
    }
    BYTES = bytes;
    START = start;
    AVAILABLE = bytes != null && start != null;
  }

  private HeapSlices() {}

  /** The array under {@code slice}; only when {@link #AVAILABLE}. */
  static byte[] array(ByteString.ByteString1 slice) {
    return (byte[]) BYTES.get(slice);
  }

  /** Where {@code slice}'s bytes start in its {@link #array}; only when {@link #AVAILABLE}. */
  static int offset(ByteString.ByteString1 slice) {
    return (int) START.get(slice);
  }
}
