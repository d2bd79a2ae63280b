package io.pekkokq.runtime;

/**
 * INTERNAL API. Direct buffers for reads and writes, reused so the data path allocates
 * no native memory. A small synchronized stack, as in Pekko: acquire and release happen
 * once per read burst or write step, never per byte, so the lock is cheap and
 * uncontended in practice.
 */
public final class DirectBufferPool {
  private final int bufferSize;
  private final NativeBuffer[] pool;
  private int size;

  public DirectBufferPool(int bufferSize, int limit) {
    this.bufferSize = bufferSize;
    this.pool = new NativeBuffer[limit];
  }

  public NativeBuffer acquire() {
    synchronized (this) {
      if (size > 0) {
        NativeBuffer b = pool[--size];
        pool[size] = null;
        return b;
      }
    }
    return new NativeBuffer(bufferSize);
  }

  public void release(NativeBuffer buffer) {
    buffer.buffer.clear();
    synchronized (this) {
      if (size < pool.length) pool[size++] = buffer;
    }
    // Beyond the limit the buffer is left to the garbage collector.
  }

  public int bufferSize() {
    return bufferSize;
  }
}
