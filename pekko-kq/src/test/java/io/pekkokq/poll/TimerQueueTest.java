package io.pekkokq.poll;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimerQueueTest {
  private final List<String> ran = new ArrayList<>();
  private final ErrorReporter failOnError = (what, cause) -> fail(what, cause);

  private ScheduledTimer timer(long deadline, String name) {
    return new ScheduledTimer(deadline, 0, () -> ran.add(name));
  }

  @Test
  void runsDueTimersInDeadlineOrderAndNoneEarly() {
    TimerQueue q = new TimerQueue();
    q.add(timer(30, "c"));
    q.add(timer(10, "a"));
    q.add(timer(20, "b"));
    q.add(timer(40, "d"));
    assertEquals(10, q.earliestDeadline());
    q.runDue(25, failOnError);
    assertEquals(List.of("a", "b"), ran);
    assertEquals(30, q.earliestDeadline());
    q.runDue(29, failOnError);
    assertEquals(2, ran.size(), "nothing before its deadline");
    q.runDue(100, failOnError);
    assertEquals(List.of("a", "b", "c", "d"), ran);
    assertEquals(Long.MAX_VALUE, q.earliestDeadline());
  }

  @Test
  void cancelledTimersNeverRunAndAreSweptOut() {
    TimerQueue q = new TimerQueue();
    List<ScheduledTimer> all = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      ScheduledTimer t = timer(1000 + i, "t" + i);
      all.add(t);
      q.add(t);
    }
    for (int i = 0; i < 1000; i++) if (i % 10 != 0) all.get(i).cancel();
    q.runDue(0, failOnError); // nothing due; triggers the sweep
    assertEquals(100, q.size());
    q.runDue(5000, failOnError);
    assertEquals(100, ran.size());
    assertTrue(ran.stream().allMatch(n -> Integer.parseInt(n.substring(1)) % 10 == 0));
  }

  @Test
  void aFailingActionIsReportedAndTheOthersStillRun() {
    TimerQueue q = new TimerQueue();
    List<String> errors = new ArrayList<>();
    q.add(new ScheduledTimer(1, 0, () -> { throw new IllegalStateException("boom"); }));
    q.add(timer(2, "after"));
    q.runDue(10, (what, cause) -> errors.add(cause.getMessage()));
    assertEquals(List.of("boom"), errors);
    assertEquals(List.of("after"), ran);
  }

  @Test
  void aPeriodicTimerIsPutBackUntilCancelled() {
    TimerQueue q = new TimerQueue();
    ScheduledTimer periodic = new ScheduledTimer(System.nanoTime(), 1, () -> ran.add("tick"));
    q.add(periodic);
    q.runDue(System.nanoTime(), failOnError);
    assertEquals(1, ran.size());
    assertEquals(1, q.size(), "rescheduled");
    periodic.cancel();
    q.runDue(Long.MAX_VALUE / 2, failOnError);
    assertEquals(1, ran.size());
    assertEquals(0, q.size());
  }

  @Test
  void cancelWinsOnlyWhenItPreventedTheRun() {
    TimerQueue q = new TimerQueue();
    ScheduledTimer fired = timer(1, "fired");
    ScheduledTimer stopped = timer(2, "stopped");
    q.add(fired);
    q.add(stopped);
    assertTrue(stopped.cancel(), "the first cancel of a pending timer prevents its run");
    assertFalse(stopped.cancel(), "a second cancel prevents nothing");
    q.runDue(10, failOnError);
    assertEquals(List.of("fired"), ran);
    assertFalse(fired.cancel(), "a one-shot timer that ran cannot be cancelled any more");
    assertFalse(fired.isCancelled());
    assertTrue(stopped.isCancelled());
  }

  @Test
  void aOneShotTimerCancelledDuringItsOwnRunReportsThatItWasTooLate() {
    TimerQueue q = new TimerQueue();
    boolean[] cancelledInside = {true};
    ScheduledTimer[] self = new ScheduledTimer[1];
    self[0] = new ScheduledTimer(1, 0, () -> cancelledInside[0] = self[0].cancel());
    q.add(self[0]);
    q.runDue(10, failOnError);
    assertFalse(cancelledInside[0], "the run was already under way");
  }

  @Test
  void aPeriodicTimerCancelledDuringARunStopsTheNextOnes() {
    TimerQueue q = new TimerQueue();
    boolean[] cancelledInside = {false};
    ScheduledTimer[] self = new ScheduledTimer[1];
    self[0] = new ScheduledTimer(1, 1, () -> cancelledInside[0] = self[0].cancel());
    q.add(self[0]);
    q.runDue(10, failOnError);
    assertTrue(cancelledInside[0], "it prevented every later run");
    assertEquals(0, q.size());
  }
}
