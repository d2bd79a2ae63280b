package io.pekkokq.io.internal;

import io.pekkokq.runtime.DirectBufferPool;
import io.pekkokq.runtime.NativeBuffer;
import io.pekkokq.sys.IoVectorArray;
import io.pekkokq.sys.Socket;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * INTERNAL API. Sends the leading byte parts of a pending write with one system call:
 * a lone part held in one whole heap array goes out from that array (write(2) through
 * JNI, no copy); otherwise the parts (a CompoundWrite's chunks, or one large Write) are
 * copied into up to {@value #MAX_BUFFERS} pooled direct buffers, and go out with write(2)
 * when they fit one buffer, else with one writev(2) over the buffers. Owned by one
 * connection actor.
 */
final class GatheringWriter {
  static final int MAX_BUFFERS = 8;

  private final DirectBufferPool pool;
  private final NativeBuffer[] held = new NativeBuffer[MAX_BUFFERS];
  /** The iovec array, made on the first write that spans buffers. */
  private IoVectorArray vectors;
  private long lastGathered;

  GatheringWriter(DirectBufferPool pool) {
    this.pool = pool;
  }

  /** How many bytes the last {@link #write} offered to the kernel. */
  long lastGathered() {
    return lastGathered;
  }

  /** One write of the pending byte parts: bytes the kernel took, or -errno. */
  long write(Socket socket, PendingWrite pending) {
    byte[] whole = soleCompactArray(pending);
    if (whole != null) {
      // The common Write (e.g. an echo of a Received): one array, written from the heap
      // as it is, without a copy into a direct buffer.
      lastGathered = whole.length;
      return socket.write(whole, 0, whole.length);
    }
    int used = 0;
    long gathered = 0;
    try {
      NativeBuffer current = null;
      gather:
      for (Tcp.SimpleWriteCommand part : pending.parts) {
        if (!(part instanceof Tcp.Write)) break;
        ByteString data = part == pending.head() ? pending.headRemaining : ((Tcp.Write) part).data();
        int offset = 0;
        while (offset < data.size()) {
          if (current == null || !current.buffer.hasRemaining()) {
            if (used == MAX_BUFFERS) break gather;
            current = held[used++] = pool.acquire();
            current.buffer.clear();
          }
          int copied = (offset == 0 ? data : data.drop(offset)).copyToBuffer(current.buffer);
          offset += copied;
          gathered += copied;
        }
      }
      lastGathered = gathered;
      if (used == 0) return 0;
      if (used == 1) return socket.write(held[0].address, held[0].buffer.position());
      if (vectors == null) vectors = new IoVectorArray(MAX_BUFFERS);
      vectors.clear();
      for (int i = 0; i < used; i++) vectors.add(held[i].address, held[i].buffer.position());
      return socket.writev(vectors.address(), used);
    } finally {
      for (int i = 0; i < used; i++) {
        pool.release(held[i]);
        held[i] = null;
      }
    }
  }

  /**
   * The array of the head part when it is the only bytes to send and one whole compact
   * array (ByteString1C, whose toArrayUnsafe is its own array, not a copy); else null, and
   * the parts are gathered into direct buffers, which also lets several go out at once.
   */
  private static byte[] soleCompactArray(PendingWrite pending) {
    ByteString data = pending.headRemaining;
    if (!(data instanceof ByteString.ByteString1C) || data.isEmpty()) return null;
    if (pending.parts.size() > 1) {
      java.util.Iterator<Tcp.SimpleWriteCommand> parts = pending.parts.iterator();
      parts.next();
      if (parts.next() instanceof Tcp.Write) return null; // more bytes could join this call
    }
    return data.toArrayUnsafe();
  }
}
