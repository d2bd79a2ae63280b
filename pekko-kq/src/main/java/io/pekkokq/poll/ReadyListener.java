package io.pekkokq.poll;

/**
 * Told by the poller when a registered descriptor is ready. Called on the poller thread,
 * so it must only hand the news on (tell an actor, invoke an async callback) and return:
 * the owner of the descriptor does the reading and writing on its own thread.
 */
@FunctionalInterface
public interface ReadyListener {
  /**
   * @param readyBits {@link io.pekkokq.sys.ReadyBits} READABLE, WRITABLE, HANGUP, ERROR
   */
  void onReady(int readyBits);
}
