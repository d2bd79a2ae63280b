package io.pekkokq.io.internal;

import io.pekkokq.runtime.ChannelBudget;
import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.runtime.SocketsInTransit;
import io.pekkokq.socket.Channel;
import io.pekkokq.sys.Socket;
import org.apache.pekko.actor.ActorRef;

/** INTERNAL API. Messages the IO actors send themselves or each other. */
final class IoMessages {
  private IoMessages() {}

  /** A connection used up its read budget and continues reading (no new edge will come). */
  static final Object CONTINUE_READING = new Object() {
    @Override
    public String toString() {
      return "ContinueReading";
    }
  };

  /** A listener used up its accept batch and continues accepting. */
  static final Object CONTINUE_ACCEPTING = new Object() {
    @Override
    public String toString() {
      return "ContinueAccepting";
    }
  };

  /**
   * A listener's shard may start accepting: its listener has sent Bound, so no Connected
   * can reach a handler before it.
   */
  static final Object START_ACCEPTING = new Object() {
    @Override
    public String toString() {
      return "StartAccepting";
    }
  };

  /** accept failed (e.g. EMFILE): try again, as if a new edge had come. */
  static final Object RETRY_ACCEPTING = new Object() {
    @Override
    public String toString() {
      return "RetryAccepting";
    }
  };

  /** Nobody sent Register in time. */
  static final Object REGISTER_TIMEOUT = new Object() {
    @Override
    public String toString() {
      return "RegisterTimeout";
    }
  };

  /** The Connect's timeout expired (fired by the poller's timer). */
  static final Object CONNECT_TIMEOUT = new Object() {
    @Override
    public String toString() {
      return "ConnectTimeout";
    }
  };

  /** The remote address, resolved off the actor's thread. */
  static final class Resolved {
    final java.net.SocketAddress address;

    Resolved(java.net.SocketAddress address) {
      this.address = address;
    }
  }

  /** Resolution failed. */
  static final class ResolveFailed {
    final Throwable cause;

    ResolveFailed(Throwable cause) {
      this.cause = cause;
    }
  }

  /** One sendfile step ended: bytes sent, or -errno; or the file could not be opened. */
  static final class FileStepDone {
    final long result;
    final Throwable failure;

    FileStepDone(long result, Throwable failure) {
      this.result = result;
      this.failure = failure;
    }
  }

  /**
   * A listener hands an accepted socket, which holds its max-channels place already, to
   * the {@link PollerHome} of the poller it goes to, which makes its actor. The one way to
   * send it is {@link #send}, through the runtime's {@link SocketsInTransit}: a home that
   * has stopped (actor system termination stops homes and listeners side by side) never
   * claims it, its message goes to dead letters, and the runtime's shutdown closes the
   * socket.
   */
  static final class RegisterIncoming extends SocketsInTransit.Handoff {
    final Socket socket;
    final BindRequest bind;
    private final ChannelBudget placeHeld;

    private RegisterIncoming(Socket socket, BindRequest bind, ChannelBudget placeHeld) {
      this.socket = socket;
      this.bind = bind;
      this.placeHeld = placeHeld;
    }

    /** Sends {@code accepted} to {@code home}, recorded as on its way until the home claims it. */
    static void send(KqRuntime runtime, ActorRef home, Socket accepted, BindRequest bind, ActorRef sender) {
      RegisterIncoming message = new RegisterIncoming(accepted, bind, runtime.channels());
      runtime.inTransit().send(message);
      home.tell(message, sender);
    }

    /** No connection actor took it: reset it and give its place back. */
    @Override
    protected void discard() {
      try {
        Channel.of(socket).abort();
      } finally {
        placeHeld.release();
      }
    }
  }
}
