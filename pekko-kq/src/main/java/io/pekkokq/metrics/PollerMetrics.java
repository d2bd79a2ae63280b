package io.pekkokq.metrics;

/**
 * One poller's counts, as of one {@link KqMetrics} snapshot: what its thread did since it
 * started. Counts only grow; {@link #registrations()} is a gauge. Immutable.
 */
public final class PollerMetrics {
  private final String name;
  private final long turns;
  private final long events;
  private final long staleEvents;
  private final long wakeups;
  private final long tasksRun;
  private final long timersFired;
  private final long userEventsRun;
  private final int registrations;
  private final long longestTurnNanos;

  /** INTERNAL API: made by the poller ({@code io.pekkokq.poll.Poller#metrics}). */
  public PollerMetrics(
      String name, long turns, long events, long staleEvents, long wakeups, long tasksRun,
      long timersFired, long userEventsRun, int registrations, long longestTurnNanos) {
    this.name = name;
    this.turns = turns;
    this.events = events;
    this.staleEvents = staleEvents;
    this.wakeups = wakeups;
    this.tasksRun = tasksRun;
    this.timersFired = timersFired;
    this.userEventsRun = userEventsRun;
    this.registrations = registrations;
    this.longestTurnNanos = longestTurnNanos;
  }

  /** The poller thread's name, {@code pekko-kq-poller-N}. */
  public String name() {
    return name;
  }

  /** Turns of the loop: one kernel wait, then the events, tasks, user events and timers it found. */
  public long turns() {
    return turns;
  }

  /** Events the kernel waits returned: readiness of descriptors, wake-ups, timer and signal events. */
  public long events() {
    return events;
  }

  /** Readiness events dropped because their descriptor had been closed (a stale token). */
  public long staleEvents() {
    return staleEvents;
  }

  /** Times another thread woke the poller (a task, timer or user event handed to it). */
  public long wakeups() {
    return wakeups;
  }

  /** Tasks run: among them every mailbox run of an actor on this poller's dispatcher. */
  public long tasksRun() {
    return tasksRun;
  }

  /** Timers that fired (the poller's own heap of timers: connect and register timeouts, KqEvents timers). */
  public long timersFired() {
    return timersFired;
  }

  /** Triggered user events run. */
  public long userEventsRun() {
    return userEventsRun;
  }

  /** Descriptors registered with this poller now. */
  public int registrations() {
    return registrations;
  }

  /**
   * The longest turn so far, in nanoseconds, from the kernel wait's return to the end of the
   * turn's work; 0 when {@code pekko.io.kq.metrics.enabled = off} (no clock is read then).
   * A long turn delays every socket of this poller by as much.
   */
  public long longestTurnNanos() {
    return longestTurnNanos;
  }

  @Override
  public String toString() {
    return "PollerMetrics(" + name + ", turns=" + turns + ", events=" + events
        + ", staleEvents=" + staleEvents + ", wakeups=" + wakeups + ", tasksRun=" + tasksRun
        + ", timersFired=" + timersFired + ", userEventsRun=" + userEventsRun
        + ", registrations=" + registrations + ", longestTurnNanos=" + longestTurnNanos + ")";
  }
}
