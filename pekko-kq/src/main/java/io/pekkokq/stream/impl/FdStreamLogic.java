package io.pekkokq.stream.impl;

import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.runtime.DirectBufferPool;
import io.pekkokq.runtime.NativeBuffer;
import io.pekkokq.socket.SocketOptions;
import io.pekkokq.poll.Interest;
import io.pekkokq.poll.Poller;
import io.pekkokq.poll.ReadyListener;
import io.pekkokq.poll.Registration;
import io.pekkokq.stream.ByteDescriptor;
import io.pekkokq.sys.Errno;
import io.pekkokq.sys.ReadyBits;
import io.pekkokq.sys.Socket;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.Shape;
import org.apache.pekko.stream.SubscriptionWithCancelException;
import org.apache.pekko.stream.scaladsl.TcpAttributes;
import org.apache.pekko.stream.scaladsl.TcpIdleTimeoutException;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * INTERNAL API. The one stage logic behind every fd-backed byte stream: a TCP connection
 * (inlet and outlet), a readable descriptor (outlet only) or a writable one (inlet only).
 *
 * <p>The logic owns its descriptor. It registers it once with a poller (edge-triggered);
 * the poller thread ORs the ready bits into {@link #pendingBits} and invokes the async
 * callback only when none were pending, so a burst of edges costs one hop into the
 * stage. Like the connection actor of the IO layer, it remembers readiness
 * ({@link #readable}, {@link #writable}) until a read or write proves it used up: EAGAIN,
 * or a short read/write (a short read is no proof once the peer's FIN was seen).
 *
 * <p>Reading happens only while downstream has demand: one read per pull, so when the
 * stream stops pulling the socket stops being read and the kernel's receive window
 * pushes back on the peer. Writing copies the pending bytes into a pooled direct buffer
 * and writes as elements come, until EAGAIN; upstream is pulled only while fewer than
 * write-buffer-size bytes wait for the socket, and what waits goes out in one system call
 * on the next WRITABLE edge.
 */
public class FdStreamLogic extends TimerGraphStageLogic {
  private static final String IDLE_CHECK = "idle-check";
  private static final String CONNECT_TIMEOUT = "connect-timeout";
  /** Arguments of {@link #callback}: readiness from the poller, or "read on" from ourselves. */
  private static final int READY = 0;
  private static final int CONTINUE = 1;

  private final Inlet<ByteString> in;
  private final Outlet<ByteString> out;
  private final boolean halfClose;
  private final Duration idleTimeout;
  private final ConnectSpec connect;
  private final Attributes attributes;

  protected ByteDescriptor channel;
  private KqRuntime ext;
  private DirectBufferPool pool;
  private Poller poller;
  private Registration registration;
  private LoggingAdapter log;
  private int writeBufferSize;

  private final AtomicInteger pendingBits = new AtomicInteger();
  /**
   * The one way into the stage from outside its run: each async callback costs a
   * connection some 280 bytes of Pekko state for as long as it lives, so readiness and
   * continuations share one, told apart by its argument (small Integers are cached).
   */
  private AsyncCallback<Integer> callback;
  private boolean continueScheduled;

  private boolean connected;
  private boolean readable;
  private boolean writable;
  private boolean hangUpSeen;

  private boolean inputDone;
  private boolean outputDone;
  private boolean upstreamFinished;
  private boolean closeWhenWritten;
  private ByteString pending = ByteString.emptyByteString();

  private long lastActivity;
  protected long bytesRead;
  protected long bytesWritten;
  protected InetSocketAddress remoteAddress;
  protected InetSocketAddress localAddress;
  /** The failure this logic stopped with, if it failed itself. */
  protected Throwable failure;

  /**
   * @param channel the descriptor, or null when {@code connect} creates it
   * @param halfClose for two-way streams: upstream completion half-closes (FIN) instead of
   *     closing, and downstream cancellation keeps draining until the peer closes
   * @param idleTimeout null: none
   * @param connect null when the channel is given
   */
  public FdStreamLogic(
      Shape shape,
      Inlet<ByteString> in,
      Outlet<ByteString> out,
      ByteDescriptor channel,
      boolean halfClose,
      Duration idleTimeout,
      ConnectSpec connect,
      Attributes attributes) {
    super(shape);
    this.in = in;
    this.out = out;
    this.channel = channel;
    this.halfClose = halfClose;
    this.idleTimeout = idleTimeout;
    this.connect = connect;
    this.attributes = attributes;
    this.outputDone = in == null;
    this.inputDone = out == null;
    if (in != null) {
      setHandler(
          in,
          new AbstractInHandler() {
            @Override
            public void onPush() {
              try {
                onElement(grab(in));
              } catch (RuntimeException e) {
                abortWith(e);
              }
            }

            @Override
            public void onUpstreamFinish() {
              upstreamFinished = true;
              try {
                if (connected && pending.isEmpty()) finishOutput();
              } catch (RuntimeException e) {
                abortWith(e);
              }
            }

            @Override
            public void onUpstreamFailure(Throwable ex) {
              abortWith(ex);
            }
          });
    }
    if (out != null) {
      setHandler(
          out,
          new AbstractOutHandler() {
            @Override
            public void onPull() {
              try {
                if (connected) doRead();
              } catch (RuntimeException e) {
                abortWith(e);
              }
            }

            @Override
            public void onDownstreamFinish(Throwable cause) {
              try {
                onCancel(cause);
              } catch (RuntimeException e) {
                abortWith(e);
              }
            }
          });
    }
  }

  // ---- hooks for the stages' materialized values ----------------------------------

  /** Connected (or, for a given descriptor, registered). */
  protected void onConnected() {}

  /** The stage stopped; {@link #failure} is set when it failed. */
  protected void onStopped() {}

  // ---- lifecycle --------------------------------------------------------------------

  @Override
  public void preStart() {
    try {
      start();
    } catch (RuntimeException e) { // e.g. no native library: the materialized value fails with it
      fail(e);
    }
  }

  private void start() {
    setKeepGoing(true);
    ActorSystem system = materializer().system();
    ext = KqRuntime.get(system);
    pool = ext.bufferPool();
    writeBufferSize =
        attributes
            .getAttribute(TcpAttributes.TcpWriteBufferSize.class)
            .map(TcpAttributes.TcpWriteBufferSize::size)
            .orElseGet(() -> StreamSupport.defaultWriteBufferSize(system));
    callback = createAsyncCallback(this::onCallback);
    lastActivity = System.nanoTime();
    if (idleTimeout != null) {
      Duration check = idleTimeout.dividedBy(4);
      if (check.compareTo(Duration.ofMillis(100)) < 0) check = Duration.ofMillis(100);
      if (check.compareTo(idleTimeout) > 0) check = idleTimeout;
      scheduleWithFixedDelay(IDLE_CHECK, check, check);
    }
    if (connect != null) {
      if (connect.connectTimeout != null) scheduleOnce(CONNECT_TIMEOUT, connect.connectTimeout);
      resolveThenConnect();
    } else {
      try {
        if (channel.descriptor() instanceof Socket) {
          Socket s = (Socket) channel.descriptor();
          remoteAddress = s.remoteAddress();
          localAddress = s.localAddress();
        }
        attach(in != null && out != null ? Interest.READ_WRITE : in != null ? Interest.WRITE : Interest.READ);
        onChannelReady();
      } catch (Throwable e) {
        fail(StreamSupport.tcpException("could not register " + channel + ": " + e, e));
      }
    }
  }

  @Override
  public void postStop() {
    try {
      if (registration != null) registration.cancel();
      if (channel != null) channel.close();
    } catch (Throwable e) {
      // A plugged-in descriptor's close() failed: the stream did not end cleanly after all.
      if (failure == null) failure = e;
      else if (failure != e) failure.addSuppressed(e);
    } finally {
      onStopped(); // completes or fails the materialized value, whatever the cleanup threw
    }
  }

  private void attach(int interest) throws IOException {
    poller = ext.pollers().currentOrNext();
    ReadyListener listener =
        bits -> {
          for (; ; ) {
            int prev = pendingBits.get();
            if (pendingBits.compareAndSet(prev, prev | bits | 0x100)) {
              if (prev == 0) callback.invoke(READY);
              return;
            }
          }
        };
    registration = poller.register(channel.descriptor(), interest, listener);
  }

  private void onChannelReady() {
    connected = true;
    // Readiness that arrived with the connect may share its edge: assume both, EAGAIN tells.
    readable = true;
    writable = true;
    onConnected();
    if (upstreamFinished && pending.isEmpty()) finishOutput();
    else if (!pending.isEmpty()) writePending();
    else maybePull();
    if (!stopped && out != null) doRead();
  }

  private boolean stopped;

  private boolean isStopped() {
    return stopped;
  }

  private void stop() {
    stopped = true;
    if (in != null && out != null && connected && !inputDone) drainBeforeClose();
    completeStage();
  }

  /**
   * Reads and drops what the peer has sent so far (bounded), so that the close which
   * follows sends FIN: closing a socket with unread bytes sends RST instead, and an RST
   * may discard the last bytes we wrote before the peer has read them.
   */
  private void drainBeforeClose() {
    NativeBuffer buffer = pool.acquire();
    try {
      long left = 4L * ext.settings().readBudget;
      while (left > 0) {
        int n = channel.read(buffer.address, buffer.capacity());
        if (n <= 0) break;
        left -= n;
      }
    } finally {
      pool.release(buffer);
    }
  }

  private void fail(Throwable ex) {
    if (stopped) return;
    stopped = true;
    failure = ex;
    failStage(ex);
  }

  /**
   * Ends the stream after a failure, including a RuntimeException thrown by a plugged-in
   * descriptor inside a handler: Pekko would fail the stage for it too, but postStop could
   * not tell, and the materialized value would complete as a success.
   */
  private void abortWith(Throwable ex) {
    if (stopped) return;
    try {
      if (registration != null) registration.cancel();
      if (channel != null) channel.abort();
    } catch (RuntimeException e) {
      ex.addSuppressed(e);
    } finally {
      fail(ex);
    }
  }

  // ---- connecting -------------------------------------------------------------------

  private void resolveThenConnect() {
    InetSocketAddress remote = connect.remote;
    if (!remote.isUnresolved()) {
      startConnect(remote);
      return;
    }
    AsyncCallback<Object> resolved =
        createAsyncCallback(
            r -> {
              if (stopped) return;
              if (r instanceof InetSocketAddress) startConnect((InetSocketAddress) r);
              else connectFailed((Throwable) r);
            });
    Executor blocking =
        materializer().system().dispatchers().lookup(ext.settings().fileIoDispatcher);
    CompletableFuture.runAsync(
        () -> {
          try {
            InetAddress ip = InetAddress.getByName(remote.getHostString());
            resolved.invoke(new InetSocketAddress(ip, remote.getPort()));
          } catch (Throwable e) {
            resolved.invoke(e);
          }
        },
        blocking);
  }

  private Socket connecting;
  private InetSocketAddress connectingTo;

  private void startConnect(InetSocketAddress remote) {
    connectingTo = remote;
    try {
      CountedSocket counted = CountedSocket.open(ext, remote);
      channel = counted; // from now on postStop closes it
      Socket socket = counted.socket();
      connecting = socket;
      SocketOptions.beforeBindOrConnect(socket, StreamSupport.scalaOptions(connect.options), log());
      if (connect.local.isPresent()) socket.bind(connect.local.get());
      boolean now = socket.connect(remote);
      // Registered after connect: an unconnected socket reports HUP at once.
      attach(in != null && out != null ? Interest.READ_WRITE : in != null ? Interest.WRITE : Interest.READ);
      if (now) finishConnect();
    } catch (Throwable e) {
      connectFailed(e);
    }
  }

  /** The first edge of a pending connect: it has ended, successfully or not. */
  private void finishConnect() {
    Socket socket = connecting;
    try {
      socket.finishConnect();
      try {
        remoteAddress = socket.remoteAddress();
      } catch (IOException notYet) {
        return; // not connected yet (an early edge): wait for the next one
      }
      localAddress = socket.localAddress();
      StreamSupport.afterConnect(socket, connect.options, log());
    } catch (Throwable e) {
      connectFailed(e);
      return;
    }
    connecting = null;
    cancelTimer(CONNECT_TIMEOUT);
    onChannelReady();
  }

  private void connectFailed(Throwable cause) {
    cancelTimer(CONNECT_TIMEOUT);
    connecting = null;
    fail(StreamSupport.tcpException("Tcp command [" + connect + "] failed because of " + cause, cause));
  }

  // ---- readiness ------------------------------------------------------------------

  private void onReadyBits() {
    int bits = pendingBits.getAndSet(0);
    if (stopped || bits == 0) return;
    if (connecting != null) {
      // The connect's edge may carry the peer's FIN too (it answered and closed at once):
      // keep it, or the short read of its last bytes would be taken for "drained".
      if ((bits & ReadyBits.HANGUP) != 0) hangUpSeen = true;
      finishConnect();
      return;
    }
    if ((bits & ReadyBits.READABLE) != 0) readable = true;
    if ((bits & ReadyBits.WRITABLE) != 0) writable = true;
    if ((bits & ReadyBits.HANGUP) != 0) hangUpSeen = true;
    if ((bits & ReadyBits.ERROR) != 0) {
      readable = true;
      writable = true;
    }
    if (writable && !pending.isEmpty()) writePending();
    if (readable && !stopped) doRead();
  }

  private void onCallback(Integer what) {
    try {
      if (what == READY) {
        onReadyBits();
      } else if (!stopped) { // CONTINUE
        continueScheduled = false;
        doRead();
      }
    } catch (RuntimeException e) {
      abortWith(e);
    }
  }

  /** Made when first needed: most connections never log, and a logger per connection costs. */
  private LoggingAdapter log() {
    if (log == null) log = Logging.getLogger(materializer().system(), FdStreamLogic.class);
    return log;
  }

  @Override
  public void onTimer(Object key) {
    if (stopped) return;
    if (key == IDLE_CHECK) {
      if (System.nanoTime() - lastActivity >= idleTimeout.toNanos()) {
        abortWith(
            new TcpIdleTimeoutException(
                "TCP idle-timeout encountered on connection to ["
                    + (remoteAddress != null ? remoteAddress : channel)
                    + "], no bytes passed in the last "
                    + idleTimeout,
                scala.jdk.javaapi.DurationConverters.toScala(idleTimeout)));
      }
    } else if (key == CONNECT_TIMEOUT) {
      if (!connected) {
        connectFailed(new ConnectException("Connect timeout of " + connect.connectTimeout + " expired"));
      }
    }
  }

  // ---- reading --------------------------------------------------------------------

  /**
   * One read per downstream pull; when downstream has cancelled (half-close drain), reads
   * and drops up to a budget, then continues in a later round.
   */
  private void doRead() {
    int budget = ext.settings().readBudget;
    while (readable && !inputDone && !stopped) {
      boolean discarding = outClosed(out);
      if (!discarding && !outAvailable(out)) return;
      NativeBuffer buffer = pool.acquire();
      int n;
      ByteString data = null;
      try {
        int limit = Math.min(buffer.capacity(), ext.settings().maxReceivedMessageSize);
        n = channel.read(buffer.address, limit);
        if (n > 0) {
          if (!discarding) {
            buffer.buffer.clear().limit(n);
            data = ByteString.fromByteBuffer(buffer.buffer);
          }
          if (n < limit && !hangUpSeen) readable = false;
        }
      } finally {
        pool.release(buffer);
      }
      if (n > 0) {
        bytesRead += n;
        if (discarding) {
          budget -= n;
          if (budget <= 0 && readable) {
            if (!continueScheduled) {
              continueScheduled = true;
              callback.invoke(CONTINUE);
            }
            return;
          }
        } else {
          lastActivity = System.nanoTime();
          push(out, data);
          return;
        }
      } else if (n == 0) {
        readable = false;
        onEndOfStream();
        return;
      } else if (n == -Errno.EAGAIN) {
        readable = false;
        return;
      } else {
        ioFailed("read", n);
        return;
      }
    }
  }

  private void onEndOfStream() {
    inputDone = true;
    if (!outClosed(out)) complete(out);
    if (outputDone) stop();
  }

  private void onCancel(Throwable cause) {
    if (stopped) return;
    if (!(cause instanceof SubscriptionWithCancelException.NonFailureCancellation)) {
      abortWith(cause);
      return;
    }
    if (in == null || outputDone) {
      stop();
    } else if (!connected) {
      if (!halfClose) stop();
    } else if (halfClose) {
      doRead(); // drain and drop until the peer closes; writing goes on
    } else if (pending.isEmpty()) {
      stop();
    } else {
      closeWhenWritten = true;
    }
  }

  // ---- writing --------------------------------------------------------------------

  private void onElement(ByteString data) {
    lastActivity = System.nanoTime();
    if (!data.isEmpty()) pending = pending.isEmpty() ? data : pending.concat(data);
    if (!connected) return;
    // Write as elements come: while the socket takes them there is nothing to gain by
    // waiting, and once it is full (EAGAIN) later elements gather in `pending` and go out
    // together on the WRITABLE edge.
    writePending();
  }

  private void maybePull() {
    if (in != null && connected && !stopped && !isClosed(in) && !hasBeenPulled(in)
        && pending.size() < writeBufferSize) {
      pull(in);
    }
  }

  /** Writes pending bytes until done or the kernel takes no more. */
  private void writePending() {
    if (stopped) return;
    NativeBuffer buffer = null; // taken only when bytes must be copied
    try {
      while (writable && !pending.isEmpty()) {
        int offered;
        int n;
        if (pending instanceof ByteString.ByteString1C) {
          // One element as it came (e.g. an echoed chunk): written from its own array,
          // no copy into a direct buffer.
          byte[] whole = pending.toArrayUnsafe();
          offered = whole.length;
          n = channel.write(whole, 0, offered);
        } else {
          if (buffer == null) buffer = pool.acquire();
          buffer.buffer.clear();
          offered = pending.copyToBuffer(buffer.buffer);
          n = channel.write(buffer.address, offered);
        }
        if (n == -Errno.EAGAIN) {
          writable = false;
        } else if (n < 0) {
          ioFailed("write", n);
          return;
        } else {
          bytesWritten += n;
          pending = pending.drop(n);
          if (n < offered) writable = false; // the send buffer is full until the next edge
        }
      }
    } finally {
      if (buffer != null) pool.release(buffer);
    }
    if (pending.isEmpty()) {
      if (closeWhenWritten) stop();
      else if (upstreamFinished) finishOutput();
      else maybePull();
    } else {
      maybePull();
    }
  }

  /** Everything from upstream is written: half-close or close. */
  private void finishOutput() {
    if (outputDone || stopped) return;
    outputDone = true;
    if (out == null || !halfClose || inputDone || outClosed(out)) {
      stop();
      return;
    }
    try {
      if (!channel.shutdownOutput()) stop();
    } catch (IOException e) {
      stop(); // the peer is gone already: the read side ends with it
    }
  }

  private void ioFailed(String operation, int result) {
    IOException cause = Errno.exception(operation, result);
    String message = cause.getMessage() != null ? cause.getMessage() : cause.toString();
    fail(StreamSupport.tcpException("The connection closed with error: " + message, cause));
  }

  private boolean outClosed(Outlet<ByteString> o) {
    return o == null || isClosed(o);
  }

  private boolean outAvailable(Outlet<ByteString> o) {
    return o != null && isAvailable(o);
  }
}
