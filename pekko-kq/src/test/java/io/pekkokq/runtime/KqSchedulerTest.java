package io.pekkokq.runtime;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Scheduler;
import org.junit.jupiter.api.Test;
import scala.concurrent.duration.FiniteDuration;

/**
 * What {@link KqScheduler} does beyond the contract of {@link SchedulerParityTest}: it lets
 * go of a cancelled task within a few ticks (Pekko's own scheduler keeps it until its wheel
 * comes round to the task's slot, 5.1 s by default, so it would hold all of these), and a
 * task may close the scheduler it runs on.
 */
class KqSchedulerTest extends SchedulerFixture {
  private static final FiniteDuration HOUR = FiniteDuration.create(1, TimeUnit.HOURS);

  @Test
  void cancelledTasksLeaveTheWheelWithinTicks() throws Exception {
    // A turn of 65 536 ticks takes 11 minutes: the tasks' bucket does not come round
    // during the wait, so only the unlinking of cancelled tasks can empty the wheel.
    KqScheduler scheduler = (KqScheduler) open("kq", "pekko.scheduler.ticks-per-wheel = 65536");
    List<Cancellable> tasks = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) tasks.add(scheduler.scheduleOnce(HOUR, () -> {}, inline()));
    awaitCondition(() -> scheduler.liveTasks() == 10_000, "the wheel holds the 10 000 tasks");
    for (Cancellable task : tasks) assertTrue(task.cancel());
    awaitCondition(() -> scheduler.liveTasks() == 0, "the wheel let go of the 10 000 cancelled tasks");
  }

  @Test
  void tasksThatRanLeaveTheWheel() throws Exception {
    KqScheduler scheduler = (KqScheduler) open("kq");
    CountDownLatch ran = new CountDownLatch(1_000);
    for (int i = 0; i < 1_000; i++) scheduler.scheduleOnce(millis(1 + i % 100), ran::countDown, inline());
    await(ran, "1 000 tasks ran");
    awaitCondition(() -> scheduler.liveTasks() == 0, "the wheel is empty");
  }

  @Test
  void aTaskOnTheTimerThreadMayCloseItsScheduler() throws Exception {
    KqScheduler scheduler = (KqScheduler) open("kq");
    AtomicInteger onClose = new AtomicInteger();
    scheduler.scheduleOnce(HOUR, (Scheduler.TaskRunOnClose) onClose::incrementAndGet, inline());
    AtomicBoolean closeReturned = new AtomicBoolean();
    CountDownLatch ran = new CountDownLatch(1);
    scheduler.scheduleOnce(millis(10), () -> {
      scheduler.close(); // on the timer thread (inline context): must not wait for itself
      closeReturned.set(true);
      ran.countDown();
    }, inline());
    await(ran, "the closing task ran");
    assertTrue(closeReturned.get());
    awaitCondition(() -> onClose.get() == 1, "the pending TaskRunOnClose ran once the closing task returned");
    for (Thread timer : timerThreads) {
      timer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      assertFalse(timer.isAlive(), "timer thread still running after close");
    }
  }
}
