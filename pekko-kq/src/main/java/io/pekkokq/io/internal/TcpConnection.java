package io.pekkokq.io.internal;

import io.pekkokq.runtime.DirectBufferPool;
import io.pekkokq.runtime.NativeBuffer;
import io.pekkokq.socket.SocketOptions;
import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.runtime.KqSettings;
import io.pekkokq.poll.Interest;
import io.pekkokq.poll.Poller;
import io.pekkokq.poll.Registration;
import io.pekkokq.poll.ScheduledTimer;
import io.pekkokq.sys.Descriptors;
import io.pekkokq.sys.Errno;
import io.pekkokq.sys.FileDescriptor;
import io.pekkokq.sys.Socket;
import io.pekkokq.sys.SocketOption;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * INTERNAL API. One TCP connection: the actor that owns the socket's descriptor, reads and
 * writes it on its own thread, and speaks Pekko's {@code Tcp} protocol to its handler.
 *
 * <p>Readiness is edge-triggered (the descriptor is attached once, never re-armed), so
 * this actor keeps what the kernel told it: {@link #readable} and {@link #writable} stay
 * true until a read or write proves otherwise (EAGAIN, or a short read/write, after which
 * the kernel signals the next edge). Suspending reads costs no system call: readiness is
 * remembered and used on resume.
 *
 * <p>States, in lifecycle order: {@link #waitingForRegistration}, {@link #connected}; the
 * closing phases (peer closed with keep-open, closing with a pending write, waiting for the
 * peer's FIN after ConfirmedClose) are flags of the connected state, checked where they
 * change behaviour. Subclasses create or adopt the socket: {@link TcpOutgoingConnection},
 * {@link TcpIncomingConnection}.
 */
abstract class TcpConnection extends AbstractActor {
  protected final KqRuntime ext;
  protected final KqSettings settings;
  /** Made when first needed: logging is rare, and ten thousand idle connections add up. */
  private LoggingAdapter log;
  protected final boolean pullMode;
  private final DirectBufferPool pool;
  private final Executor blockingPool;
  /** Made on the first write: an idle connection should cost as little as possible. */
  private GatheringWriter writer;

  protected Socket socket;
  protected Registration registration;
  protected final Poller poller;

  // Readiness the kernel reported and we have not used up yet (edge-triggered).
  private boolean readable;
  private boolean writable;
  private boolean hangUpSeen;
  /** Push mode: SuspendReading. Pull mode: true until a ResumeReading asks for one read. */
  private boolean readingSuspended;

  private ActorRef handler;
  private boolean keepOpenOnPeerClosed;
  private boolean useResumeWriting = true;
  private ScheduledTimer registerTimeout;

  private PendingWrite pendingWrite;
  private boolean writingSuspended;
  private ActorRef interestedInResume;
  private FileTransfer fileTransfer;
  /** A transfer waiting for the socket to become writable again. */
  private FileTransfer pausedFile;

  private boolean peerClosed;
  private boolean outputShutdown;
  /** Set once a close command arrived; the event to send when closing completes. */
  private Tcp.ConnectionClosed closingWith;
  private ActorRef closeCommander;
  /** Who gets the close event when this actor stops, and which event. */
  private final Set<ActorRef> notifyOnStop = new LinkedHashSet<>(2);
  private Tcp.ConnectionClosed stopEvent;

  TcpConnection(KqRuntime ext, Poller poller, boolean pullMode) {
    this.ext = ext;
    this.poller = poller;
    this.settings = ext.settings();
    this.pool = ext.bufferPool();
    this.blockingPool = getContext().getSystem().dispatchers().lookup(settings.fileIoDispatcher);
    this.pullMode = pullMode;
    this.readingSuspended = pullMode;
  }

  // ---- STATES --------------------------------------------------------------------------

  /** Connected, waiting for the handler's Register; reads are held back until then. */
  protected Receive waitingForRegistration(ActorRef commander) {
    return receiveBuilder()
        .match(Tcp.Register.class, r -> register(r, commander))
        .match(Ready.class, this::remember)
        .matchEquals(Tcp.SuspendReading$.MODULE$, m -> readingSuspended = true)
        .matchEquals(Tcp.ResumeReading$.MODULE$, m -> readingSuspended = false)
        .match(Tcp.CloseCommand.class, c -> {
          handler = commander;
          close(c, getSender());
        })
        .matchEquals(IoMessages.REGISTER_TIMEOUT, m -> {
          if (settings.traceLogging) log().debug("no Register within {}, closing", settings.registerTimeout);
          getContext().stop(getSelf());
        })
        .match(Terminated.class, t -> getContext().stop(getSelf()))
        .build();
  }

  /**
   * Registered: bytes flow both ways; close commands and peer events end it. One case
   * that dispatches by type: a connection lives in this state for as long as it is open,
   * and a ReceiveBuilder chain of its ten cases held about 1 KiB of heap per connection
   * (case objects, lambdas, orElse links; bench/ hold mode, class histogram), a third of
   * all an idle connection costs.
   */
  private Receive connected() {
    return receiveBuilder().matchAny(this::onConnectedMessage).build();
  }

  private void onConnectedMessage(Object message) throws Exception {
    if (message instanceof Ready) {
      onReady((Ready) message);
    } else if (message instanceof Tcp.WriteCommand) {
      onWrite((Tcp.WriteCommand) message);
    } else if (IoMessages.CONTINUE_READING.equals(message)) {
      doRead();
    } else if (Tcp.SuspendReading$.MODULE$.equals(message)) {
      readingSuspended = true;
    } else if (Tcp.ResumeReading$.MODULE$.equals(message)) {
      resumeReading();
    } else if (Tcp.ResumeWriting$.MODULE$.equals(message)) {
      resumeWriting();
    } else if (message instanceof Tcp.CloseCommand) {
      close((Tcp.CloseCommand) message, getSender());
    } else if (message instanceof IoMessages.FileStepDone) {
      onFileStep((IoMessages.FileStepDone) message);
    } else if (message instanceof Terminated) {
      getContext().stop(getSelf());
    } else {
      unhandled(message);
    }
  }

  // ---- AUXILIARIES and IMPLEMENTATION --------------------------------------------------

  protected LoggingAdapter log() {
    if (log == null) log = Logging.getLogger(getContext().getSystem(), this);
    return log;
  }

  /** Attaches the socket to its poller, once, for both directions. */
  protected void attach() throws IOException {
    registration = poller.register(socket, Interest.READ_WRITE, Ready.tell(getSelf()));
  }

  /** TCP_NODELAY on, the user's options, Connected to the commander, wait for Register. */
  protected void completeConnect(
      ActorRef commander, scala.collection.immutable.Iterable<org.apache.pekko.io.Inet.SocketOption> options)
      throws IOException {
    try {
      socket.setOption(SocketOption.TCP_NO_DELAY, true); // Pekko's default
    } catch (IOException e) {
      log().debug("could not enable TCP_NODELAY: {}", e.getMessage());
    }
    SocketOptions.afterConnect(socket, options);
    InetSocketAddress remote = socket.remoteAddress();
    InetSocketAddress local = socket.localAddress();
    commander.tell(new Tcp.Connected(remote, local), getSelf());
    getContext().watch(commander);
    if (settings.registerTimeout != null) {
      ActorRef self = getSelf();
      registerTimeout =
          poller.schedule(
              settings.registerTimeout.toNanos(), TimeUnit.NANOSECONDS,
              () -> self.tell(IoMessages.REGISTER_TIMEOUT, ActorRef.noSender()));
    }
    getContext().become(waitingForRegistration(commander));
  }

  private void register(Tcp.Register r, ActorRef commander) {
    if (registerTimeout != null) {
      registerTimeout.cancel();
      registerTimeout = null; // held for the connection's whole life otherwise
    }
    handler = r.handler();
    if (!pullMode) readingSuspended = false; // as in Pekko, Register resumes push reading
    keepOpenOnPeerClosed = r.keepOpenOnPeerClosed();
    useResumeWriting = r.useResumeWriting();
    if (!handler.equals(commander)) getContext().unwatch(commander);
    getContext().watch(handler);
    getContext().become(connected());
    if (closingWith == null) doRead();
  }

  /**
   * A connect just completed: the send buffer is empty, so the socket is writable, and
   * data may already be waiting. Say so explicitly: the edges that told us were consumed
   * by the connecting phase, and edge-triggered readiness does not repeat itself.
   */
  protected void assumeReadyAfterConnect(Ready connectEdge) {
    writable = true;
    readable = true;
    if (connectEdge != null) remember(connectEdge); // e.g. the peer's FIN came with it
  }

  private void remember(Ready ready) {
    if (ready.readable()) readable = true;
    if (ready.writable()) writable = true;
    if ((ready.bits & io.pekkokq.sys.ReadyBits.HANGUP) != 0) hangUpSeen = true;
  }

  private void onReady(Ready ready) {
    remember(ready);
    if (ready.writable()) doWrite();
    if (ready.readable()) doRead();
  }

  private void resumeReading() {
    readingSuspended = false;
    doRead();
  }

  /**
   * Reads while the kernel has data, reading is wanted and the budget lasts. A read
   * shorter than asked means the socket was drained (the kernel will signal the next
   * arrival), unless the peer's FIN was seen: then we read on to the end of stream.
   */
  private void doRead() {
    if (!readable || readingSuspended || peerClosed || handler == null || !socket.isOpen()) return;
    NativeBuffer buffer = pool.acquire();
    try {
      int limit = settings.maxReceivedMessageSize;
      int budget = settings.readBudget;
      for (; ; ) {
        int n = socket.read(buffer.address, limit);
        if (n > 0) {
          buffer.buffer.clear().limit(n);
          handler.tell(new Tcp.Received(ByteString.fromByteBuffer(buffer.buffer)), getSelf());
          budget -= n;
          if (pullMode) readingSuspended = true; // one Received per ResumeReading
          if (n < limit && !hangUpSeen) {
            readable = false;
            return;
          }
          if (pullMode) return;
          if (budget <= 0) {
            getSelf().tell(IoMessages.CONTINUE_READING, ActorRef.noSender());
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
          // The JDK (and so Pekko) reports a reset seen by read as "Connection reset".
          onIoError(n == -Errno.ECONNRESET ? new IOException("Connection reset") : Errno.exception("read", n));
          return;
        }
      }
    } finally {
      pool.release(buffer);
    }
  }

  private void onEndOfStream() {
    peerClosed = true;
    if (outputShutdown) {
      // Our FIN went out after a ConfirmedClose; the peer's FIN confirms it.
      closeNow(Tcp.ConfirmedClosed$.MODULE$);
    } else if (closingWith != null) {
      // A Close is waiting for a write to drain; the peer is gone already.
      if (pendingWrite == null) closeNow(closingWith);
    } else {
      startClosing(Tcp.PeerClosed$.MODULE$, null);
    }
  }

  private void onWrite(Tcp.WriteCommand write) {
    ActorRef sender = getSender();
    if (closingWith != null || outputShutdown) {
      sender.tell(failed(write, "Dropping write because the connection is closing"), getSelf());
    } else if (writingSuspended) {
      sender.tell(failed(write, "Dropping write because writing is suspended"), getSelf());
    } else if (pendingWrite != null) {
      sender.tell(failed(write, "Dropping write because queue is full"), getSelf());
      if (useResumeWriting) writingSuspended = true;
    } else if (!PendingWrite.isEmptyNoAck(write)) {
      pendingWrite = new PendingWrite(sender, write);
      doWrite();
    }
  }

  private Tcp.CommandFailed failed(Tcp.Command command, String why) {
    return new Tcp.CommandFailed(command).withCause(new QuietIOException(why));
  }

  /**
   * Writes the pending write's parts in order until done or the kernel refuses more.
   * Consecutive byte parts go out together in one system call ({@link GatheringWriter}).
   */
  private void doWrite() {
    while (pendingWrite != null && socket.isOpen()) {
      Tcp.SimpleWriteCommand head = pendingWrite.head();
      if (head == null) {
        writeCompleted();
        return;
      }
      if (head instanceof Tcp.Write) {
        if (pendingWrite.headRemaining.isEmpty()) {
          pendingWrite.completeHead(getSelf());
          continue;
        }
        if (!writable) return;
        if (!writeBytes()) return;
      } else {
        if (!writable || fileTransfer != null) return;
        if (pausedFile != null) {
          fileTransfer = pausedFile; // the socket took more: continue where it stopped
          pausedFile = null;
          nextFileStep();
        } else {
          startFileTransfer(head);
        }
        return;
      }
    }
  }

  /** One gathered write; false when the socket is full, failed, or the write must wait. */
  private boolean writeBytes() {
    if (writer == null) writer = new GatheringWriter(pool);
    long n = writer.write(socket, pendingWrite);
    if (n == -Errno.EAGAIN) {
      writable = false;
      return false;
    }
    if (n < 0) {
      onIoError(Errno.exception("write", (int) n));
      return false;
    }
    consume(n);
    if (n < writer.lastGathered()) {
      writable = false; // short write: the send buffer is full until the next edge
      return false;
    }
    return true;
  }

  /** Marks {@code n} bytes as handed to the kernel, acking every part they complete. */
  private void consume(long n) {
    while (n > 0) {
      ByteString remaining = pendingWrite.headRemaining;
      if (n >= remaining.size()) {
        n -= remaining.size();
        pendingWrite.completeHead(getSelf());
        // Empty parts right behind a completed one are done too (acks in order).
        while (pendingWrite.head() instanceof Tcp.Write && pendingWrite.headRemaining.isEmpty()) {
          pendingWrite.completeHead(getSelf());
        }
      } else {
        pendingWrite.headRemaining = remaining.drop((int) n);
        n = 0;
      }
    }
  }

  private void writeCompleted() {
    pendingWrite = null;
    if (interestedInResume != null) {
      writingSuspended = false;
      interestedInResume.tell(Tcp.WritingResumed$.MODULE$, getSelf());
      interestedInResume = null;
    }
    if (closingWith != null) continueClosing();
  }

  private void resumeWriting() {
    if (interestedInResume != null) {
      getSender().tell(new Tcp.CommandFailed(Tcp.ResumeWriting$.MODULE$), getSelf());
    } else if (pendingWrite != null) {
      interestedInResume = getSender();
    } else {
      writingSuspended = false;
      getSender().tell(Tcp.WritingResumed$.MODULE$, getSelf());
    }
  }

  // ---- files: sendfile steps on the blocking pool --------------------------------------

  private static final class FileTransfer {
    FileDescriptor file;
    long position;
    long remaining;
    long asked;
    final Path path;

    FileTransfer(Path path, long position, long count) {
      this.path = path;
      this.position = position;
      this.remaining = count;
    }
  }

  private void startFileTransfer(Tcp.SimpleWriteCommand head) {
    if (head instanceof Tcp.WritePath) {
      Tcp.WritePath w = (Tcp.WritePath) head;
      fileTransfer = new FileTransfer(w.path(), w.position(), w.count());
    } else {
      @SuppressWarnings("deprecation")
      Tcp.WriteFile w = (Tcp.WriteFile) head;
      fileTransfer = new FileTransfer(Path.of(w.filePath()), w.position(), w.count());
    }
    nextFileStep();
  }

  /** Opens the file (first step) and sends one chunk, off this actor's thread. */
  private void nextFileStep() {
    FileTransfer t = fileTransfer;
    ActorRef self = getSelf();
    t.asked = Math.min(t.remaining, settings.transferToLimit);
    CompletableFuture.runAsync(
        () -> {
          try {
            if (t.file == null) t.file = Descriptors.openForReading(t.path);
            long n = socket.sendFile(t.file, t.position, t.asked);
            // The connection may have ended meanwhile; then nobody else closes the file.
            if (!socket.isOpen()) t.file.close();
            self.tell(new IoMessages.FileStepDone(n, null), ActorRef.noSender());
          } catch (Throwable e) {
            self.tell(new IoMessages.FileStepDone(0, e), ActorRef.noSender());
          }
        },
        blockingPool);
  }

  private void onFileStep(IoMessages.FileStepDone step) {
    FileTransfer t = fileTransfer;
    if (t == null) return;
    if (step.failure != null || (step.result < 0 && step.result != -Errno.EAGAIN) || step.result == 0) {
      closeFile();
      onIoError(
          step.failure instanceof IOException
              ? (IOException) step.failure
              : step.failure != null
                  ? new IOException(step.failure)
                  : step.result == 0
                      ? new IOException("file " + t.path + " ended before the requested count was sent")
                      : Errno.exception("sendfile", (int) step.result));
      return;
    }
    if (step.result == -Errno.EAGAIN) {
      writable = false;
      fileTransfer = null; // resumed by the next WRITABLE edge through doWrite
      pausedFile = t;
      return;
    }
    t.position += step.result;
    t.remaining -= step.result;
    if (t.remaining == 0) {
      closeFile();
      pendingWrite.completeHead(getSelf());
      doWrite();
    } else {
      if (step.result < t.asked) writable = false;
      if (writable) nextFileStep();
      else {
        fileTransfer = null;
        pausedFile = t;
      }
    }
  }

  private void closeFile() {
    if (fileTransfer != null && fileTransfer.file != null) fileTransfer.file.close();
    if (pausedFile != null && pausedFile.file != null) pausedFile.file.close();
    fileTransfer = null;
    pausedFile = null;
  }

  // ---- closing -------------------------------------------------------------------------

  private void close(Tcp.CloseCommand command, ActorRef commander) {
    startClosing(command.event(), commander);
  }

  /** Pekko's handleClose: what a close command (or the peer's FIN) leads to. */
  private void startClosing(Tcp.ConnectionClosed event, ActorRef commander) {
    if (commander != null) closeCommander = commander;
    if (event == Tcp.Aborted$.MODULE$) {
      closeNow(event);
    } else if (event == Tcp.PeerClosed$.MODULE$ && keepOpenOnPeerClosed) {
      handler.tell(Tcp.PeerClosed$.MODULE$, getSelf()); // writes go on; the user closes later
    } else {
      closingWith = event;
      continueClosing();
    }
  }

  private void continueClosing() {
    if (pendingWrite != null) return; // writeCompleted() continues closing
    if (closingWith == Tcp.ConfirmedClosed$.MODULE$) {
      if (peerClosed) {
        closeNow(closingWith);
        return;
      }
      if (!outputShutdown) {
        try {
          socket.shutdownOutput();
          outputShutdown = true;
        } catch (IOException e) {
          closeNow(closingWith);
          return;
        }
      }
      readingSuspended = false; // keep reading until the peer's FIN confirms
      doRead();
    } else {
      closeNow(closingWith);
    }
  }

  /** Closes the socket (RST for Abort) and stops, telling handler and commander. */
  private void closeNow(Tcp.ConnectionClosed event) {
    boolean abort = event == Tcp.Aborted$.MODULE$;
    if (abort) abortSocket();
    else releaseSocket();
    stopWith(event, handler, closeCommander);
    // An aborted write is over too: its writer hears how.
    if (abort && pendingWrite != null) notifyOnStop.add(pendingWrite.commander);
  }

  private void onIoError(IOException cause) {
    if (settings.traceLogging) log().debug("closing after an IO error: {}", cause.getMessage());
    String message = firstMessage(cause);
    releaseSocket();
    stopWith(
        new Tcp.ErrorClosed(message), handler, pendingWrite != null ? pendingWrite.commander : null);
  }

  private static String firstMessage(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getMessage() != null && !c.getMessage().isEmpty()) return c.getMessage();
    }
    return t.getClass().getName();
  }

  private void stopWith(Tcp.ConnectionClosed event, ActorRef a, ActorRef b) {
    stopEvent = event;
    if (a != null) notifyOnStop.add(a);
    if (b != null) notifyOnStop.add(b);
    getContext().stop(getSelf());
  }

  private void abortSocket() {
    if (socket != null && socket.isOpen()) {
      try {
        socket.setOption(SocketOption.LINGER, 0); // close sends RST
      } catch (IOException e) {
        log().debug("could not set SO_LINGER 0 before abort: {}", e.getMessage());
      }
    }
    releaseSocket();
  }

  /** Cancels the registration first, so no event of a reused number reaches us, then closes. */
  protected void releaseSocket() {
    if (registration != null) registration.cancel();
    if (socket != null) socket.close();
  }

  @Override
  public void postStop() {
    if (registerTimeout != null) registerTimeout.cancel();
    closeFile();
    // Stopped without a close (handler died, PoisonPill, register timeout): reset the peer.
    if (socket != null && socket.isOpen()) abortSocket();
    if (stopEvent != null) {
      for (ActorRef a : notifyOnStop) a.tell(stopEvent, getSelf());
    }
    ext.channels().release();
  }

  /** An IOException without a stack trace, for expected refusals. */
  static final class QuietIOException extends IOException {
    QuietIOException(String message) {
      super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
