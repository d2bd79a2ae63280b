package io.pekkokq.socket;

import io.pekkokq.metrics.SocketCounts;
import io.pekkokq.poll.Interest;
import io.pekkokq.poll.Poller;
import io.pekkokq.poll.ReadyListener;
import io.pekkokq.poll.Registration;
import io.pekkokq.runtime.ChannelBudget;
import io.pekkokq.runtime.SocketCounters;
import io.pekkokq.sys.Errno;
import io.pekkokq.sys.NativeMemory;
import io.pekkokq.sys.Socket;
import io.pekkokq.sys.SocketOption;
import java.io.IOException;
import java.net.BindException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.pekko.event.LoggingAdapter;

/**
 * A listening socket, for both APIs (opened by {@link ListenerGroup#bind}, the one way to
 * bind and listen, sharded or not): remember the
 * "connections pending" edge, and accept in batches (one system call takes up to a
 * batch), each accepted socket taking one max-channels place and getting the Bind's
 * connection options, or being closed at once.
 * It counts, for the metrics, the listener's open and close, each connection accepted and
 * each refused by max-channels (when its group is given counters). A Bind sharded over
 * the pollers is a {@link ListenerGroup} of these, one per listening socket.
 */
public final class Acceptor {
  /** Where accepted sockets go, one by one, in the order the kernel gave them. */
  @FunctionalInterface
  public interface Target {
    /** {@code accepted} holds one max-channels place; its new owner gives it back. */
    void accepted(Socket accepted);
  }

  private final Socket listening;
  private final SocketAddress endpoint;
  private final ChannelBudget budget;
  private final LoggingAdapter log;
  private final ByteBuffer acceptedFds;
  private final long acceptedFdsAddress;
  private final int batch;
  private final SocketFilePolicy files;
  private final SocketOptions options;
  /** Whether the listening socket itself holds a place of {@link #budget}. */
  private boolean holdsPlace;
  /** Whether its open and close are counted as a listener's (false: a group's other shards). */
  private boolean countsListener;
  private Registration registration;
  /** The kernel said connections are pending, and no accept has returned EAGAIN since. */
  private boolean acceptable;
  /** Where this listener is counted; null when it is not. */
  private SocketCounters counters;
  private SocketCounters.Block block;

  private Acceptor(
      Socket listening,
      SocketAddress endpoint,
      int batch,
      SocketFilePolicy files,
      SocketOptions options,
      ChannelBudget budget,
      LoggingAdapter log) {
    this.listening = listening;
    this.options = options;
    this.files = files;
    this.endpoint = endpoint;
    this.batch = batch;
    this.budget = budget;
    this.log = log;
    this.acceptedFds = ByteBuffer.allocateDirect(4 * batch).order(ByteOrder.nativeOrder());
    this.acceptedFdsAddress = NativeMemory.address(acceptedFds);
  }

  static void requireResolved(SocketAddress local) throws java.net.UnknownHostException {
    if (Endpoints.isUnresolved(local)) {
      throw new java.net.UnknownHostException(((java.net.InetSocketAddress) local).getHostString());
    }
  }

  /**
   * A new socket for {@code local} with SO_REUSEADDR (as Java's ServerSocketChannel on
   * Unix), with SO_REUSEPORT's load-balancing form when {@code balanced} (a shard of a
   * {@link ListenerGroup}), {@code options} and the socket file policy applied, bound but
   * not listening: no connection reaches it yet. Closed again when any step fails.
   *
   * @throws io.pekkokq.sys.UnsupportedSocketOptionException naming REUSE_PORT_LB when
   *     {@code balanced} and the platform has no load-balancing reuse-port
   */
  static Socket openBound(SocketAddress local, SocketOptions options, SocketFilePolicy files, boolean balanced)
      throws IOException {
    Socket socket = Endpoints.openStreamSocketFor(local);
    try {
      socket.setOption(SocketOption.REUSE_ADDRESS, true);
      if (balanced) socket.setOption(SocketOption.REUSE_PORT_LB, true);
      options.beforeBindOrConnect(socket);
      if (files.deleteExistingBeforeBind()) Endpoints.removeSocketFile(local);
      Endpoints.bind(socket, local);
      return socket;
    } catch (Throwable e) {
      socket.close();
      throw e;
    }
  }

  /**
   * The acceptor of a socket that listens already.
   *
   * @param holdsPlace whether it gives a place of {@code budget} back on close
   * @param countsListener whether its open and close count as a listener's (one per Bind:
   *     the other shards of a group count only their accepts and refusals)
   */
  static Acceptor listening(
      Socket socket,
      SocketAddress endpoint,
      int batch,
      SocketFilePolicy files,
      SocketOptions options,
      ChannelBudget budget,
      boolean holdsPlace,
      SocketCounters counters,
      boolean countsListener,
      LoggingAdapter log) {
    Acceptor acceptor = new Acceptor(socket, endpoint, batch, files, options, budget, log);
    acceptor.holdsPlace = holdsPlace;
    acceptor.countsListener = countsListener;
    return acceptor.countedIn(counters);
  }

  /** A BindException names the address, as Pekko's does (a Unix socket's names its path already). */
  static BindException namingAddress(BindException e, SocketAddress local) {
    if (Endpoints.isUnix(local)) return e;
    return new BindException("[" + local + "] " + e.getMessage());
  }

  /**
   * Counts this listener as opened now, and from now on its accepts, refusals and close, in
   * {@code counters} (null, or counters that are off: not counted).
   */
  private Acceptor countedIn(SocketCounters counters) {
    this.counters = SocketCounters.active(counters);
    if (countsListener) count(SocketCounts.LISTENERS_OPENED, 1);
    return this;
  }

  private void count(int index, long n) {
    if (counters != null) (block = counters.current(block)).add(index, n);
  }

  /** Attaches the listening socket to {@code poller} for READ ("connections pending"). */
  public void attach(Poller poller, ReadyListener listener) throws IOException {
    registration = poller.register(listening, Interest.READ, listener);
  }

  public Socket socket() {
    return listening;
  }

  /** The "connections pending" edge. */
  public void onReady() {
    acceptable = true;
  }

  public boolean acceptable() {
    return acceptable;
  }

  /**
   * Accepts up to {@code max} pending connections (at most the batch) into {@code target},
   * each with the Bind's connection options set. A connection aborted before it was
   * accepted is skipped. Beyond max-channels, or when its options cannot be set (the peer
   * reset it already), an accepted socket is closed with a warning, and does not count.
   *
   * @return how many went to {@code target}, or -errno when accept failed (e.g. EMFILE:
   *     the connections stay queued in the kernel; try again later, since no new edge
   *     comes for them)
   */
  public int accept(int max, Target target) {
    int handed = 0;
    int limit = Math.min(max, batch);
    while (acceptable && limit > 0 && listening.isOpen()) {
      int n = listening.accept(acceptedFdsAddress, limit);
      if (n == -Errno.EAGAIN) {
        acceptable = false;
        break;
      }
      if (n == -Errno.ECONNABORTED || n == -Errno.EINTR) continue;
      if (n < 0) {
        acceptable = false;
        return handed > 0 ? handed : n;
      }
      for (int i = 0; i < n; i++) {
        Socket accepted = Socket.adopt(acceptedFds.getInt(4 * i));
        if (budget.tryReserve(counters)) {
          if (configured(accepted)) {
            count(SocketCounts.ACCEPTED, 1);
            target.accepted(accepted);
            handed++;
          } else {
            accepted.close();
            budget.release();
          }
        } else {
          log.warning(
              "closing an accepted connection on {}: max-channels ({}) reached", endpoint, budget.limit());
          accepted.close();
        }
      }
      // n < limit does not mean drained: the native batch also stops at ECONNABORTED or
      // EMFILE with connections still queued, and no new edge would come for them. Only
      // EAGAIN says drained, so the next call asks (one system call per burst).
      limit -= n;
    }
    return handed;
  }

  private boolean configured(Socket accepted) {
    try {
      options.configureConnected(accepted);
      return true;
    } catch (IOException e) {
      log.warning("closing an accepted connection on {}: its socket options failed: {}", endpoint, e.getMessage());
      return false;
    }
  }

  /**
   * Cancels the registration, closes the listening socket, removes its socket file when
   * the {@link SocketFilePolicy} says so, and gives its place back, once. Connections
   * already accepted stay open.
   */
  public void close() {
    if (registration != null) {
      registration.cancel();
      registration = null;
    }
    boolean wasOpen = listening.isOpen();
    listening.close();
    if (wasOpen && countsListener) count(SocketCounts.LISTENERS_CLOSED, 1);
    if (wasOpen && files.deleteOnClose()) {
      // Once, right after our own close: a later call must not remove the file of a
      // listener that has bound the path since.
      try {
        Endpoints.removeSocketFile(endpoint);
      } catch (IOException e) {
        log.warning("could not remove the socket file of {}: {}", endpoint, e.getMessage());
      }
    }
    if (holdsPlace) {
      holdsPlace = false;
      budget.release();
    }
  }

  @Override
  public String toString() {
    return "Acceptor(" + endpoint + ", " + listening + ")";
  }
}
