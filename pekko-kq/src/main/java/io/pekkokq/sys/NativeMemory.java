package io.pekkokq.sys;

import java.nio.ByteBuffer;

/** Native addresses of direct buffers, so reads and writes pass a long, not an object. */
public final class NativeMemory {
  private NativeMemory() {}

  /** The address of a direct buffer's first byte (not of its position). */
  public static long address(ByteBuffer direct) {
    if (!direct.isDirect()) throw new IllegalArgumentException("not a direct buffer");
    NativeLibrary.ensureAvailable();
    long address = Native.directBufferAddress0(direct);
    if (address <= 0) throw new IllegalStateException("no address for direct buffer: " + address);
    return address;
  }
}
