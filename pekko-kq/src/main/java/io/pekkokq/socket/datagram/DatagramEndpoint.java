package io.pekkokq.socket.datagram;

import io.pekkokq.poll.Interest;
import io.pekkokq.poll.Poller;
import io.pekkokq.poll.ReadyListener;
import io.pekkokq.poll.Registration;
import io.pekkokq.sys.DatagramBatch;
import io.pekkokq.sys.DatagramSocket;
import io.pekkokq.sys.Errno;
import io.pekkokq.sys.ReadyBits;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import org.apache.pekko.util.ByteString;

/**
 * INTERNAL API. The datagram driver: one UDP socket on a poller, with no protocol of its
 * own, so the Udp and UdpConnected actors and the Streams stages all read and write
 * datagrams through it and only translate messages.
 *
 * <p>Readiness is edge-triggered: the endpoint remembers it ({@link #onReady}) until a
 * call meets EAGAIN. Receiving drains the socket in batches (one recvmmsg each, on Linux)
 * into the thread's {@link UdpRuntime#receiveBatch}; sending queues datagrams and moves
 * the queue in batches (one sendmmsg each). Only the thread running the owner may call
 * it (the owner's actor or stage).
 */
public final class DatagramEndpoint implements AutoCloseable {
  /** Where received datagrams go. {@code batch} and {@code i} are valid during the call only. */
  public interface Receiver {
    void received(DatagramBatch batch, int i);

    /** The datagram was longer than receive-buffer-size: it is not delivered. */
    void truncated(DatagramBatch batch, int i);
  }

  /** What became of a queued send. */
  public interface SendOutcome {
    void sent(PendingSend send);

    void failed(PendingSend send, IOException cause);
  }

  /** One queued datagram and what the owner needs to answer for it. */
  public static final class PendingSend {
    public final ByteString payload;
    /** Null on a connected socket: to its peer. */
    public final InetSocketAddress target;
    public final Object command;
    public final Object commander;

    public PendingSend(ByteString payload, InetSocketAddress target, Object command, Object commander) {
      this.payload = payload;
      this.target = target;
      this.command = command;
      this.commander = commander;
    }
  }

  /** {@link #receive} results: the socket is drained (wait for the next edge) or may hold more. */
  public static final int DRAINED = 0;
  public static final int MORE = 1;

  private final UdpRuntime udp;
  private final DatagramSocket socket;
  private final ArrayDeque<PendingSend> queue = new ArrayDeque<>();
  private Registration registration;
  private boolean readable;
  private boolean writable;

  public DatagramEndpoint(UdpRuntime udp, DatagramSocket socket) {
    this.udp = udp;
    this.socket = socket;
  }

  public DatagramSocket socket() {
    return socket;
  }

  /** Attaches the socket to {@code poller}, edge-triggered for reading and writing. */
  public void attach(Poller poller, ReadyListener listener) throws IOException {
    registration = poller.register(socket, Interest.READ_WRITE, listener);
  }

  /** Remembers what the poller reported. */
  public void onReady(int bits) {
    if ((bits & (ReadyBits.READABLE | ReadyBits.ERROR | ReadyBits.HANGUP)) != 0) readable = true;
    if ((bits & (ReadyBits.WRITABLE | ReadyBits.ERROR)) != 0) writable = true;
  }

  public boolean readable() {
    return readable;
  }

  public boolean writable() {
    return writable;
  }

  /**
   * Receives up to {@code batches} batches into {@code receiver}.
   *
   * @return {@link #DRAINED}, {@link #MORE} (the budget ran out while datagrams kept
   *     coming: call again after letting others run), or a -errno the socket reported (on
   *     a connected socket -ECONNREFUSED: the peer's port was unreachable); the socket
   *     stays usable after an error
   */
  public int receive(Receiver receiver, int batches) {
    DatagramBatch batch = udp.receiveBatch();
    for (int b = 0; b < batches; b++) {
      int n = socket.receive(batch, batch.capacity());
      if (n == -Errno.EAGAIN) {
        readable = false;
        return DRAINED;
      }
      if (n < 0) return n;
      for (int i = 0; i < n; i++) {
        if (batch.truncated(i)) receiver.truncated(batch, i);
        else receiver.received(batch, i);
      }
      // A short batch met EAGAIN inside the call; a datagram arriving since then is a new
      // edge, so nothing is missed by waiting for it.
      if (n < batch.capacity()) {
        readable = false;
        return DRAINED;
      }
    }
    return MORE;
  }

  public int queued() {
    return queue.size();
  }

  public void enqueue(PendingSend send) {
    queue.add(send);
  }

  /**
   * Sends what is queued, in order, in batches, until the queue is empty or the kernel's
   * buffer is full (then wait for WRITABLE and call again). Each datagram ends in exactly
   * one {@code outcome} call.
   *
   * @return true when the queue is empty
   */
  public boolean flush(SendOutcome outcome) {
    DatagramBatch batch = udp.sendBatch();
    int family = socket.family();
    while (!queue.isEmpty() && writable) {
      int n = 0;
      for (PendingSend send : queue) {
        if (n == batch.capacity()) break;
        int size = send.payload.size();
        if (size > batch.slotSize()) {
          if (n > 0) break; // send those before it first; it is failed as the head below
          queue.poll();
          outcome.failed(send, DatagramSocket.sendError(-Errno.EMSGSIZE, size, send.target));
          n = -1;
          break;
        }
        java.nio.ByteBuffer slot = batch.slot(n);
        send.payload.copyToBuffer(slot);
        batch.setSend(n++, size, send.target, family);
      }
      if (n <= 0) continue;
      int result = socket.send(batch, n);
      if (result == -Errno.EAGAIN) {
        writable = false;
      } else if (result < 0) {
        PendingSend failed = queue.poll();
        outcome.failed(failed, DatagramSocket.sendError(result, failed.payload.size(), failed.target));
      } else {
        for (int i = 0; i < result; i++) outcome.sent(queue.poll());
      }
    }
    return queue.isEmpty();
  }

  /** Fails every queued send (the endpoint is closing). */
  public void failQueued(SendOutcome outcome, IOException cause) {
    PendingSend send;
    while ((send = queue.poll()) != null) outcome.failed(send, cause);
  }

  /** Detaches from the poller, then closes the socket. Idempotent. */
  @Override
  public void close() {
    if (registration != null) registration.cancelAndClose();
    else socket.close();
  }
}
