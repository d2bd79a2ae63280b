package io.pekkokq.io.udp;

import io.pekkokq.io.internal.Ready;
import io.pekkokq.poll.Poller;
import io.pekkokq.socket.DatagramDriver;
import io.pekkokq.socket.datagram.UdpRuntime;
import io.pekkokq.socket.datagram.UdpSettings;
import io.pekkokq.sys.Errno;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.japi.pf.ReceiveBuilder;
import org.apache.pekko.util.ByteString;

/**
 * INTERNAL API. What the three UDP socket actors (bound, simple sender, connected) share:
 * one {@link DatagramDriver} on the poller chosen by the manager, reading when readable
 * and not suspended, and a send queue flushed in batches. Subclasses open the driver,
 * speak their protocol (Pekko's {@code Udp} or {@code UdpConnected}) and say how a
 * datagram, an ack and a failure look in it; the driver holds the socket's behaviour.
 * A socket that reads has a handler, watched as Pekko's listener and connection do: the
 * socket stops when it dies.
 *
 * <p>Sends are batched without delaying any: the first Send queued schedules one FLUSH
 * message to self, and every Send already in the mailbox by then goes out in the same
 * sendmmsg; a full batch ({@code batch-size}) goes out at once, without waiting for the
 * FLUSH, so a stream of Sends that never leaves the mailbox empty (an echo handler's)
 * does not pile up behind it. A Send beyond {@code send-queue-limit} (queued while the
 * kernel's buffer is full) gets CommandFailed, as Pekko's second unacknowledged Send
 * does; one waiting for its ack never sees the difference.
 */
abstract class DatagramSocketActor extends AbstractActor
    implements DatagramDriver.Receiver, DatagramDriver.SendOutcome {
  private static final Object READ_MORE = new Object() {
    @Override
    public String toString() {
      return "ReadMore";
    }
  };
  private static final Object FLUSH = new Object() {
    @Override
    public String toString() {
      return "Flush";
    }
  };

  protected final UdpRuntime udp;
  protected final UdpSettings settings;
  protected final Poller poller;
  /** Where received datagrams go; null for a socket that reads nothing (a simple sender). */
  protected final ActorRef handler;
  protected final LoggingAdapter log = Logging.getLogger(getContext().getSystem(), this);
  protected DatagramDriver endpoint;
  private boolean readingSuspended;
  private boolean flushScheduled;

  DatagramSocketActor(UdpRuntime udp, Poller poller, ActorRef handler) {
    this.udp = udp;
    this.settings = udp.settings();
    this.poller = poller;
    this.handler = handler;
    if (handler != null) getContext().watch(handler); // the death pact of Pekko's socket actors
  }

  /** Takes the driver over (postStop closes it) and attaches it to the poller. */
  protected final void attach(DatagramDriver driver) throws IOException {
    endpoint = driver;
    endpoint.attach(poller, Ready.tell(getSelf()));
  }

  /** Delivers one datagram to the handler. */
  protected abstract void deliver(ByteString data, InetSocketAddress sender);

  /** The ack to send for a completed send command, or null for none (NoAck). */
  protected abstract Object ackFor(Object command);

  /** The CommandFailed for a send command. */
  protected abstract Object failureFor(Object command);

  /** The handlers every state with an attached socket has, added to {@code builder}. */
  protected final ReceiveBuilder socketHandlers(ReceiveBuilder builder) {
    builder
        .match(Ready.class, this::onReady)
        .matchEquals(READ_MORE, m -> read())
        .matchEquals(FLUSH, m -> flush());
    return handler == null ? builder : builder.match(Terminated.class, t -> getContext().stop(getSelf()));
  }

  protected final void suspendReading() {
    readingSuspended = true;
  }

  protected final void resumeReading() {
    readingSuspended = false;
    read();
  }

  /**
   * Unbind or Disconnect: closes the socket (postStop finds it closed; the socket is gone
   * before {@code reply} is read), answers the sender and stops.
   */
  protected final void closeAndStop(Object reply) {
    endpoint.close();
    getSender().tell(reply, getSelf());
    getContext().stop(getSelf());
  }

  private void onReady(Ready ready) {
    endpoint.onReady(ready.bits);
    if (endpoint.readable()) read();
    if (endpoint.writable() && endpoint.queued() > 0) flush();
  }

  private void read() {
    if (readingSuspended || handler == null || !endpoint.readable()) return;
    int result = endpoint.receive(this, settings.receiveBatchesPerTurn);
    if (result == DatagramDriver.DRAINED) return;
    if (result == -Errno.ECONNREFUSED) {
      // A connected socket's peer port was unreachable (ICMP). Pekko ignores it on reads too.
      if (log.isDebugEnabled()) log.debug("ignoring port unreachable (ICMP) while reading");
    } else if (result < 0) {
      log.warning("receive failed: {}; continuing", Errno.message(result));
    }
    getSelf().tell(READ_MORE, ActorRef.noSender()); // MORE: let others run, then go on
  }

  @Override
  public final void received(ByteString data, InetSocketAddress sender) {
    deliver(data, sender);
  }

  /** Queues one datagram ({@code target} null: the connected peer), or fails it at once. */
  protected final void send(ByteString payload, InetSocketAddress target, Object command) {
    ActorRef commander = getSender();
    if (endpoint.queued() >= settings.sendQueueLimit) {
      if (udp.runtime().settings().traceLogging) log.debug("send queue full ({}), failing {}", endpoint.queued(), command);
      commander.tell(failureFor(command), getSelf());
      return;
    }
    if (!endpoint.enqueue(new DatagramDriver.PendingSend(payload, target, command, commander), this)) return;
    if (endpoint.queued() >= settings.batchSize) {
      endpoint.flush(this); // a full batch: nothing to gain by waiting
    } else if (!flushScheduled) {
      flushScheduled = true;
      getSelf().tell(FLUSH, ActorRef.noSender());
    }
  }

  private void flush() {
    flushScheduled = false;
    endpoint.flush(this);
  }

  @Override
  public final void sent(DatagramDriver.PendingSend send) {
    Object ack = ackFor(send.command);
    if (ack != null) ((ActorRef) send.commander).tell(ack, getSelf());
  }

  @Override
  public final void failed(DatagramDriver.PendingSend send, IOException cause) {
    log.warning("{}", cause.getMessage());
    ((ActorRef) send.commander).tell(failureFor(send.command), getSelf());
  }

  /**
   * Closes the socket, which gives back its max-channels place; queued sends get
   * CommandFailed first, so no commander waits forever.
   */
  @Override
  public void postStop() {
    if (endpoint != null) {
      endpoint.failQueued(this, new IOException("the UDP socket closed before the datagram was sent"));
      endpoint.close();
    }
  }
}
