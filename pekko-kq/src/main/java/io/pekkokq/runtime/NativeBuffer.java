package io.pekkokq.runtime;

import io.pekkokq.sys.NativeMemory;
import java.nio.ByteBuffer;

/** INTERNAL API. A pooled direct buffer with its native address looked up once. */
public final class NativeBuffer {
  public final ByteBuffer buffer;
  public final long address;

  NativeBuffer(int size) {
    this.buffer = ByteBuffer.allocateDirect(size);
    this.address = NativeMemory.address(buffer);
  }

  public int capacity() {
    return buffer.capacity();
  }
}
