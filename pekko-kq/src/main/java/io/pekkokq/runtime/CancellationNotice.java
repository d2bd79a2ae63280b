package io.pekkokq.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import scala.concurrent.ExecutionContext;

/**
 * INTERNAL API. Pekko 1.2 added {@code org.apache.pekko.actor.SchedulerTask}, a Runnable
 * whose {@code cancelled()} its scheduler calls, on the task's execution context, when a
 * cancel took it before it ran. pekko-kq also runs on Pekko 1.1, which lacks the type, so
 * it is found by name once; on 1.1 nothing is a SchedulerTask and no notice is sent.
 */
final class CancellationNotice {
  /** {@code SchedulerTask.cancelled()} typed {@code (Runnable)void}; null before Pekko 1.2. */
  private static final MethodHandle CANCELLED = find();
  private static final Class<?> SCHEDULER_TASK = CANCELLED == null ? null : CANCELLED.type().parameterType(0);

  private CancellationNotice() {}

  private static MethodHandle find() {
    try {
      Class<?> type = Class.forName("org.apache.pekko.actor.SchedulerTask", false, CancellationNotice.class.getClassLoader());
      return MethodHandles.publicLookup().findVirtual(type, "cancelled", MethodType.methodType(void.class));
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }

  /**
   * Tells {@code task} (or the task a repeating one repeats) that it was cancelled, if it is
   * a SchedulerTask: its {@code cancelled()} runs on {@code executor}, and a failure to hand
   * it over is reported there, as Pekko's scheduler does.
   */
  static void send(Runnable task, ExecutionContext executor) {
    Runnable target = task instanceof FixedRateTask repeating ? repeating.runnable : task;
    if (SCHEDULER_TASK == null || !SCHEDULER_TASK.isInstance(target)) return;
    try {
      executor.execute(() -> invokeCancelled(target));
    } catch (Throwable t) {
      WheelTask.reportTo(executor, t);
    }
  }

  private static void invokeCancelled(Runnable target) {
    try {
      CANCELLED.invoke(target);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("SchedulerTask.cancelled() failed", t);
    }
  }
}
