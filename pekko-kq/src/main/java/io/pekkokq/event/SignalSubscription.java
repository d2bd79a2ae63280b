package io.pekkokq.event;

/** A subscription of an actor to a UNIX signal; {@link #unsubscribe()} ends it. */
public interface SignalSubscription {
  /**
   * Ends the subscription. When it was the last one for its signal, the signal's previous
   * disposition is restored. Idempotent.
   */
  void unsubscribe();
}
