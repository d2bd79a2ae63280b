package io.pekkokq.socket;

import java.io.IOException;
import org.apache.pekko.util.ByteString;

/**
 * Where a {@link SocketDriver}'s read loop delivers what it reads, and how the loop ended
 * when the owner has something to do about it. Called on the owner's thread, from {@link
 * SocketDriver#read}.
 */
public interface ReadTarget {
  /** Whether another chunk is wanted now (demand, not suspended). Asked before every read. */
  boolean wantsMore();

  /**
   * One chunk read, never empty. It is the owner's to keep: the array under it (read into
   * by the kernel, see {@link ReadArrays}) is never written again.
   */
  void onBytes(ByteString data);

  /** The budget is used up and bytes may remain: continue by yourself (no edge will come). */
  void onBudgetUsed();

  /** The peer closed its side: end of stream. */
  void onEndOfStream();

  /** The read failed; the socket is unusable. */
  void onReadFailure(IOException cause);
}
