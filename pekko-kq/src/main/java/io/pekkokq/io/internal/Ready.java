package io.pekkokq.io.internal;

import io.pekkokq.poll.ReadyListener;
import io.pekkokq.socket.Readiness;
import io.pekkokq.sys.ReadyBits;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.DeadLetterSuppression;

/**
 * INTERNAL API. "Your descriptor is ready": the message the poller sends a socket actor.
 * It carries no data, only the readiness bits, since the actor owns its descriptor and
 * does the reading itself. One instance per combination of bits exists, so sending costs
 * no allocation beyond the mailbox node.
 */
public final class Ready implements DeadLetterSuppression {
  private static final Ready[] ALL = new Ready[ReadyBits.IO_MASK + 1];

  static {
    for (int i = 0; i < ALL.length; i++) ALL[i] = new Ready(i);
  }

  public final int bits;

  private Ready(int bits) {
    this.bits = bits;
  }

  public static Ready of(int bits) {
    return ALL[bits & ReadyBits.IO_MASK];
  }

  /** {@link Readiness#isReadable}: the one definition (a hang-up counts). */
  public boolean readable() {
    return Readiness.isReadable(bits);
  }

  public boolean writable() {
    return Readiness.isWritable(bits);
  }

  /** A poller listener that tells {@code actor} each readiness. */
  public static ReadyListener tell(ActorRef actor) {
    return bits -> actor.tell(of(bits), ActorRef.noSender());
  }

  @Override
  public String toString() {
    return "Ready" + ReadyBits.toString(bits);
  }

  /**
   * "Connections are pending on shard {@code index}" of a sharded listener (the bits of a
   * listening socket's edge say nothing more). One instance per shard index up to 64.
   */
  public static final class Shard implements DeadLetterSuppression {
    private static final Shard[] FIRST = new Shard[64];

    static {
      for (int i = 0; i < FIRST.length; i++) FIRST[i] = new Shard(i);
    }

    public final int index;

    private Shard(int index) {
      this.index = index;
    }

    public static Shard of(int index) {
      return index < FIRST.length ? FIRST[index] : new Shard(index);
    }

    @Override
    public String toString() {
      return "Ready.Shard(" + index + ")";
    }
  }
}
