package io.pekkokq.socket;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The addresses this JVM's sharded listeners hold (every {@link ListenerGroup} of more
 * than one shard, of every actor system), so that "port in use" stays an error.
 *
 * <p>Why: the shards set SO_REUSEPORT, and the kernel lets any other socket of the same
 * user that sets it too join their port. Another pekko-kq Bind in this JVM would do just
 * that, silently taking a share of the connections, where Pekko answers CommandFailed.
 * A group claims its address here after binding its first shard and before any shard
 * listens, so a refused Bind never received a connection. Another process of the same
 * user that sets SO_REUSEPORT can still join (as with Netty's option); one that does not
 * gets EADDRINUSE from the kernel, as always.
 *
 * <p>Overlap is judged conservatively: the same port, and the same address or either
 * one the wildcard.
 */
final class ShardedPorts {
  private static final List<InetSocketAddress> HELD = new ArrayList<>();

  private ShardedPorts() {}

  /** What a claim gives back once: the address is free for another sharded Bind. */
  interface Claim {
    void release();
  }

  /**
   * Claims {@code bound} (a concrete port, as the first shard got it).
   *
   * @throws BindException "Address already in use" when a sharded listener of this JVM
   *     holds an overlapping address
   */
  static Claim claim(InetSocketAddress bound) throws BindException {
    synchronized (HELD) {
      for (InetSocketAddress held : HELD) {
        if (overlap(held, bound)) {
          throw new BindException(
              "Address already in use (a sharded listener of this JVM holds " + held + ")");
        }
      }
      HELD.add(bound);
    }
    return new Claim() {
      private boolean released;

      @Override
      public void release() {
        synchronized (HELD) {
          if (released) return;
          released = true;
          HELD.remove(bound);
        }
      }
    };
  }

  private static boolean overlap(InetSocketAddress a, InetSocketAddress b) {
    return a.getPort() == b.getPort()
        && (a.getAddress().isAnyLocalAddress()
            || b.getAddress().isAnyLocalAddress()
            || a.getAddress().equals(b.getAddress()));
  }
}
