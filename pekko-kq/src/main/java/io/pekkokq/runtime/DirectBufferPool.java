package io.pekkokq.runtime;

/**
 * INTERNAL API. Direct buffers for reads and writes, reused so the data path allocates
 * no native memory.
 *
 * <p>Each thread keeps the one buffer it released last, and takes it back first: a read
 * burst or a write step acquires and releases on the same thread (a poller, or the
 * dispatcher thread running a connection), so on the data path the buffer never leaves
 * its thread and the pollers share nothing (issue 18: with many pollers on many cores a
 * shared lock per read burst would be contended). Beyond that one, a small synchronized
 * stack shared by all threads, as in Pekko, holds up to {@code limit} more; the writer's
 * gather (several buffers at once) is what reaches it. The cost is one buffer per thread
 * that ever did I/O: the pollers and the dispatcher threads connections run on.
 */
public final class DirectBufferPool {
  private final int bufferSize;
  private final NativeBuffer[] pool;
  private int size;
  /** The calling thread's own buffer, or an empty slot. */
  private final ThreadLocal<NativeBuffer[]> own = ThreadLocal.withInitial(() -> new NativeBuffer[1]);

  public DirectBufferPool(int bufferSize, int limit) {
    this.bufferSize = bufferSize;
    this.pool = new NativeBuffer[limit];
  }

  public NativeBuffer acquire() {
    NativeBuffer[] slot = own.get();
    NativeBuffer mine = slot[0];
    if (mine != null) {
      slot[0] = null;
      return mine;
    }
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
    NativeBuffer[] slot = own.get();
    if (slot[0] == null) {
      slot[0] = buffer;
      return;
    }
    synchronized (this) {
      if (size < pool.length) pool[size++] = buffer;
    }
    // Beyond the limit the buffer is left to the garbage collector.
  }

  /** Buffers in the shared stack (not counting the threads' own): for tests. */
  synchronized int shared() {
    return size;
  }

  public int bufferSize() {
    return bufferSize;
  }
}
