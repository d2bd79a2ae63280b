package io.pekkokq.socket;

import io.pekkokq.metrics.Api;
import io.pekkokq.metrics.SocketCounts;
import io.pekkokq.metrics.jfr.ConnectionClosed;
import io.pekkokq.metrics.jfr.ConnectionOpened;
import io.pekkokq.metrics.jfr.JfrSupport;
import io.pekkokq.poll.Poller;
import io.pekkokq.poll.ReadyListener;
import io.pekkokq.poll.Registration;
import io.pekkokq.runtime.ChannelBudget;
import io.pekkokq.runtime.DirectBufferPool;
import io.pekkokq.runtime.SocketCounters;
import io.pekkokq.sys.Errno;
import io.pekkokq.sys.FileDescriptor;
import java.io.IOException;

/**
 * The one driver of a descriptor, beneath both APIs: no actor, no stage, just the rules.
 * A connection actor ({@code io}) and a stream stage ({@code stream}) each own one and
 * call it on their own thread; it never calls back except into the {@link ReadTarget}
 * of a read. It keeps:
 *
 * <ul>
 *   <li>readiness memory ({@link Readiness}): the edges reported and not yet used up;
 *   <li>the read loop ({@link #read}): straight into the arrays that become the received
 *       {@code ByteString}s ({@link ReadArrays}, sized by {@link ReadSizePredictor}),
 *       until EAGAIN, a short read (drained, unless the peer's FIN was seen), end of
 *       stream, an error, the target wanting no more, or the budget: then the owner must
 *       continue by itself, since no new edge comes for data already there;
 *   <li>the write engine ({@link #write}, {@link #sendFile}): gather, writev, the heap
 *       array fast path, sendfile steps; a short write or EAGAIN spends WRITABLE;
 *   <li>the end: {@link #shutdownOutput()} (half-close), {@link #close()}, {@link #abort()}
 *       (RST), each cancelling the registration before the descriptor closes, and giving
 *       back the max-channels place it holds, once;
 *   <li>the counting ({@link #countedIn}): the one place where a connection's system calls,
 *       bytes, EAGAINs, write queue, open and close are counted for the metrics, and
 *       where its JFR connection events come from, for both APIs.
 * </ul>
 *
 * <p>It knows no address family: TCP and Unix domain stream sockets, pipes and any other
 * byte descriptor go through it alike ({@link Channel}).
 */
public final class SocketDriver {
  /** {@link #read}: drained; the next edge brings more. */
  public static final int READ_DRAINED = 0;
  /** {@link #read}: the target wants no more for now; readiness is kept for later. */
  public static final int READ_PAUSED = 1;
  /** {@link #read}: the budget is used up and data may remain: continue by yourself. */
  public static final int READ_BUDGET_USED = 2;
  /** {@link #read}: the peer closed its side (end of stream). */
  public static final int READ_END = 3;
  /** {@link #read}: the read failed, see {@link #readFailure()}; the socket is unusable. */
  public static final int READ_FAILED = 4;

  private final Channel channel;
  private final DirectBufferPool pool;
  private final Readiness readiness = new Readiness();
  /** Made on the first write that needs it: an idle connection should cost little. */
  private WriteEngine writer;
  private Registration registration;
  /** The max-channels place this descriptor holds, given back on close; null if none. */
  private ChannelBudget place;
  private IOException readFailure;
  /** The length of a new array to read into ({@link ReadSizePredictor}). */
  private int readSize = ReadSizePredictor.INITIAL;
  /**
   * The last read filled its array and no read came back empty since: data after it, in
   * this loop or the next (a stage reads once per pull), outran the array.
   */
  private boolean lastReadFilled;

  /** Where this connection is counted; null when it is not (metrics off, or not opened). */
  private SocketCounters counters;
  /** This thread's block of {@link #counters}, looked up again when the owner's thread changes. */
  private SocketCounters.Block block;
  /** Opened with {@link #countedIn} and not yet closed: the close is counted once. */
  private boolean countedOpen;
  /** Bytes queued for writing by the owner ({@link #queued}) and not yet written. */
  private long queued;
  /**
   * The JFR event of this connection's life, begun at open; null when recording does not
   * want it. It counts the bytes read and written itself: only the event reports them, and
   * two longs in every driver were 16 bytes of each idle connection (bench/conn-cost.sh).
   */
  private ConnectionClosed lifetime;

  public SocketDriver(Channel channel, DirectBufferPool pool) {
    this.channel = channel;
    this.pool = pool;
  }

  /**
   * Counts this descriptor as a connection of {@code api} opened now, and from now on its
   * system calls, bytes and close in {@code counters} (null, or counters that are off: not
   * counted); records the JFR connection events when a recording wants them. Call once,
   * when the owner takes the descriptor.
   */
  public SocketDriver countedIn(Api api, SocketCounters counters) {
    this.counters = SocketCounters.active(counters);
    countedOpen = true;
    count(SocketCounts.CONNECTIONS_OPENED, 1);
    if (JfrSupport.ready()) {
      ConnectionOpened.commit(api.name(), channel);
      lifetime = ConnectionClosed.beginIfWanted(api.name(), channel);
    }
    return this;
  }

  /** Owner thread: adds {@code n} to counter {@code index} ({@link SocketCounts}), when counting. */
  private void count(int index, long n) {
    if (counters != null) (block = counters.current(block)).add(index, n);
  }

  /**
   * The owner took {@code bytes} to write: counted as queued for writing until {@link
   * #write} hands them to the kernel or the descriptor closes. Optional: only the metrics
   * need it.
   */
  public void queued(long bytes) {
    if (bytes <= 0) return;
    queued += bytes;
    count(SocketCounts.QUEUED, bytes);
  }

  /** Makes this driver give back one place of {@code budget} when it closes or aborts. */
  public SocketDriver holdingPlaceOf(ChannelBudget budget) {
    this.place = budget;
    return this;
  }

  public Channel channel() {
    return channel;
  }

  public Readiness readiness() {
    return readiness;
  }

  /** Attaches the descriptor to {@code poller} once, edge-triggered. */
  public void attach(Poller poller, int interest, ReadyListener listener) throws IOException {
    registration = poller.register(channel.descriptor(), interest, listener);
  }

  /** An edge from the poller ({@link io.pekkokq.sys.ReadyBits}): remembered until spent. */
  public void onReady(int bits) {
    readiness.remember(bits);
  }

  /** See {@link Readiness#assumeBoth()}. */
  public void assumeReady() {
    readiness.assumeBoth();
  }

  public boolean readable() {
    return readiness.readable();
  }

  public boolean writable() {
    return readiness.writable();
  }

  public boolean isOpen() {
    return channel.isOpen();
  }

  // ---- reading ---------------------------------------------------------------------

  /**
   * Reads while the descriptor is readable and {@code target} wants more, in chunks of at
   * most {@code chunkLimit} bytes, until {@code budget} bytes were read.
   *
   * @return one of the READ_* results; the target has been told of the three that need
   *     its action ({@link ReadTarget#onBudgetUsed}, {@link ReadTarget#onEndOfStream},
   *     {@link ReadTarget#onReadFailure})
   */
  public int read(ReadTarget target, int chunkLimit, long budget) {
    int result = readLoop(target, chunkLimit, budget);
    if (result == READ_BUDGET_USED) target.onBudgetUsed();
    else if (result == READ_END) target.onEndOfStream();
    else if (result == READ_FAILED) target.onReadFailure(readFailure);
    return result;
  }

  private int readLoop(ReadTarget target, int chunkLimit, long budget) {
    if (!readiness.readable()) return READ_DRAINED;
    if (!target.wantsMore()) return READ_PAUSED;
    int max = Math.min(chunkLimit, pool.bufferSize());
    ReadArrays arrays = ReadArrays.ofThisThread();
    // Counted once per loop, in finally: one look-up of the counters, not one per call.
    int calls = 0;
    long read = 0;
    boolean eagain = false;
    try {
      for (; ; ) {
        // The kernel writes into the array that becomes the ByteString (ReadArrays).
        byte[] array = arrays.take(Math.min(readSize, max));
        int limit = Math.min(array.length, max);
        int n = channel.read(array, 0, limit);
        calls++;
        if (n > 0) {
          read += n;
          readSize = ReadSizePredictor.next(readSize, n, lastReadFilled, max);
          lastReadFilled = n == limit;
          target.onBytes(arrays.received(array, n));
          budget -= n;
          if (n < limit && !readiness.hangUpSeen()) {
            readiness.readSpent();
            return READ_DRAINED;
          }
          if (!target.wantsMore()) return READ_PAUSED;
          if (budget <= 0) return READ_BUDGET_USED;
          continue;
        }
        arrays.giveBack(array);
        lastReadFilled = false; // a full read that found nothing after it fitted
        readiness.readSpent();
        if (n == 0) return READ_END;
        if (n == -Errno.EAGAIN) {
          eagain = true;
          return READ_DRAINED;
        }
        readFailure = readFailure(n);
        return READ_FAILED;
      }
    } finally {
      countReads(calls, read, eagain);
    }
  }

  private void countReads(int calls, long read, boolean eagain) {
    ConnectionClosed life = lifetime;
    if (life != null) life.bytesRead += read;
    if (counters == null) return;
    SocketCounters.Block b = block = counters.current(block);
    b.add(SocketCounts.READ_CALLS, calls);
    if (read > 0) b.add(SocketCounts.BYTES_READ, read);
    if (eagain) b.add(SocketCounts.READ_EAGAIN, 1);
  }

  /** Why the last read returned {@link #READ_FAILED}. */
  public IOException readFailure() {
    return readFailure;
  }

  /** The JDK (and so Pekko) reports a reset seen by read as "Connection reset". */
  private static IOException readFailure(int result) {
    return result == -Errno.ECONNRESET ? new IOException("Connection reset") : Errno.exception("read", result);
  }

  /**
   * Reads and drops up to {@code limit} bytes of what the peer has sent, so that a close
   * which follows sends FIN: closing with unread bytes sends RST, which may discard the
   * last bytes written before the peer has read them.
   */
  public void drainAndDrop(long limit) {
    ReadArrays arrays = ReadArrays.ofThisThread();
    byte[] array = arrays.take(Math.min(ReadSizePredictor.INITIAL, pool.bufferSize()));
    int chunk = Math.min(array.length, pool.bufferSize());
    int calls = 0;
    long read = 0;
    boolean eagain = false;
    try {
      while (limit > 0) {
        int n = channel.read(array, 0, chunk);
        calls++;
        eagain = n == -Errno.EAGAIN;
        if (n <= 0) break;
        read += n;
        limit -= n;
      }
    } finally {
      arrays.giveBack(array);
      countReads(calls, read, eagain);
    }
  }

  // ---- writing ---------------------------------------------------------------------

  /**
   * One write of the leading byte parts of {@code pending}, if the descriptor is writable.
   *
   * @return bytes the kernel took (0 when not writable or it took none: EAGAIN), or
   *     -errno when the write failed ({@link #writeFailure})
   */
  public long write(OutboundBytes pending) {
    if (!readiness.writable()) return 0;
    if (writer == null) writer = new WriteEngine(pool);
    long n = writer.write(channel, pending);
    if (writer.lastOffered() > 0) countWrite(n);
    if (n == -Errno.EAGAIN) {
      readiness.writeSpent();
      return 0;
    }
    if (n >= 0 && n < writer.lastOffered()) readiness.writeSpent(); // full until the next edge
    return n;
  }

  /** One write system call's result: bytes taken, or -errno. */
  private void countWrite(long result) {
    long unqueued = 0;
    if (result > 0) {
      ConnectionClosed life = lifetime;
      if (life != null) life.bytesWritten += result;
      unqueued = Math.min(result, queued);
      queued -= unqueued;
    }
    if (counters == null) return;
    SocketCounters.Block b = block = counters.current(block);
    b.add(SocketCounts.WRITE_CALLS, 1);
    if (result > 0) b.add(SocketCounts.BYTES_WRITTEN, result);
    else if (result == -Errno.EAGAIN) b.add(SocketCounts.WRITE_EAGAIN, 1);
    if (unqueued > 0) b.add(SocketCounts.UNQUEUED, unqueued);
  }

  /** The exception for a failed {@link #write} or {@link #sendFile} result. */
  public static IOException writeFailure(long result) {
    return Errno.exception("write", (int) result);
  }

  /**
   * One sendfile step; blocks on the file's disk, so call it on a blocking pool, and hand
   * its result to {@link #fileStepEnded} on the owner's thread.
   */
  public long sendFile(FileDescriptor file, long position, long count) {
    return channel.sendFile(file, position, count);
  }

  /** Spends WRITABLE when a sendfile step of {@code asked} bytes got EAGAIN or went short. */
  public void fileStepEnded(long result, long asked) {
    countWrite(result);
    if (result == -Errno.EAGAIN || (result >= 0 && result < asked)) readiness.writeSpent();
  }

  // ---- ending ----------------------------------------------------------------------

  /**
   * Half-close: the peer reads end of stream, reading goes on.
   *
   * @return false when this descriptor cannot half-close (the owner closes it instead)
   * @throws IOException when the socket is gone already
   */
  public boolean shutdownOutput() throws IOException {
    return channel.shutdownOutput();
  }

  /** Cancels the registration, so no event of a reused number reaches the owner, then closes. */
  public void close() {
    cancelRegistration();
    try {
      channel.close();
    } finally { // a plugged-in descriptor's close may throw; the place comes back anyway
      givePlaceBack();
      countClose(false);
    }
  }

  /** As {@link #close()}, but a socket resets the peer (SO_LINGER 0: RST, not FIN). */
  public void abort() {
    cancelRegistration();
    try {
      channel.abort();
    } finally {
      givePlaceBack();
      countClose(true);
    }
  }

  /** Once: the connection is closed, what was queued and not written is dropped with it. */
  private void countClose(boolean aborted) {
    if (!countedOpen) return;
    countedOpen = false;
    count(SocketCounts.CONNECTIONS_CLOSED, 1);
    count(SocketCounts.UNQUEUED, queued);
    queued = 0;
    ConnectionClosed life = lifetime;
    lifetime = null;
    if (life != null) life.end(aborted);
  }

  private void cancelRegistration() {
    if (registration != null) {
      registration.cancel();
      registration = null;
    }
  }

  private void givePlaceBack() {
    ChannelBudget p = place;
    place = null;
    if (p != null) p.release();
  }

  @Override
  public String toString() {
    return "SocketDriver(" + channel + ", " + readiness + ")";
  }
}
