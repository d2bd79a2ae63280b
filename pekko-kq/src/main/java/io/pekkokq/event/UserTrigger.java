package io.pekkokq.event;

import io.pekkokq.poll.UserEvent;

/**
 * A USER event bound to an actor and a message: any thread may call {@link #trigger()}
 * (an actor, a plain thread, a callback from a foreign library), and the poller delivers
 * the message. Triggers before delivery coalesce into one message.
 */
public final class UserTrigger {
  private final UserEvent event;

  UserTrigger(UserEvent event) {
    this.event = event;
  }

  /** Asks for the message to be delivered; returns at once, allocates nothing. */
  public void trigger() {
    event.trigger();
  }

  /** No more deliveries after this; a pending one is dropped. */
  public void close() {
    event.close();
  }
}
