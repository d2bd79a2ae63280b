package io.pekkokq.event;

import io.pekkokq.poll.Poller;
import io.pekkokq.poll.ScheduledTimer;
import io.pekkokq.sys.Signals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Cancellable;

/**
 * TIMER, USER and SIGNAL events for any actor, riding the poller of the pekko-kq
 * extension: {@code KqTcp.get(system).events()}.
 *
 * <ul>
 *   <li>Timers: one kernel timer per poller serves them all, armed to the earliest
 *       deadline; many thousands cost a heap entry each, not a thread or a syscall.
 *   <li>User events: {@link #userEvent} gives a handle that any thread can trigger.
 *   <li>Signals: {@link #subscribeSignal} turns a UNIX signal into a message. Signals the
 *       JVM needs (SEGV, BUS, FPE, ILL, QUIT, USR2, TRAP, KILL, STOP, PIPE, ABRT, CHLD)
 *       are refused with an IllegalArgumentException. One actor system per JVM can
 *       subscribe to signals.
 * </ul>
 *
 * Messages are sent with no sender. See docs/events.md.
 */
public final class KqEvents implements AutoCloseable {
  private final Poller poller;
  private final Map<Integer, Set<ActorRef>> signalSubscribers = new ConcurrentHashMap<>();
  private final Map<Integer, String> signalNames = new ConcurrentHashMap<>();
  private boolean watchingSignals; // guarded by this

  public KqEvents(Poller poller) {
    this.poller = poller;
  }

  /** Sends {@code message} to {@code receiver} once, after {@code delay}. */
  public Cancellable scheduleOnce(Duration delay, ActorRef receiver, Object message) {
    requireArguments(delay, receiver, message);
    return cancellable(
        poller.schedule(delay.toNanos(), TimeUnit.NANOSECONDS, () -> receiver.tell(message, ActorRef.noSender())));
  }

  /** Sends {@code message} after {@code initialDelay}, then every {@code delay} after that. */
  public Cancellable scheduleWithFixedDelay(
      Duration initialDelay, Duration delay, ActorRef receiver, Object message) {
    requireArguments(initialDelay, receiver, message);
    Objects.requireNonNull(delay, "delay");
    return cancellable(
        poller.scheduleWithFixedDelay(
            initialDelay.toNanos(), delay.toNanos(), TimeUnit.NANOSECONDS,
            () -> receiver.tell(message, ActorRef.noSender())));
  }

  /** A handle whose {@link UserTrigger#trigger()} delivers {@code message} to {@code receiver}. */
  public UserTrigger userEvent(ActorRef receiver, Object message) {
    Objects.requireNonNull(receiver, "receiver");
    Objects.requireNonNull(message, "message");
    return new UserTrigger(poller.newUserEvent(() -> receiver.tell(message, ActorRef.noSender())));
  }

  /**
   * Sends {@link SignalReceived} to {@code receiver} each time the process receives the
   * named signal ("HUP", "USR1", "SIGWINCH", ...).
   *
   * @throws IllegalArgumentException for an unknown name or a signal the JVM needs
   * @throws UncheckedIOException when the signal cannot be taken over
   */
  public SignalSubscription subscribeSignal(String name, ActorRef receiver) {
    Objects.requireNonNull(receiver, "receiver");
    int signo = Signals.number(name);
    if (Signals.isRefused(signo)) {
      throw new IllegalArgumentException(
          "signal " + name + " is used by the JVM itself and cannot be subscribed to");
    }
    synchronized (this) {
      try {
        if (!watchingSignals) {
          poller.watchSignals(this::deliverSignal);
          watchingSignals = true;
        }
        Set<ActorRef> subscribers = signalSubscribers.computeIfAbsent(signo, s -> new CopyOnWriteArraySet<>());
        if (subscribers.isEmpty()) Signals.subscribe(signo);
        signalNames.putIfAbsent(signo, name.trim().toUpperCase(java.util.Locale.ROOT).replaceFirst("^SIG", ""));
        subscribers.add(receiver);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot subscribe to signal " + name, e);
      }
    }
    return () -> unsubscribe(signo, receiver);
  }

  private synchronized void unsubscribe(int signo, ActorRef receiver) {
    Set<ActorRef> subscribers = signalSubscribers.get(signo);
    if (subscribers == null || !subscribers.remove(receiver)) return;
    if (subscribers.isEmpty()) {
      try {
        Signals.unsubscribe(signo);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot restore signal " + signo, e);
      }
    }
  }

  /** On the poller thread: one message per subscriber. */
  private void deliverSignal(int signo) {
    Set<ActorRef> subscribers = signalSubscribers.get(signo);
    if (subscribers == null) return;
    SignalReceived message = new SignalReceived(signalNames.getOrDefault(signo, "SIG" + signo), signo);
    for (ActorRef a : subscribers) a.tell(message, ActorRef.noSender());
  }

  /** Restores every subscribed signal's previous disposition (at actor system shutdown). */
  @Override
  public synchronized void close() {
    for (Map.Entry<Integer, Set<ActorRef>> e : signalSubscribers.entrySet()) {
      if (!e.getValue().isEmpty()) {
        try {
          Signals.unsubscribe(e.getKey());
        } catch (IOException ignored) {
          // best effort at shutdown
        }
        e.getValue().clear();
      }
    }
  }

  private static void requireArguments(Duration delay, ActorRef receiver, Object message) {
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(receiver, "receiver");
    Objects.requireNonNull(message, "message");
    if (delay.isNegative()) throw new IllegalArgumentException("negative delay: " + delay);
  }

  private static Cancellable cancellable(ScheduledTimer timer) {
    return new Cancellable() {
      @Override
      public boolean cancel() {
        return timer.cancel();
      }

      @Override
      public boolean isCancelled() {
        return timer.isCancelled();
      }
    };
  }
}
