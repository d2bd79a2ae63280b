package io.pekkokq.poll;

import io.pekkokq.metrics.PollerMetrics;
import io.pekkokq.sys.FileDescriptor;
import io.pekkokq.sys.KernelQueue;
import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

/**
 * One kernel queue and the thread that waits on it.
 *
 * <p>The thread blocks in the kernel with no timeout (the guide's rule: no polling
 * interval anywhere) and wakes only for I/O readiness, its one timer, or its wake-up
 * channel. Each wait is one JNI call that fills a native event array, read in place.
 * For each event it looks the token up in the {@link SlotTable}: a stale token (closed
 * descriptor, reused number) finds nothing and is dropped; a live one has its {@link
 * ReadyListener} told, on this thread. After the events it runs, in order: tasks handed
 * to {@link #execute}, triggered {@link UserEvent}s, and due {@link ScheduledTimer}s,
 * then re-arms the kernel timer to the earliest remaining deadline.
 *
 * <p>The poller is also an {@link Executor}, which is what lets actors run on its thread
 * (Netty's event-loop model): a task handed over from the poller thread itself, such as
 * the mailbox of an actor a listener just told, goes on a plain queue and runs after the
 * current batch without any wake-up; from another thread it costs one wake-up, skipped
 * when one is already pending. Each turn runs the tasks that were queued when it began,
 * so a task that keeps re-submitting itself cannot starve I/O: while tasks wait, the
 * next kernel wait does not block. Once the poller has stopped, tasks go to the fallback
 * executor instead of being lost.
 *
 * <p>Thread confinement is structural, as in mio's split of {@code Poll} and {@code
 * Registry}: this class is the thread-safe handle (register, execute, schedule, trigger,
 * close: safe from any thread); {@link PollerLoop} holds the loop and all the state only
 * the poller thread touches; {@link PollerTimers} and {@link UserEvents} are the loop's
 * collaborators, each with a thread-safe side and a loop side. Failures of the code the
 * poller runs go to one {@link ErrorReporter}.
 *
 * <p>Next: {@link Registration} (the owner's side), {@link SlotTable} (tokens).
 */
public final class Poller implements AutoCloseable, Executor {
  private final String name;
  private final KernelQueue queue;
  private final SlotTable slots;
  private final PollerTimers timers = new PollerTimers();
  private final UserEvents userEvents = new UserEvents();
  /** Tasks handed over by other threads. */
  private final ConcurrentLinkedQueue<Runnable> remoteTasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean wakeupPending = new AtomicBoolean();
  private final ErrorReporter errors;
  /** Touched by the poller thread only (see the class comment). */
  private final PollerLoop loop;
  private final Thread thread;

  private volatile boolean running = true;
  private volatile IntConsumer signalHandler;
  private volatile Executor fallback = ForkJoinPool.commonPool();

  private Poller(
      String name, KernelQueue queue, int maxRegistrations, ErrorReporter errors, boolean timeTurns,
      long slowTurnNanos) {
    this.name = name;
    this.queue = queue;
    this.slots = new SlotTable(maxRegistrations);
    this.errors = errors;
    this.loop = new PollerLoop(this, queue, slots, timers, userEvents, errors, timeTurns, slowTurnNanos);
    this.thread = new Thread(loop::run, name);
    this.thread.setDaemon(true);
  }

  /**
   * Opens a kernel queue and starts its thread.
   *
   * @param name the thread's name
   * @param batchSize how many events one wait may return
   * @param maxRegistrations how many descriptors may be registered at once
   * @param errors where failures of listeners, tasks and timers are reported
   */
  public static Poller start(String name, int batchSize, int maxRegistrations, ErrorReporter errors)
      throws IOException {
    return start(name, batchSize, maxRegistrations, errors, false, 0);
  }

  /**
   * As {@link #start(String, int, int, ErrorReporter)}, with the turns timed or not.
   *
   * @param timeTurns whether each turn is timed (two clock reads a turn), for {@link
   *     PollerMetrics#longestTurnNanos()} and the slow-turn JFR event
   * @param slowTurnNanos a timed turn at least this long is recorded as a JFR {@code
   *     io.pekkokq.SlowPollerTurn} event; 0 or less: none
   */
  public static Poller start(
      String name, int batchSize, int maxRegistrations, ErrorReporter errors, boolean timeTurns,
      long slowTurnNanos)
      throws IOException {
    Poller poller =
        new Poller(name, KernelQueue.open(batchSize), maxRegistrations, errors, timeTurns, slowTurnNanos);
    poller.thread.start();
    return poller;
  }

  /** Starts a poller that reports failures to standard error. */
  public static Poller start(String name) throws IOException {
    return start(name, 1024, 1 << 20, ErrorReporter.STANDARD_ERROR);
  }

  public String name() {
    return name;
  }

  // ---- registrations ---------------------------------------------------------------

  /**
   * Attaches a descriptor once, edge-triggered: {@code listener} is told on the poller
   * thread each time it becomes ready for {@code interest} ({@link Interest}). Safe from
   * any thread; does not wake the poller. The listener may hear about readiness that
   * existed before the call.
   */
  public Registration register(FileDescriptor descriptor, int interest, ReadyListener listener)
      throws IOException {
    if (listener == null) throw new NullPointerException("listener");
    long token = slots.allocate();
    Registration registration = new Registration(this, token, descriptor, listener);
    slots.publish(registration); // visible to the poller before the kernel can report it
    try {
      queue.add(descriptor, token, interest);
    } catch (IOException | RuntimeException e) {
      slots.release(token);
      throw e;
    }
    return registration;
  }

  /** How many registrations are live. */
  public int registrationCount() {
    return slots.liveCount();
  }

  /** How many fetched events were dropped because their token had gone stale. */
  public long staleEventCount() {
    return loop.counters().get(PollerCounters.STALE_EVENTS);
  }

  /** What this poller's loop has counted so far. Any thread; reads a few fields. */
  public PollerMetrics metrics() {
    return loop.counters().snapshot(name, slots.liveCount());
  }

  SlotTable slots() {
    return slots;
  }

  // ---- tasks, user events, timers, signals -------------------------------------------

  /**
   * Runs {@code task} on the poller thread soon; tasks from one thread run in the order
   * given. Safe from any thread. After the poller stopped, runs it on the fallback
   * executor ({@link #fallbackTo}).
   */
  @Override
  public void execute(Runnable task) {
    if (task == null) throw new NullPointerException("task");
    if (inPollerThread()) {
      loop.addLocalTask(task); // runs after the current batch; the loop cannot be asleep
      return;
    }
    remoteTasks.add(task);
    if (running) {
      wakeup();
    } else {
      drainRemoteTasksTo(fallback); // the loop may have drained already; each task runs once
    }
  }

  /**
   * Where tasks handed to {@link #execute} run once this poller has stopped (default: the
   * common fork-join pool), so that actors scheduled on a stopped poller still finish.
   */
  public void fallbackTo(Executor executor) {
    if (executor == null) throw new NullPointerException("executor");
    this.fallback = executor;
  }

  /** A USER event whose triggers (from any thread) run {@code action} on the poller thread. */
  public UserEvent newUserEvent(Runnable action) {
    if (action == null) throw new NullPointerException("action");
    return new UserEvent(this, action);
  }

  /** Runs {@code action} on the poller thread once, after {@code delay}. */
  public ScheduledTimer schedule(long delay, TimeUnit unit, Runnable action) {
    return addTimer(new ScheduledTimer(deadlineAfter(delay, unit), 0, action));
  }

  /** Runs {@code action} after {@code initialDelay}, then again {@code period} after each run. */
  public ScheduledTimer scheduleWithFixedDelay(
      long initialDelay, long period, TimeUnit unit, Runnable action) {
    long periodNanos = unit.toNanos(period);
    if (periodNanos <= 0) throw new IllegalArgumentException("period must be > 0");
    return addTimer(new ScheduledTimer(deadlineAfter(initialDelay, unit), periodNanos, action));
  }

  /**
   * Makes this poller report the process's subscribed signals to {@code handler}, on the
   * poller thread, with the signal number. One poller per process may do so.
   */
  public void watchSignals(IntConsumer handler) throws IOException {
    this.signalHandler = handler;
    queue.watchSignals();
  }

  /**
   * The number of the poller's current turn (events, tasks, timers), or 0 while it waits
   * in the kernel. The same number seen over a long time means a listener, task or actor
   * on this poller is blocking it.
   */
  public long currentTurn() {
    return loop.currentTurn();
  }

  /** Where the poller thread is now: for the report of a blocked poller. */
  public StackTraceElement[] threadStackTrace() {
    return thread.getStackTrace();
  }

  /** True when called from this poller's thread. */
  public boolean inPollerThread() {
    return Thread.currentThread() == thread;
  }

  /** A user event whose {@code pending} flag the caller flipped: run it soon. */
  void enqueue(UserEvent event) {
    userEvents.push(event);
    wakeup();
  }

  private static long deadlineAfter(long delay, TimeUnit unit) {
    if (delay < 0) throw new IllegalArgumentException("negative delay: " + delay);
    if (unit == null) throw new NullPointerException("unit");
    return System.nanoTime() + unit.toNanos(delay);
  }

  private ScheduledTimer addTimer(ScheduledTimer timer) {
    if (timer.action == null) throw new NullPointerException("action");
    // From the poller thread itself, wake too: the loop must look at the new timer
    // before it next blocks.
    if (timers.add(timer) || inPollerThread()) wakeup();
    return timer;
  }

  void wakeup() {
    if (wakeupPending.compareAndSet(false, true)) queue.wake();
  }

  // ---- what the loop asks of its handle (poller thread) ---------------------------------

  boolean isOpen() {
    return running;
  }

  /** The loop is draining: a later producer must wake it again. */
  void wakeupConsumed() {
    wakeupPending.set(false);
  }

  Runnable pollRemoteTask() {
    return remoteTasks.poll();
  }

  IntConsumer signalHandler() {
    return signalHandler;
  }

  Executor fallback() {
    return fallback;
  }

  /** The loop has ended, whatever the cause: from now on tasks go to the fallback. */
  void loopEnded() {
    running = false;
  }

  void drainRemoteTasksTo(Executor executor) {
    Runnable task;
    while ((task = remoteTasks.poll()) != null) runOn(executor, task);
  }

  void runOn(Executor executor, Runnable task) {
    try {
      executor.execute(task);
    } catch (Throwable t) {
      errors.report("fallback executor refused a task of stopped poller " + name, t);
    }
  }

  /**
   * Stops the thread and closes the kernel queue. Registered descriptors are not closed:
   * their owners close them. Waits up to 10 seconds for the thread. Called on the poller
   * thread itself (by an actor on its dispatcher), it only ends the loop: the rest of the
   * current turn still runs, and the loop closes the queue on its way out.
   */
  @Override
  public void close() {
    running = false;
    if (inPollerThread()) return;
    wakeup();
    queue.wake();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    queue.close();
  }

  /** True until the poller has been closed or its thread has stopped. */
  public boolean isRunning() {
    return running && thread.isAlive();
  }

  @Override
  public String toString() {
    return "Poller(" + name + ")";
  }
}
