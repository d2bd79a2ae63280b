package io.pekkokq.socket;

import io.pekkokq.runtime.DirectBufferPool;
import io.pekkokq.runtime.NativeBuffer;
import io.pekkokq.sys.IoVectorArray;
import org.apache.pekko.util.ByteString;

/**
 * Sends the leading byte parts of what is pending with one system call: a lone part held
 * in one heap array, whole or a slice ({@link HeapSlices}), goes out from that array
 * (write(2) through JNI, no copy);
 * otherwise the parts (a CompoundWrite's chunks, one large Write, a stage's gathered
 * elements) are copied into up to {@value #MAX_BUFFERS} pooled direct buffers and go out
 * with write(2) when they fit one buffer, else with one writev(2). Owned by one driver.
 */
final class WriteEngine {
  static final int MAX_BUFFERS = 8;

  private final DirectBufferPool pool;
  /**
   * The buffers and lengths of a gathered write, made by the first write that gathers: a
   * connection that only ever writes whole arrays (an echo, a Streams connection writing
   * its elements as they come) keeps no 100 bytes of arrays for it (bench/conn-cost.sh,
   * live heap after one echo).
   */
  private NativeBuffer[] held;
  private int[] lengths;
  /** The iovec array, made on the first write that spans buffers. */
  private IoVectorArray vectors;
  private long lastOffered;

  WriteEngine(DirectBufferPool pool) {
    this.pool = pool;
  }

  /** How many bytes the last {@link #write} offered to the kernel. */
  long lastOffered() {
    return lastOffered;
  }

  /** One write of the pending byte parts: bytes the kernel took, or -errno. */
  long write(Channel channel, OutboundBytes pending) {
    ByteString head = pending.bytePart(0);
    if (head != null && !head.isEmpty() && pending.bytePart(1) == null) {
      // The common case (an echoed chunk, one element): one array, written from the heap
      // as it is. ByteString1C's toArrayUnsafe is its own array, not a copy; a
      // ByteString1 is a slice of one array (a received part-filled read, a take or drop).
      if (head instanceof ByteString.ByteString1C) {
        byte[] whole = head.toArrayUnsafe();
        lastOffered = whole.length;
        return channel.write(whole, 0, whole.length);
      }
      if (head instanceof ByteString.ByteString1 && HeapSlices.AVAILABLE) {
        ByteString.ByteString1 slice = (ByteString.ByteString1) head;
        lastOffered = slice.length();
        return channel.write(HeapSlices.array(slice), HeapSlices.offset(slice), slice.length());
      }
    }
    int maxBuffers = channel.gathers() ? MAX_BUFFERS : 1;
    if (held == null) {
      held = new NativeBuffer[MAX_BUFFERS];
      lengths = new int[MAX_BUFFERS];
    }
    int used = 0;
    long gathered = 0;
    try {
      NativeBuffer current = null;
      gather:
      for (int i = 0; ; i++) {
        ByteString data = pending.bytePart(i);
        if (data == null) break;
        int offset = 0;
        while (offset < data.size()) {
          if (current == null || !current.buffer.hasRemaining()) {
            if (used == maxBuffers) break gather;
            current = held[used++] = pool.acquire();
            current.buffer.clear();
          }
          int copied = (offset == 0 ? data : data.drop(offset)).copyToBuffer(current.buffer);
          offset += copied;
          gathered += copied;
        }
      }
      lastOffered = gathered;
      if (gathered == 0) return 0;
      for (int i = 0; i < used; i++) lengths[i] = held[i].buffer.position();
      if (used == 1) return channel.write(held[0], lengths[0]);
      if (vectors == null) vectors = new IoVectorArray(MAX_BUFFERS);
      return channel.writev(held, lengths, used, vectors);
    } finally {
      for (int i = 0; i < used; i++) {
        pool.release(held[i]);
        held[i] = null;
      }
    }
  }
}
