package io.pekkokq.sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The native array a wait fills with events, read in place: no Java object per event.
 *
 * <p>Each entry is a {@code struct kq_event} of {@code native/include/kq.h}:
 *
 * <pre>
 * offset 0  u64 token   the registration's token (0 for the poller's own sources)
 * offset 8  u32 bits    KQ_EV_* readiness bits, see {@link ReadyBits}
 * offset 12 u32 reserved
 * </pre>
 *
 * IMPORTANT: this must stay consistent with {@code struct kq_event}; {@link NativeLibrary}
 * checks the size at load.
 */
public final class EventArray {
  public static final int EVENT_SIZE = 16;
  private static final int TOKEN_OFFSET = 0;
  private static final int BITS_OFFSET = 8;

  private final ByteBuffer memory;
  private final long address;
  private final int capacity;

  public EventArray(int capacity) {
    if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
    this.capacity = capacity;
    this.memory = ByteBuffer.allocateDirect(capacity * EVENT_SIZE).order(ByteOrder.nativeOrder());
    this.address = NativeMemory.address(memory);
  }

  public int capacity() {
    return capacity;
  }

  /** The native address the wait writes to. */
  long address() {
    return address;
  }

  public long token(int index) {
    return memory.getLong(index * EVENT_SIZE + TOKEN_OFFSET);
  }

  public int bits(int index) {
    return memory.getInt(index * EVENT_SIZE + BITS_OFFSET);
  }
}
