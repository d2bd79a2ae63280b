package io.pekkokq.io.internal;

import io.pekkokq.poll.Interest;
import io.pekkokq.poll.Poller;
import io.pekkokq.poll.ScheduledTimer;
import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.runtime.KqSettings;
import io.pekkokq.socket.FileTransfer;
import io.pekkokq.socket.ReadTarget;
import io.pekkokq.socket.Readiness;
import io.pekkokq.socket.SocketDriver;
import io.pekkokq.sys.Socket;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.actor.UntypedAbstractActor;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * INTERNAL API. One TCP connection: Pekko's {@code Tcp} protocol state machine over the
 * socket's {@link SocketDriver}, which this actor owns and calls on its own thread. The
 * driver keeps the readiness the kernel reported (edge-triggered: attached once, never
 * re-armed), reads until drained or the budget, and writes; this actor decides when, and
 * turns the results into Pekko's events. Suspending reads costs no system call: readiness
 * is remembered and used on resume.
 *
 * <p>States, in lifecycle order: setting up (an outgoing connect: {@link #onSetupMessage}),
 * {@link #onWaitingMessage waiting for registration}, {@link #onConnectedMessage
 * connected}; the closing phases (peer closed with keep-open, closing with a pending write,
 * waiting for the peer's FIN after ConfirmedClose) are flags of the connected state,
 * checked where they change behaviour. Subclasses create or adopt the socket: {@link
 * TcpOutgoingConnection}, {@link TcpIncomingConnection}.
 *
 * <p>The states are fields read by one {@link #onReceive}, not {@code become} with a
 * {@code ReceiveBuilder} per state: building the waiting state's seven cases made about
 * 1 KiB of garbage per accepted connection (Scala's {@code orElse} copies the chain per
 * case added), and every Receive kept lives as long as the connection (bench/conn-cost.sh,
 * docs/benchmarks.md "Cheaper connections").
 */
abstract class TcpConnection extends UntypedAbstractActor implements ReadTarget {
  protected final KqRuntime ext;
  protected final KqSettings settings;
  /** Made when first needed: logging is rare, and ten thousand idle connections add up. */
  private LoggingAdapter log;
  protected final boolean pullMode;

  /** The socket, for its addresses and options; reads, writes and closes go through {@link #driver}. */
  protected Socket socket;
  protected SocketDriver driver;
  protected final Poller poller;

  /** Push mode: SuspendReading. Pull mode: true until a ResumeReading asks for one read. */
  private boolean readingSuspended;

  /** Set by Register (or a close before it): from then on the connection is in its connected state. */
  private ActorRef handler;
  /** Who was told Connected, while waiting for its Register; null before and after. */
  private ActorRef registrationCommander;
  private boolean keepOpenOnPeerClosed;
  private boolean useResumeWriting = true;
  private ScheduledTimer registerTimeout;

  /** The write in progress, or null; when null, {@link #spareWrite} is what the next one reuses. */
  private PendingWrite pendingWrite;
  /** Made by the first write: an idle connection holds no write bookkeeping. */
  private PendingWrite spareWrite;
  private boolean writingSuspended;
  private ActorRef interestedInResume;
  /** The file the head part of the pending write sends, once started. */
  private FileTransfer file;
  /** A sendfile step runs on the blocking pool; its FileStepDone has not come back yet. */
  private boolean fileStepRunning;

  private boolean peerClosed;
  private boolean outputShutdown;
  /** Set once a close command arrived; the event to send when closing completes. */
  private Tcp.ConnectionClosed closingWith;
  private ActorRef closeCommander;
  /** Who gets the close event when this actor stops (made when stopping), and which event. */
  private Set<ActorRef> notifyOnStop;
  private Tcp.ConnectionClosed stopEvent;

  TcpConnection(KqRuntime ext, Poller poller, boolean pullMode) {
    this.ext = ext;
    this.poller = poller;
    this.settings = ext.settings();
    this.pullMode = pullMode;
    this.readingSuspended = pullMode;
  }

  // ---- STATES --------------------------------------------------------------------------

  @Override
  public final void onReceive(Object message) throws Exception {
    if (handler != null) onConnectedMessage(message);
    else if (registrationCommander != null) onWaitingMessage(message);
    else onSetupMessage(message);
  }

  /** Before {@link #completeConnect}: an outgoing connection's connect in progress. */
  protected void onSetupMessage(Object message) throws Exception {
    unhandled(message);
  }

  /** Connected, waiting for the handler's Register; reads are held back until then. */
  private void onWaitingMessage(Object message) {
    if (message instanceof Tcp.Register) {
      register((Tcp.Register) message, registrationCommander);
    } else if (message instanceof Ready) {
      driver.onReady(((Ready) message).bits);
    } else if (Tcp.SuspendReading$.MODULE$.equals(message)) {
      readingSuspended = true;
    } else if (Tcp.ResumeReading$.MODULE$.equals(message)) {
      readingSuspended = false;
    } else if (message instanceof Tcp.CloseCommand) {
      handler = registrationCommander;
      registrationCommander = null;
      close((Tcp.CloseCommand) message, getSender());
    } else if (IoMessages.REGISTER_TIMEOUT.equals(message)) {
      if (settings.traceLogging) log().debug("no Register within {}, closing", settings.registerTimeout);
      getContext().stop(getSelf());
    } else if (message instanceof Terminated) {
      getContext().stop(getSelf());
    } else {
      unhandled(message);
    }
  }

  /** Registered: bytes flow both ways; close commands and peer events end it. */
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
    driver.attach(poller, Interest.READ_WRITE, Ready.tell(getSelf()));
  }

  /**
   * {@code connected} to the commander (the socket's options are set already: Acceptor,
   * Connector), wait for Register.
   */
  protected void completeConnect(ActorRef commander, Tcp.Event connected) throws IOException {
    commander.tell(connected, getSelf());
    getContext().watch(commander);
    if (settings.registerTimeout != null) {
      ActorRef self = getSelf();
      registerTimeout =
          poller.schedule(
              settings.registerTimeout.toNanos(), TimeUnit.NANOSECONDS,
              () -> self.tell(IoMessages.REGISTER_TIMEOUT, ActorRef.noSender()));
    }
    registrationCommander = commander;
  }

  private void register(Tcp.Register r, ActorRef commander) {
    if (registerTimeout != null) {
      registerTimeout.cancel();
      registerTimeout = null; // held for the connection's whole life otherwise
    }
    handler = r.handler();
    registrationCommander = null;
    if (!pullMode) readingSuspended = false; // as in Pekko, Register resumes push reading
    keepOpenOnPeerClosed = r.keepOpenOnPeerClosed();
    useResumeWriting = r.useResumeWriting();
    if (!handler.equals(commander)) getContext().unwatch(commander);
    getContext().watch(handler);
    if (closingWith == null) doRead();
  }

  private void onReady(Ready ready) {
    driver.onReady(ready.bits);
    if (Readiness.isWritable(ready.bits)) doWrite();
    if (Readiness.isReadable(ready.bits)) doRead();
  }

  private void resumeReading() {
    readingSuspended = false;
    doRead();
  }

  /** Reads while the kernel has data, reading is wanted and the budget lasts (the driver's loop). */
  private void doRead() {
    if (readingSuspended || peerClosed || handler == null || !driver.isOpen()) return;
    driver.read(this, settings.maxReceivedMessageSize, settings.readBudget);
  }

  @Override
  public void onBudgetUsed() {
    getSelf().tell(IoMessages.CONTINUE_READING, ActorRef.noSender()); // no new edge will come
  }

  @Override
  public void onReadFailure(IOException cause) {
    onIoError(cause);
  }

  /** The read loop asks before every read: push mode reads on, pull mode one chunk per ResumeReading. */
  @Override
  public boolean wantsMore() {
    return !readingSuspended;
  }

  @Override
  public void onBytes(ByteString data) {
    handler.tell(new Tcp.Received(data), getSelf());
    if (pullMode) readingSuspended = true;
  }

  @Override
  public void onEndOfStream() {
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
      if (spareWrite == null) spareWrite = new PendingWrite();
      pendingWrite = spareWrite.start(sender, write);
      driver.queued(pendingWrite.byteCount());
      doWrite();
    }
  }

  private Tcp.CommandFailed failed(Tcp.Command command, String why) {
    return new Tcp.CommandFailed(command).withCause(new QuietIOException(why));
  }

  /**
   * Writes the pending write's parts in order until done or the kernel refuses more.
   * Consecutive byte parts go out together in one system call (the driver's write engine).
   */
  private void doWrite() {
    while (pendingWrite != null && driver.isOpen()) {
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
        if (!driver.writable()) return;
        long n = driver.write(pendingWrite);
        if (n < 0) {
          onIoError(SocketDriver.writeFailure(n));
          return;
        }
        pendingWrite.consume(n, getSelf());
      } else {
        if (!driver.writable() || fileStepRunning) return;
        if (file == null) file = startFile(head);
        nextFileStep();
        return;
      }
    }
  }

  private void writeCompleted() {
    pendingWrite.clear();
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

  private FileTransfer startFile(Tcp.SimpleWriteCommand head) {
    if (head instanceof Tcp.WritePath) {
      Tcp.WritePath w = (Tcp.WritePath) head;
      return new FileTransfer(w.path(), w.position(), w.count(), settings.transferToLimit);
    }
    @SuppressWarnings("deprecation")
    Tcp.WriteFile w = (Tcp.WriteFile) head;
    return new FileTransfer(Path.of(w.filePath()), w.position(), w.count(), settings.transferToLimit);
  }

  /** Sends one chunk of the file, off this actor's thread (the disk may block). */
  private void nextFileStep() {
    FileTransfer t = file;
    SocketDriver d = driver;
    ActorRef self = getSelf();
    fileStepRunning = true;
    CompletableFuture.runAsync(
        () -> {
          try {
            self.tell(new IoMessages.FileStepDone(t.step(d), null), ActorRef.noSender());
          } catch (Throwable e) {
            self.tell(new IoMessages.FileStepDone(0, e), ActorRef.noSender());
          }
        },
        ext.blockingPool());
  }

  private void onFileStep(IoMessages.FileStepDone step) {
    if (file == null) return;
    fileStepRunning = false;
    switch (file.stepEnded(driver, step.result, step.failure)) {
      case FileTransfer.FAILED:
        IOException failure = file.failure();
        file = null;
        onIoError(failure);
        break;
      case FileTransfer.DONE:
        file = null;
        pendingWrite.completeHead(getSelf());
        doWrite();
        break;
      case FileTransfer.CONTINUE:
        nextFileStep();
        break;
      default: // WAIT_FOR_WRITABLE: the next WRITABLE edge continues it through doWrite
    }
  }

  private void closeFile() {
    if (file != null) file.closeFile();
    file = null;
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
          driver.shutdownOutput();
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
    if (abort && pendingWrite != null) notifyOnStop(pendingWrite.commander);
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
    notifyOnStop(a);
    notifyOnStop(b);
    getContext().stop(getSelf());
  }

  /** Adds {@code a} (if not null) to who hears {@link #stopEvent}, each once, in order. */
  private void notifyOnStop(ActorRef a) {
    if (a == null) return;
    if (notifyOnStop == null) notifyOnStop = new LinkedHashSet<>(4);
    notifyOnStop.add(a);
  }

  private void abortSocket() {
    if (driver != null) driver.abort();
  }

  /** Cancels the registration first, so no event of a reused number reaches us, then closes. */
  protected void releaseSocket() {
    if (driver != null) driver.close();
  }

  @Override
  public void postStop() {
    if (registerTimeout != null) registerTimeout.cancel();
    closeFile();
    // Stopped without a close (handler died, PoisonPill, register timeout): reset the peer.
    if (driver != null && driver.isOpen()) abortSocket();
    if (stopEvent != null && notifyOnStop != null) {
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
