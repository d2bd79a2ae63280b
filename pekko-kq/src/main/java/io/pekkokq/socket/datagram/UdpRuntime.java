package io.pekkokq.socket.datagram;

import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.sys.DatagramBatch;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * INTERNAL API. What every UDP front-end of one actor system shares, on top of {@link
 * KqRuntime} (pollers, dispatchers, channel budget): the UDP settings and the datagram
 * batches.
 *
 * <p>Batches are per thread, not per socket: a socket's actor fills or drains a batch
 * within one message and keeps nothing in it afterwards, so the sockets running on one
 * thread (its poller's, by default) share one receive and one send batch, however many
 * sockets there are.
 */
public final class UdpRuntime implements Extension {
  /** A send slot holds any datagram UDP can carry (65,527 bytes) and a byte more. */
  static final int SEND_SLOT_SIZE = 65_536;

  private final KqRuntime runtime;
  private final UdpSettings settings;
  private final ThreadLocal<DatagramBatch> receiveBatches;
  private final ThreadLocal<DatagramBatch> sendBatches;

  private UdpRuntime(ExtendedActorSystem system) {
    this.runtime = KqRuntime.get(system);
    this.settings = UdpSettings.from(system.settings().config());
    int batch = settings.batchSize, receive = settings.receiveBufferSize;
    this.receiveBatches = ThreadLocal.withInitial(() -> new DatagramBatch(batch, receive));
    this.sendBatches = ThreadLocal.withInitial(() -> new DatagramBatch(batch, SEND_SLOT_SIZE));
  }

  public static UdpRuntime get(ActorSystem system) {
    return ID.apply(system);
  }

  public KqRuntime runtime() {
    return runtime;
  }

  public UdpSettings settings() {
    return settings;
  }

  /** The calling thread's receive batch: use it within one message, keep nothing in it. */
  public DatagramBatch receiveBatch() {
    return receiveBatches.get();
  }

  /** The calling thread's send batch: use it within one message, keep nothing in it. */
  public DatagramBatch sendBatch() {
    return sendBatches.get();
  }

  private static final Id ID = new Id();

  private static final class Id extends AbstractExtensionId<UdpRuntime> implements ExtensionIdProvider {
    @Override
    public UdpRuntime createExtension(ExtendedActorSystem system) {
      return new UdpRuntime(system);
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
