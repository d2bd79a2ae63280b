package io.pekkokq.socket;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where a {@link SocketDriver}'s read loop delivers what it reads, and how the loop ended
 * when the owner has something to do about it. Called on the owner's thread, from {@link
 * SocketDriver#read}.
 */
public interface ReadTarget {
  /** Whether another chunk is wanted now (demand, not suspended). Asked before every read. */
  boolean wantsMore();

  /**
   * One chunk read: {@code data} from position 0 to its limit, valid during this call only
   * (the buffer goes back to the pool). Copy what should be kept.
   */
  void onBytes(ByteBuffer data);

  /** The budget is used up and bytes may remain: continue by yourself (no edge will come). */
  void onBudgetUsed();

  /** The peer closed its side: end of stream. */
  void onEndOfStream();

  /** The read failed; the socket is unusable. */
  void onReadFailure(IOException cause);
}
