package io.pekkokq.event;

/**
 * A USER event bound to an actor and a message: any thread may call {@link #trigger()}
 * (an actor, a plain thread, a callback from a foreign library), and the poller delivers
 * the message. Triggers before delivery coalesce into one message.
 */
public final class UserTrigger {
  private final Runnable trigger;
  private final Runnable close;

  UserTrigger(Runnable trigger, Runnable close) {
    this.trigger = trigger;
    this.close = close;
  }

  /** Asks for the message to be delivered; returns at once, allocates nothing. */
  public void trigger() {
    trigger.run();
  }

  /** No more deliveries after this; a pending one is dropped. */
  public void close() {
    close.run();
  }
}
