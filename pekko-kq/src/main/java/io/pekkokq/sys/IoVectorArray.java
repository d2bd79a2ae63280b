package io.pekkokq.sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A reusable native array of {@code struct iovec} (base address, length) for one writev
 * call: a CompoundWrite of many chunks goes out in one system call. Filled by the
 * owner of a socket on its own thread, so it needs no synchronisation.
 *
 * <p>IMPORTANT: layout of {@code struct iovec} on LP64 (Linux, macOS): two 8-byte fields.
 */
public final class IoVectorArray {
  private static final int ENTRY_SIZE = 16;

  private final ByteBuffer memory;
  private final long address;
  private final int capacity;
  private int count;

  public IoVectorArray(int capacity) {
    this.capacity = capacity;
    this.memory = ByteBuffer.allocateDirect(capacity * ENTRY_SIZE).order(ByteOrder.nativeOrder());
    this.address = NativeMemory.address(memory);
  }

  /** Adds one entry; false when the array is full. */
  public boolean add(long baseAddress, int length) {
    if (count == capacity) return false;
    int offset = count * ENTRY_SIZE;
    memory.putLong(offset, baseAddress);
    memory.putLong(offset + 8, length);
    count++;
    return true;
  }

  public void clear() {
    count = 0;
  }

  public int count() {
    return count;
  }

  public int capacity() {
    return capacity;
  }

  public long address() {
    return address;
  }

  /** The native memory itself (for tests and diagnostics). */
  public ByteBuffer memory() {
    return memory;
  }
}
