package io.pekkokq.socket;

import java.nio.ByteBuffer;

/** Where a {@link SocketDriver}'s read loop delivers what it reads. */
public interface ReadTarget {
  /** Whether another chunk is wanted now (demand, not suspended). Asked before every read. */
  boolean wantsMore();

  /**
   * One chunk read: {@code data} from position 0 to its limit, valid during this call only
   * (the buffer goes back to the pool). Copy what should be kept.
   */
  void onBytes(ByteBuffer data);
}
