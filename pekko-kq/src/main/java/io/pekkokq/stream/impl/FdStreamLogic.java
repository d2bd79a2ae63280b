package io.pekkokq.stream.impl;

import io.pekkokq.metrics.Api;
import io.pekkokq.poll.Interest;
import io.pekkokq.runtime.ChannelBudget;
import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.runtime.ConnectFailures;
import io.pekkokq.runtime.KqSettings;
import io.pekkokq.socket.Channel;
import io.pekkokq.socket.Connector;
import io.pekkokq.socket.EdgeCoalescer;
import io.pekkokq.socket.OutboundBytes;
import io.pekkokq.socket.ReadTarget;
import io.pekkokq.socket.SocketDriver;
import io.pekkokq.socket.SocketOptions;
import io.pekkokq.stream.ByteDescriptor;
import io.pekkokq.sys.Socket;
import java.io.IOException;
import io.pekkokq.socket.Endpoints;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;
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
 * It is the ports' logic over the descriptor's {@link SocketDriver}, the same driver a
 * connection actor uses: readiness memory, the read loop, the write engine, half-close,
 * close and abort live there, once.
 *
 * <p>The logic owns its descriptor. It registers it once with a poller (edge-triggered);
 * an {@link EdgeCoalescer} hands a burst of edges to the stage with one async callback.
 *
 * <p>Reading happens only while downstream has demand: one read per pull, so when the
 * stream stops pulling the socket stops being read and the kernel's receive window
 * pushes back on the peer. Writing goes out as elements come, until EAGAIN; upstream is
 * pulled only while fewer than write-buffer-size bytes wait for the socket, and what
 * waits goes out in one system call on the next WRITABLE edge.
 */
public class FdStreamLogic extends TimerGraphStageLogic implements ReadTarget, OutboundBytes {
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

  /** The descriptor given, or null until {@code connect} opens one. */
  private final Channel channel;
  /** The max-channels place the given descriptor holds, given back when it closes; or null. */
  private final ChannelBudget placeHeld;
  private SocketDriver driver;
  private Connector connector;
  private KqRuntime runtime;
  private LoggingAdapter log;
  private int writeBufferSize;
  private EdgeCoalescer edges;
  /** The poller to register with unless this stage runs on a poller's thread; null: any. */
  private io.pekkokq.poll.Poller homePoller;
  /**
   * The one way into the stage from outside its run: each async callback costs a
   * connection some 280 bytes of Pekko state for as long as it lives, so readiness and
   * continuations share one, told apart by its argument (small Integers are cached).
   */
  private AsyncCallback<Integer> callback;
  private boolean continueScheduled;

  private boolean connected;

  private boolean inputDone;
  private boolean outputDone;
  private boolean upstreamFinished;
  private boolean closeWhenWritten;
  private ByteString pending = ByteString.emptyByteString();

  private long lastActivity;
  protected long bytesRead;
  protected long bytesWritten;
  /**
   * An InetSocketAddress, or a UnixAddress for a Unix domain socket: set once a connect
   * (the {@code connect} case) ends; null for a given descriptor.
   */
  protected SocketAddress remoteAddress;
  protected SocketAddress localAddress;
  /** The failure this logic stopped with, if it failed itself. */
  protected Throwable failure;

  /**
   * @param channel the descriptor, or null when {@code connect} creates it (its driver
   *     holds a max-channels place then)
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
    this(shape, in, out, channel == null ? null : new ByteDescriptorChannel(channel), null,
        halfClose, idleTimeout, connect, attributes);
  }

  /**
   * As above, for a descriptor the socket layer gives (an accepted socket).
   *
   * @param placeHeld the max-channels budget {@code channel} holds a place of, or null
   */
  public FdStreamLogic(
      Shape shape,
      Inlet<ByteString> in,
      Outlet<ByteString> out,
      Channel channel,
      ChannelBudget placeHeld,
      boolean halfClose,
      Duration idleTimeout,
      ConnectSpec connect,
      Attributes attributes) {
    super(shape);
    this.in = in;
    this.out = out;
    this.channel = channel;
    this.placeHeld = placeHeld;
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

  /**
   * Which API this stream's socket counts under: a descriptor given to {@code FdStreams}
   * is an fd stream's; an accepted or connected socket (given as a {@link Channel} by the
   * socket layer, or opened by {@code connect}) is the Streams API's.
   */
  private Api api() {
    return channel instanceof ByteDescriptorChannel ? Api.FD_STREAMS : Api.STREAMS;
  }

  // ---- hooks for the stages' materialized values ----------------------------------

  /** Connected (or, for a given descriptor, registered). */
  protected void onConnected() {}

  /** The connected socket, for what a connection object asks of it; null for other descriptors. */
  protected Socket socket() {
    Object d = driver == null ? null : driver.channel().descriptor();
    return d instanceof Socket ? (Socket) d : null;
  }

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
    runtime = KqRuntime.get(system);
    Optional<TcpAttributes.TcpWriteBufferSize> given = attributes.getAttribute(TcpAttributes.TcpWriteBufferSize.class);
    writeBufferSize = given.isPresent() ? given.get().size() : StreamDefaults.get(system).writeBufferSize;
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
        driver =
            new SocketDriver(channel, runtime.bufferPool())
                .holdingPlaceOf(placeHeld)
                .countedIn(api(), runtime.counters(api()));
        // A socket the peer reset before it was handed out has no peer any more: its flow
        // fails here, when materialized (ConnectionKind). The address is not kept: only an
        // idle-timeout message names it, and two addresses held by every idle connection
        // were about 220 bytes of its live heap (bench/conn-cost.sh).
        if (channel.descriptor() instanceof Socket) ((Socket) channel.descriptor()).remoteSocketAddress();
        attach();
        onChannelReady();
      } catch (Throwable e) {
        fail(StreamSupport.tcpException("could not register " + channel + ": " + e, e));
      }
    }
  }

  @Override
  public void postStop() {
    try {
      // The registration first, then the descriptor and its place; a descriptor given to a
      // stage that failed before it made its driver is closed the same way.
      if (driver == null && channel != null) driver = new SocketDriver(channel, null).holdingPlaceOf(placeHeld);
      if (driver != null) driver.close();
    } catch (Throwable e) {
      // A plugged-in descriptor's close() failed: the stream did not end cleanly after all.
      if (failure == null) failure = e;
      else if (failure != e) failure.addSuppressed(e);
    } finally {
      onStopped(); // completes or fails the materialized value, whatever the cleanup threw
    }
  }

  /**
   * An accepted connection's home: the poller of the listener shard that accepted it,
   * used unless the stage runs on a poller's own thread (null: the next poller).
   */
  public FdStreamLogic homePoller(io.pekkokq.poll.Poller poller) {
    this.homePoller = poller;
    return this;
  }

  private void attach() throws IOException {
    int interest = in != null && out != null ? Interest.READ_WRITE : in != null ? Interest.WRITE : Interest.READ;
    edges = new EdgeCoalescer(() -> callback.invoke(READY));
    driver.attach(runtime.pollers().currentOr(homePoller), interest, edges);
  }

  private void onChannelReady() {
    connected = true;
    driver.queued(pending.size());
    // Readiness that arrived with the connect may share its edge: assume both, EAGAIN tells.
    driver.assumeReady();
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
    driver.drainAndDrop(4L * runtime.settings().readBudget);
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
      if (driver != null) driver.abort();
    } catch (RuntimeException e) {
      ex.addSuppressed(e);
    } finally {
      fail(ex);
    }
  }

  // ---- connecting -------------------------------------------------------------------

  private void resolveThenConnect() {
    SocketAddress remote = connect.remote;
    if (!Connector.needsResolution(remote)) {
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
    Connector.resolve(
        (InetSocketAddress) remote,
        materializer().system(),
        runtime.settings().resolveTimeout,
        resolved::invoke,
        resolved::invoke);
  }

  private void startConnect(SocketAddress remote) {
    try {
      connector =
          Connector.start(
              remote,
              connect.local.orElse(null),
              SocketOptions.forClient(
                  runtime.settings().tcpSocketOptions, connect.options, !Endpoints.isUnix(connect.remote)),
              runtime.bufferPool(),
              runtime.channels(),
              Api.STREAMS,
              runtime.counters(Api.STREAMS));
      driver = connector.driver(); // from now on postStop closes it
      attach();
      if (connector.connectedAtOnce()) finishConnect();
    } catch (Throwable e) {
      connectFailed(e);
    }
  }

  /** An edge of the pending connect: it has ended, or (an early edge) not yet. */
  private void finishConnect() {
    try {
      if (!connector.finish()) return; // not yet: wait for the next edge
      Socket socket = connector.socket();
      remoteAddress = socket.remoteSocketAddress();
      localAddress = socket.localSocketAddress();
    } catch (Throwable e) {
      connectFailed(e);
      return;
    }
    connector = null;
    cancelTimer(CONNECT_TIMEOUT);
    onChannelReady();
  }

  private void connectFailed(Throwable cause) {
    cancelTimer(CONNECT_TIMEOUT);
    connector = null;
    Connector.failed(runtime.counters(Api.STREAMS), cause);
    fail(StreamSupport.tcpException("Tcp command [" + connect + "] failed because of " + cause, cause));
  }

  // ---- readiness ------------------------------------------------------------------

  private void onReadyBits() {
    int bits = edges.take();
    if (stopped || bits == 0) return;
    // Remembered even while connecting: the connect's edge may carry the peer's FIN too (it
    // answered and closed at once), and the short read of its last bytes must not be
    // taken for "drained".
    driver.onReady(bits);
    if (connector != null) {
      finishConnect();
      return;
    }
    if (driver.writable() && !pending.isEmpty()) writePending();
    if (driver.readable() && !stopped) doRead();
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
                    + peerForMessage()
                    + "], no bytes passed in the last "
                    + idleTimeout,
                scala.jdk.javaapi.DurationConverters.toScala(idleTimeout)));
      }
    } else if (key == CONNECT_TIMEOUT) {
      if (!connected) {
        connectFailed(ConnectFailures.timeout(connect.connectTimeout));
      }
    }
  }

  /** The peer's address (looked up now for a given socket), or the descriptor when it has none. */
  private Object peerForMessage() {
    if (remoteAddress != null) return remoteAddress;
    Object d = driver.channel().descriptor();
    if (d instanceof Socket) {
      try {
        return ((Socket) d).remoteSocketAddress();
      } catch (IOException e) {
        // reset meanwhile: name the descriptor
      }
    }
    return driver.channel();
  }

  // ---- reading --------------------------------------------------------------------

  /**
   * One read per downstream pull; when downstream has cancelled (half-close drain), reads
   * and drops up to a budget, then continues in a later round.
   */
  private void doRead() {
    if (inputDone || stopped) return;
    KqSettings settings = runtime.settings();
    driver.read(this, settings.maxReceivedMessageSize, settings.readBudget);
  }

  @Override
  public void onBudgetUsed() {
    if (!continueScheduled) {
      continueScheduled = true;
      callback.invoke(CONTINUE); // no new edge comes for data already there
    }
  }

  @Override
  public void onReadFailure(IOException cause) {
    ioFailed(cause);
  }

  /** Asked by the read loop before each read: demand, or the drain after a cancel. */
  @Override
  public boolean wantsMore() {
    return !inputDone && !stopped && (outClosed(out) || outAvailable(out));
  }

  @Override
  public void onBytes(ByteString data) {
    bytesRead += data.size();
    if (outClosed(out)) return; // draining: dropped
    lastActivity = System.nanoTime();
    push(out, data);
  }

  @Override
  public void onEndOfStream() {
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
    if (!connected) return; // onChannelReady queues what gathered until then
    driver.queued(data.size());
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

  /** Writes pending bytes until done or the kernel takes no more (the driver's write engine). */
  private void writePending() {
    if (stopped) return;
    while (driver.writable() && !pending.isEmpty()) {
      long n = driver.write(this);
      if (n < 0) {
        ioFailed(SocketDriver.writeFailure(n));
        return;
      }
      bytesWritten += n;
      pending = pending.drop((int) n);
    }
    if (pending.isEmpty()) {
      if (closeWhenWritten) stop();
      else if (upstreamFinished) finishOutput();
      else maybePull();
    } else {
      maybePull();
    }
  }

  /** The write engine's view of what waits: the elements gathered so far, as one part. */
  @Override
  public ByteString bytePart(int i) {
    return i == 0 && !pending.isEmpty() ? pending : null;
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
      if (!driver.shutdownOutput()) stop();
    } catch (IOException e) {
      stop(); // the peer is gone already: the read side ends with it
    }
  }

  private void ioFailed(IOException cause) {
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
