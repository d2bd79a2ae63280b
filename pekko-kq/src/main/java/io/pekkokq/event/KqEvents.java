package io.pekkokq.event;

import io.pekkokq.poll.Poller;
import io.pekkokq.sys.Signals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
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
 *
 * <p>When the extension runs on Pekko's NIO Tcp (the native library is unavailable and
 * {@code pekko.io.kq.fallback = nio}, or {@code pekko.io.kq.native = off}), timers run on
 * Pekko's scheduler, user events are delivered from Pekko's dispatcher (still coalesced),
 * and subscribing to a signal throws a {@link io.pekkokq.sys.NativeUnavailableException}.
 */
public final class KqEvents implements AutoCloseable {
  private final EventSource source;
  private final Map<Integer, Set<ActorRef>> signalSubscribers = new ConcurrentHashMap<>();
  private final Map<Integer, String> signalNames = new ConcurrentHashMap<>();
  private boolean watchingSignals; // guarded by this

  /** INTERNAL API: events on a native poller. */
  public KqEvents(Poller poller) {
    this.source = new PollerEventSource(poller);
  }

  private KqEvents(EventSource source) {
    this.source = source;
  }

  /**
   * INTERNAL API: events on Pekko's scheduler and dispatcher, for an extension without the
   * native library; {@code whyNotNative} is the cause signal subscriptions fail with.
   */
  public static KqEvents onPekkoScheduler(ActorSystem system, Throwable whyNotNative) {
    return new KqEvents(new SchedulerEventSource(system, whyNotNative));
  }

  /** Sends {@code message} to {@code receiver} once, after {@code delay}. */
  public Cancellable scheduleOnce(Duration delay, ActorRef receiver, Object message) {
    requireArguments(delay, receiver, message);
    return source.scheduleOnce(delay, () -> receiver.tell(message, ActorRef.noSender()));
  }

  /** Sends {@code message} after {@code initialDelay}, then every {@code delay} after that. */
  public Cancellable scheduleWithFixedDelay(
      Duration initialDelay, Duration delay, ActorRef receiver, Object message) {
    requireArguments(initialDelay, receiver, message);
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative() || delay.isZero()) {
      throw new IllegalArgumentException("the delay between runs must be positive: " + delay);
    }
    return source.scheduleWithFixedDelay(
        initialDelay, delay, () -> receiver.tell(message, ActorRef.noSender()));
  }

  /** A handle whose {@link UserTrigger#trigger()} delivers {@code message} to {@code receiver}. */
  public UserTrigger userEvent(ActorRef receiver, Object message) {
    Objects.requireNonNull(receiver, "receiver");
    Objects.requireNonNull(message, "message");
    return source.userEvent(() -> receiver.tell(message, ActorRef.noSender()));
  }

  /**
   * Sends {@link SignalReceived} to {@code receiver} each time the process receives the
   * named signal ("HUP", "USR1", "SIGWINCH", ...).
   *
   * @throws IllegalArgumentException for an unknown name or a signal the JVM needs
   * @throws UncheckedIOException when the signal cannot be taken over
   * @throws io.pekkokq.sys.NativeUnavailableException without the native library
   */
  public SignalSubscription subscribeSignal(String name, ActorRef receiver) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(receiver, "receiver");
    startWatchingSignals(); // first: without the native library this says why signals cannot work
    int signo = Signals.number(name);
    if (Signals.isRefused(signo)) {
      throw new IllegalArgumentException(
          "signal " + name + " is used by the JVM itself and cannot be subscribed to");
    }
    synchronized (this) {
      try {
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

  private synchronized void startWatchingSignals() {
    if (watchingSignals) return;
    try {
      source.watchSignals(this::deliverSignal);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot watch signals", e);
    }
    watchingSignals = true;
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
}
