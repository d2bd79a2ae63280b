package io.pekkokq.socket.datagram;

import com.typesafe.config.Config;
import io.pekkokq.sys.DatagramBatch;

/**
 * INTERNAL API. The {@code pekko.io.kq.udp} settings (reference.conf, docs/udp.md), shared
 * by KqUdp, KqUdpConnected and the Streams datagram flows.
 */
public final class UdpSettings {
  /** Datagrams one system call moves (recvmmsg / sendmmsg on Linux), 1..64. */
  public final int batchSize;
  /** Payload room per received datagram; a longer one is truncated, reported and dropped. */
  public final int receiveBufferSize;
  /** System calls of receiving per readiness before the socket's actor lets others run. */
  public final int receiveBatchesPerTurn;
  /** Sends an endpoint holds while the kernel's buffer is full; beyond: CommandFailed. */
  public final int sendQueueLimit;

  private UdpSettings(Config c) {
    batchSize = c.getInt("batch-size");
    if (batchSize < 1 || batchSize > DatagramBatch.MAX_CAPACITY) {
      throw new IllegalArgumentException(
          "pekko.io.kq.udp.batch-size must be 1.." + DatagramBatch.MAX_CAPACITY + ", was " + batchSize);
    }
    long receive = c.getBytes("receive-buffer-size");
    if (receive < 1 || receive > 65_536) {
      throw new IllegalArgumentException(
          "pekko.io.kq.udp.receive-buffer-size must be 1 B..64 KiB, was " + receive);
    }
    receiveBufferSize = (int) receive;
    receiveBatchesPerTurn = c.getInt("receive-batches-per-turn");
    if (receiveBatchesPerTurn < 1) {
      throw new IllegalArgumentException("pekko.io.kq.udp.receive-batches-per-turn must be >= 1");
    }
    sendQueueLimit = c.getInt("send-queue-limit");
    if (sendQueueLimit < 1) throw new IllegalArgumentException("pekko.io.kq.udp.send-queue-limit must be >= 1");
  }

  /** Reads {@code pekko.io.kq.udp} from an actor system's configuration. */
  public static UdpSettings from(Config systemConfig) {
    return new UdpSettings(systemConfig.getConfig("pekko.io.kq.udp"));
  }
}
