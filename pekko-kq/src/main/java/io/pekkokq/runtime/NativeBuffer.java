package io.pekkokq.runtime;

import io.pekkokq.sys.NativeMemory;
import java.nio.ByteBuffer;

/**
 * INTERNAL API. A direct buffer with its native address looked up once: pooled
 * ({@link DirectBufferPool}), or owned by one user that needs native memory of its own.
 */
public final class NativeBuffer {
  public final ByteBuffer buffer;
  public final long address;

  public NativeBuffer(int size) {
    this.buffer = ByteBuffer.allocateDirect(size);
    this.address = NativeMemory.address(buffer);
  }

  public int capacity() {
    return buffer.capacity();
  }
}
