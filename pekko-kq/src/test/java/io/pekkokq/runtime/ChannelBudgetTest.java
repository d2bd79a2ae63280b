package io.pekkokq.runtime;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * max-channels with per-poller lanes: the limit stays exact whichever threads take and
 * give back places (never more in use, and a refusal only when all are in use, also when
 * other lanes hold places free), and a lane gives its surplus back. Each "poller" is a
 * single-thread executor that joined a lane, as the runtime does on each poller thread;
 * every step runs to completion before the next, so the results are deterministic.
 */
class ChannelBudgetTest {
  private final ExecutorService lane0 = Executors.newSingleThreadExecutor();
  private final ExecutorService lane1 = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    lane0.shutdownNow();
    lane1.shutdownNow();
  }

  private static <T> T on(ExecutorService thread, Callable<T> step) throws Exception {
    return thread.submit(step).get(10, TimeUnit.SECONDS);
  }

  private static boolean reserveOn(ExecutorService thread, ChannelBudget budget) throws Exception {
    return on(thread, budget::tryReserve);
  }

  private static int reserveAll(ChannelBudget budget) {
    int n = 0;
    while (budget.tryReserve()) n++;
    return n;
  }

  private ChannelBudget withLanes(int limit) throws Exception {
    ChannelBudget budget = new ChannelBudget(limit, 2);
    on(lane0, () -> { budget.joinLane(0); return null; });
    on(lane1, () -> { budget.joinLane(1); return null; });
    return budget;
  }

  @Test
  void placesFreeInOneLaneAreNotLostToAnother() throws Exception {
    ChannelBudget budget = withLanes(4096);
    // Lane 0 takes one place, and with it a chunk it holds free.
    assertTrue(reserveOn(lane0, budget));
    assertEquals(1, budget.open());
    // Lane 1 and a thread of no lane take everything else, the places lane 0 holds free too.
    int byLane1 = on(lane1, () -> reserveAll(budget));
    assertEquals(4095, byLane1 + reserveAll(budget), "every place but lane 0's one in use");
    assertEquals(4096, budget.open());
    assertFalse(budget.tryReserve(), "the limit is reached");
    assertFalse(reserveOn(lane0, budget));
    assertFalse(reserveOn(lane1, budget));
  }

  @Test
  void neverMoreThanTheLimitWhoeverTakesAndGivesBack() throws Exception {
    ChannelBudget budget = withLanes(100);
    int a = on(lane0, () -> reserveAll(budget));
    assertEquals(100, a);
    // Given back on another lane: places are alike, the total is what counts.
    on(lane1, () -> { for (int i = 0; i < 60; i++) budget.release(); return null; });
    assertEquals(40, budget.open());
    int b = on(lane0, () -> reserveAll(budget));
    assertEquals(60, b, "lane 0 gets exactly the 60 places lane 1 holds free");
    assertEquals(100, budget.open());
    for (int i = 0; i < 100; i++) budget.release();
    assertEquals(0, budget.open());
    assertEquals(100, on(lane1, () -> reserveAll(budget)));
  }

  @Test
  void aLaneGivesItsSurplusBack() throws Exception {
    ChannelBudget budget = withLanes(256000);
    on(lane0, () -> {
      for (int i = 0; i < 1000; i++) assertTrue(budget.tryReserve());
      for (int i = 0; i < 1000; i++) budget.release();
      return null;
    });
    assertEquals(0, budget.open());
    // Lane 0 keeps less than two chunks (of at most 64) free: the rest went back to the
    // shared counter, where a thread of no lane takes them without a steal.
    assertTrue(budget.heldFree() < 128, "lane 0 holds " + budget.heldFree() + " places free");
  }

  @Test
  void withoutLanesEveryPlaceIsShared() {
    ChannelBudget budget = new ChannelBudget(3);
    assertEquals(3, reserveAll(budget));
    budget.release();
    assertEquals(2, budget.open());
    assertTrue(budget.tryReserve());
    assertFalse(budget.tryReserve());
  }
}
