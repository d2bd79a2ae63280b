package io.pekkokq.poll;

import io.pekkokq.sys.Errno;
import io.pekkokq.sys.EventArray;
import io.pekkokq.sys.FileDescriptor;
import io.pekkokq.sys.KernelQueue;
import io.pekkokq.sys.ReadyBits;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
 * <p>Next: {@link Registration} (the owner's side), {@link SlotTable} (tokens).
 */
public final class Poller implements AutoCloseable, Executor {
  /** Sentinel of {@link #armedDeadline}: the poller is re-arming, wake it for any timer. */
  private static final long REARMING = Long.MIN_VALUE;
  /** Sentinel of {@link #armedDeadline} and {@link #kernelDeadline}: no timer armed. */
  private static final long NONE = Long.MAX_VALUE;
  /** Tasks taken from other threads per turn; bounds a turn when producers outpace us. */
  private static final int REMOTE_TASKS_PER_TURN = 4096;

  private final String name;
  private final KernelQueue queue;
  private final SlotTable slots;
  private final TimerQueue timers = new TimerQueue();
  /** Tasks handed over by other threads. */
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  /** Poller thread only: tasks to run in this turn or the next. */
  private final ArrayDeque<Runnable> localTasks = new ArrayDeque<>();
  private final ConcurrentLinkedQueue<ScheduledTimer> incomingTimers = new ConcurrentLinkedQueue<>();
  private final AtomicReference<UserEvent> userEvents = new AtomicReference<>();
  private final AtomicBoolean wakeupPending = new AtomicBoolean();
  /**
   * The number of the turn the poller is in, 0 while it waits in the kernel: what a
   * watchdog reads to notice a task that blocks the poller. Written with lazySet, a plain
   * store, twice a turn; no clock is read on the poller's side.
   */
  private final AtomicLong currentTurn = new AtomicLong();
  /** Poller thread only: turns begun so far. */
  private long turns;
  private final TimerQueue.ErrorSink errors;
  private final Thread thread;

  private volatile boolean running = true;
  private volatile IntConsumer signalHandler;
  private volatile Executor fallback = ForkJoinPool.commonPool();
  /** The deadline the kernel timer will wake us for, as other threads may read it. */
  private volatile long armedDeadline = NONE;
  /** Poller thread only: the deadline the kernel timer is armed to. */
  private long kernelDeadline = NONE;
  /** Events dropped because their token was stale; written by the poller thread only. */
  private volatile long staleEvents;

  private Poller(String name, KernelQueue queue, int maxRegistrations, TimerQueue.ErrorSink errors) {
    this.name = name;
    this.queue = queue;
    this.slots = new SlotTable(maxRegistrations);
    this.errors = errors;
    this.thread = new Thread(this::loop, name);
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
    Poller poller = new Poller(name, KernelQueue.open(batchSize), maxRegistrations, errors::report);
    poller.thread.start();
    return poller;
  }

  /** Starts a poller that reports failures to standard error. */
  public static Poller start(String name) throws IOException {
    return start(name, 1024, 1 << 20, ErrorReporter.STANDARD_ERROR);
  }

  /** Where a poller reports failures of the code it runs; it never dies of them. */
  @FunctionalInterface
  public interface ErrorReporter {
    ErrorReporter STANDARD_ERROR =
        (what, cause) -> {
          System.err.println("pekko-kq poller: " + what);
          cause.printStackTrace();
        };

    void report(String what, Throwable cause);
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
    return staleEvents;
  }

  KernelQueue kernelQueue() {
    return queue;
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
      localTasks.add(task); // runs after the current batch; the loop cannot be asleep
      return;
    }
    tasks.add(task);
    if (running) {
      wakeup();
    } else {
      drainTasksTo(fallback); // the loop may have drained already; each task runs once
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
    return currentTurn.get();
  }

  /** Where the poller thread is now: for the report of a blocked poller. */
  public StackTraceElement[] threadStackTrace() {
    return thread.getStackTrace();
  }

  /** True when called from this poller's thread. */
  public boolean inPollerThread() {
    return Thread.currentThread() == thread;
  }

  void enqueue(UserEvent event) {
    for (; ; ) {
      UserEvent head = userEvents.get();
      event.next = head;
      if (userEvents.compareAndSet(head, event)) break;
    }
    wakeup();
  }

  private static long deadlineAfter(long delay, TimeUnit unit) {
    if (delay < 0) throw new IllegalArgumentException("negative delay: " + delay);
    if (unit == null) throw new NullPointerException("unit");
    return System.nanoTime() + unit.toNanos(delay);
  }

  private ScheduledTimer addTimer(ScheduledTimer timer) {
    if (timer.action == null) throw new NullPointerException("action");
    incomingTimers.add(timer);
    // No wake-up needed when the kernel timer already fires no later than this deadline:
    // the poller picks up incoming timers whenever it wakes.
    long armed = armedDeadline;
    if (armed == REARMING || armed == NONE || timer.deadline - armed < 0 || inPollerThread()) {
      wakeup();
    }
    return timer;
  }

  private void wakeup() {
    if (wakeupPending.compareAndSet(false, true)) queue.wake();
  }

  // ---- the loop ----------------------------------------------------------------------

  private void loop() {
    EventArray events = queue.events();
    try {
      while (running) {
        // Queued tasks must not wait for I/O: look at the kernel without blocking, then run them.
        currentTurn.lazySet(0);
        int count = queue.await(localTasks.isEmpty() ? -1 : 0);
        currentTurn.lazySet(++turns);
        if (count < 0) {
          if (!queue.isOpen()) break;
          errors.report("wait failed: " + Errno.message(count), new IOException(Errno.message(count)));
          continue;
        }
        for (int i = 0; i < count; i++) {
          long token = events.token(i);
          int bits = events.bits(i);
          if (Token.generation(token) != 0) {
            dispatch(token, bits);
          } else if ((bits & ReadyBits.SIGNAL) != 0) {
            deliverSignal((int) token);
          } else if ((bits & ReadyBits.TIMER) != 0) {
            kernelDeadline = NONE; // a timerfd fires once per arming
          }
          // WAKEUP needs nothing per event: the pending work below runs after every wait.
        }
        runPendingWork();
      }
    } catch (Throwable fatal) {
      errors.report("poller " + name + " stopped", fatal);
    } finally {
      running = false;
      currentTurn.lazySet(0);
      Runnable task;
      while ((task = localTasks.poll()) != null) runOn(fallback, task);
      drainTasksTo(fallback);
      queue.close();
    }
  }

  private void drainTasksTo(Executor executor) {
    Runnable task;
    while ((task = tasks.poll()) != null) runOn(executor, task);
  }

  private void runOn(Executor executor, Runnable task) {
    try {
      executor.execute(task);
    } catch (Throwable t) {
      errors.report("fallback executor refused a task of stopped poller " + name, t);
    }
  }

  private void dispatch(long token, int bits) {
    Registration registration = slots.lookup(token);
    if (registration == null) {
      staleEvents = staleEvents + 1; // single writer
      return;
    }
    try {
      registration.listener().onReady(bits & ReadyBits.IO_MASK);
    } catch (Throwable t) {
      errors.report("listener of " + registration + " failed", t);
    }
  }

  private void deliverSignal(int signo) {
    IntConsumer handler = signalHandler;
    if (handler == null) return;
    try {
      handler.accept(signo);
    } catch (Throwable t) {
      errors.report("signal handler failed for signal " + signo, t);
    }
  }

  private void runPendingWork() throws IOException {
    wakeupPending.set(false); // before draining, so a later producer wakes us again
    Runnable task;
    int taken = 0;
    while (taken < REMOTE_TASKS_PER_TURN && (task = tasks.poll()) != null) {
      localTasks.add(task);
      taken++;
    }
    if (taken == REMOTE_TASKS_PER_TURN) wakeup(); // more may wait: the next wait must not block
    // Only what is queued now: tasks queued by these run next turn, after a look at I/O.
    for (int n = localTasks.size(); n > 0; n--) {
      task = localTasks.poll();
      try {
        task.run();
      } catch (Throwable t) {
        errors.report("task failed", t);
      }
    }
    UserEvent event = userEvents.getAndSet(null);
    while (event != null) {
      UserEvent next = event.next;
      event.next = null;
      event.pending.set(false); // a trigger from now on is a new run
      if (!event.isClosed()) {
        try {
          event.action.run();
        } catch (Throwable t) {
          errors.report("user event action failed", t);
        }
      }
      event = next;
    }
    runTimers();
  }

  private void runTimers() throws IOException {
    armedDeadline = REARMING;
    ScheduledTimer incoming;
    while ((incoming = incomingTimers.poll()) != null) {
      if (!incoming.isCancelled()) timers.add(incoming);
    }
    timers.runDue(System.nanoTime(), errors);
    long next = timers.earliestDeadline();
    if (next != kernelDeadline) {
      // The delay is computed after `now`, so the kernel cannot fire before the deadline.
      queue.setTimer(next == NONE ? -1 : Math.max(0, next - System.nanoTime()));
      kernelDeadline = next;
    }
    armedDeadline = next;
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
