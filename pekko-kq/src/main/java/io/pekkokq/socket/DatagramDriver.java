package io.pekkokq.socket;

import io.pekkokq.poll.Interest;
import io.pekkokq.poll.Poller;
import io.pekkokq.poll.ReadyListener;
import io.pekkokq.poll.Registration;
import io.pekkokq.runtime.ChannelBudget;
import io.pekkokq.socket.datagram.DatagramOptions;
import io.pekkokq.socket.datagram.UdpRuntime;
import io.pekkokq.sys.DatagramBatch;
import io.pekkokq.sys.DatagramSocket;
import io.pekkokq.sys.Errno;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.io.Inet;
import org.apache.pekko.util.ByteString;

/**
 * INTERNAL API. The one driver of a UDP socket, beneath both APIs, as {@link SocketDriver}
 * is for byte streams: the Udp and UdpConnected actors ({@code io.udp}) and the Streams
 * datagram stage ({@code stream.impl.DatagramStage}) each own one, call it on their own
 * thread, and only translate what it reports into their protocol. It keeps:
 *
 * <ul>
 *   <li>opening ({@link #bind}, {@link #unbound}, {@link #connect}): the max-channels
 *       place first, then socket, options, bind or connect, as Pekko applies them; on
 *       failure nothing stays open or taken;
 *   <li>readiness memory ({@link Readiness}): edges remembered until EAGAIN spends them;
 *   <li>receiving ({@link #receive}): batches (one recvmmsg each on Linux) into the
 *       thread's {@link UdpRuntime#receiveBatch}, each datagram copied once into the
 *       {@link ByteString} handed on; a datagram the kernel flagged truncated (MSG_TRUNC:
 *       longer than {@code receive-buffer-size}) is dropped with a warning naming its
 *       sender, never handed on cut short;
 *   <li>sending ({@link #enqueue}, {@link #flush}): a queue moved in batches (one sendmmsg
 *       each); every datagram ends in exactly one {@link SendOutcome} call, an oversized
 *       or unresolved one with an IOException that says why;
 *   <li>the end ({@link #close}): registration cancelled before the socket closes, the
 *       max-channels place given back, once.
 * </ul>
 */
public final class DatagramDriver implements AutoCloseable {
  /** Where received datagrams go. */
  public interface Receiver {
    void received(ByteString data, InetSocketAddress sender);
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
  private final LoggingAdapter log;
  private final Readiness readiness = new Readiness();
  private final ArrayDeque<PendingSend> queue = new ArrayDeque<>();
  private Registration registration;
  /** The max-channels place this socket holds, given back on close; null once given. */
  private ChannelBudget place;

  private DatagramDriver(UdpRuntime udp, DatagramSocket socket, ChannelBudget place, LoggingAdapter log) {
    this.udp = udp;
    this.socket = socket;
    this.place = place;
    this.log = log;
    // A new UDP socket can take datagrams at once. Waiting for the poller's first WRITABLE
    // edge let a burst of Sends arriving before it fill the send queue and be refused
    // (KqUdpTest's burst failed 1 run in 5 under load); EAGAIN corrects it at no cost.
    readiness.assumeWritable();
  }

  // ---- opening ---------------------------------------------------------------------

  /** A socket bound to {@code local} (port 0: the kernel picks), options applied around bind. */
  public static DatagramDriver bind(
      UdpRuntime udp, InetSocketAddress local, Iterable<Inet.SocketOption> options, LoggingAdapter log)
      throws IOException {
    requireResolved(local);
    return open(udp, log, () -> DatagramSocket.openFor(local), socket -> {
      DatagramOptions.beforeBind(socket, options, log);
      socket.bind(local);
      DatagramOptions.afterBind(socket, options);
    });
  }

  /**
   * An unbound socket for sending to anyone (the kernel gives it a port at the first
   * send): IPv6 dual-stack, so it reaches IPv4 addresses too (IPv4 only where the kernel
   * has no IPv6).
   */
  public static DatagramDriver unbound(UdpRuntime udp, Iterable<Inet.SocketOption> options, LoggingAdapter log)
      throws IOException {
    return open(udp, log, DatagramSocket::openDualStack, socket -> DatagramOptions.beforeBind(socket, options, log));
  }

  /** A socket connected to {@code remote}, bound first to {@code local} unless null. */
  public static DatagramDriver connect(
      UdpRuntime udp,
      InetSocketAddress remote,
      InetSocketAddress local,
      Iterable<Inet.SocketOption> options,
      LoggingAdapter log)
      throws IOException {
    requireResolved(remote);
    return open(udp, log, () -> DatagramSocket.openFor(remote), socket -> {
      DatagramOptions.beforeBind(socket, options, log);
      if (local != null) socket.bind(local);
      socket.connect(remote);
    });
  }

  private interface Opener {
    DatagramSocket open() throws IOException;
  }

  private interface Setup {
    void apply(DatagramSocket socket) throws IOException;
  }

  private static DatagramDriver open(UdpRuntime udp, LoggingAdapter log, Opener opener, Setup setup)
      throws IOException {
    ChannelBudget budget = udp.runtime().channels();
    budget.reserveOrThrow();
    DatagramSocket socket = null;
    try {
      socket = opener.open();
      setup.apply(socket);
      return new DatagramDriver(udp, socket, budget, log);
    } catch (IOException | RuntimeException e) {
      if (socket != null) socket.close();
      budget.release();
      throw e;
    }
  }

  private static void requireResolved(InetSocketAddress address) throws IOException {
    if (address.isUnresolved()) throw unresolved(address);
  }

  private static IOException unresolved(InetSocketAddress address) {
    return new IOException(unresolvedMessage(address));
  }

  /** Why an unresolved address is refused, for every UDP front-end alike. */
  public static String unresolvedMessage(InetSocketAddress address) {
    return "unresolved address " + address + ": resolve it first (docs/udp.md)";
  }

  public DatagramSocket socket() {
    return socket;
  }

  public InetSocketAddress localAddress() throws IOException {
    return socket.localAddress();
  }

  // ---- readiness -------------------------------------------------------------------

  /** Attaches the socket to {@code poller} once, edge-triggered for reading and writing. */
  public void attach(Poller poller, ReadyListener listener) throws IOException {
    registration = poller.register(socket, Interest.READ_WRITE, listener);
  }

  /** An edge from the poller: remembered until spent. */
  public void onReady(int bits) {
    readiness.remember(bits);
  }

  public boolean readable() {
    return readiness.readable();
  }

  public boolean writable() {
    return readiness.writable();
  }

  // ---- receiving -------------------------------------------------------------------

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
        readiness.readSpent();
        return DRAINED;
      }
      if (n < 0) return n;
      for (int i = 0; i < n; i++) {
        if (batch.truncated(i)) {
          log.warning(
              "dropped a datagram from {}: longer than pekko.io.kq.udp.receive-buffer-size ({} bytes)",
              batch.sender(i), batch.slotSize());
        } else {
          byte[] bytes = new byte[batch.length(i)];
          batch.copyPayload(i, bytes, 0);
          receiver.received(ByteString.fromArrayUnsafe(bytes), batch.sender(i));
        }
      }
      // A short batch met EAGAIN inside the call; a datagram arriving since then is a new
      // edge, so nothing is missed by waiting for it.
      if (n < batch.capacity()) {
        readiness.readSpent();
        return DRAINED;
      }
    }
    return MORE;
  }

  // ---- sending ---------------------------------------------------------------------

  public int queued() {
    return queue.size();
  }

  /**
   * Queues one datagram for {@link #flush}; one to an unresolved address is failed at
   * once through {@code outcome} instead.
   *
   * @return whether it was queued
   */
  public boolean enqueue(PendingSend send, SendOutcome outcome) {
    if (send.target != null && send.target.isUnresolved()) {
      outcome.failed(send, unresolved(send.target));
      return false;
    }
    queue.add(send);
    return true;
  }

  /**
   * Sends what is queued, in order, in batches, until the queue is empty or the kernel's
   * buffer is full (then wait for WRITABLE and call again). A datagram larger than UDP
   * carries fails alone, with its size and the limit; those around it go on.
   *
   * @return true when the queue is empty
   */
  public boolean flush(SendOutcome outcome) {
    DatagramBatch batch = udp.sendBatch();
    int family = socket.family();
    while (!queue.isEmpty() && readiness.writable()) {
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
        ByteBuffer slot = batch.slot(n);
        send.payload.copyToBuffer(slot);
        batch.setSend(n++, size, send.target, family);
      }
      if (n <= 0) continue;
      int result = socket.send(batch, n);
      if (result == -Errno.EAGAIN) {
        readiness.writeSpent();
      } else if (result < 0) {
        PendingSend failed = queue.poll();
        outcome.failed(failed, DatagramSocket.sendError(result, failed.payload.size(), failed.target));
      } else {
        for (int i = 0; i < result; i++) outcome.sent(queue.poll());
      }
    }
    return queue.isEmpty();
  }

  /** Fails every queued send (the owner is closing). */
  public void failQueued(SendOutcome outcome, IOException cause) {
    PendingSend send;
    while ((send = queue.poll()) != null) outcome.failed(send, cause);
  }

  // ---- ending ----------------------------------------------------------------------

  /**
   * Detaches from the poller, then closes the socket, and gives the max-channels place
   * back. Idempotent.
   */
  @Override
  public void close() {
    try {
      if (registration != null) {
        Registration r = registration;
        registration = null;
        r.cancelAndClose();
      } else {
        socket.close();
      }
    } finally {
      ChannelBudget p = place;
      place = null;
      if (p != null) p.release();
    }
  }

  @Override
  public String toString() {
    return "DatagramDriver(" + socket + ", " + readiness + ", " + queue.size() + " queued)";
  }
}
