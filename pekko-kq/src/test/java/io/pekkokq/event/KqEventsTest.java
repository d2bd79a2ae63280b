package io.pekkokq.event;

import static org.junit.jupiter.api.Assertions.*;

import io.pekkokq.io.KqTcp;
import java.time.Duration;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TIMER, USER and SIGNAL events as an actor sees them. */
class KqEventsTest {
  private static ActorSystem system;
  private static KqEvents events;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("KqEventsTest");
    events = KqTcp.get(system).events();
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  @Test
  void aOneShotTimerDeliversItsMessageNotBeforeTheDelay() {
    TestKit probe = new TestKit(system);
    long start = System.nanoTime();
    events.scheduleOnce(Duration.ofMillis(50), probe.getRef(), "tick");
    probe.expectMsg(Duration.ofSeconds(3), "tick");
    assertTrue(System.nanoTime() - start >= Duration.ofMillis(50).toNanos());
    probe.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aPeriodicTimerRepeatsUntilCancelled() {
    TestKit probe = new TestKit(system);
    Cancellable timer = events.scheduleWithFixedDelay(Duration.ZERO, Duration.ofMillis(20), probe.getRef(), "beat");
    probe.expectMsg(Duration.ofSeconds(3), "beat");
    probe.expectMsg(Duration.ofSeconds(3), "beat");
    probe.expectMsg(Duration.ofSeconds(3), "beat");
    assertTrue(timer.cancel());
    assertTrue(timer.isCancelled());
    probe.receiveWhile(Duration.ofMillis(100), m -> m); // a tick may have been in flight
    probe.expectNoMessage(Duration.ofMillis(150));
  }

  @Test
  void thousandsOfTimersAllFireAndCancelledOnesDoNot() {
    TestKit probe = new TestKit(system);
    int count = 5000;
    // A short timer may fire before its cancel under load; then cancel() says so (false).
    java.util.Set<Object> expected = new java.util.HashSet<>();
    for (int i = 0; i < count; i++) {
      Cancellable c = events.scheduleOnce(Duration.ofMillis(i % 100), probe.getRef(), i);
      if (i % 2 == 0 || !c.cancel()) expected.add(i);
    }
    assertTrue(expected.size() < count * 3 / 4, "most cancels come in time: " + expected.size());
    java.util.Set<Object> seen = new java.util.HashSet<>();
    for (int i = 0; i < expected.size(); i++) seen.add(probe.expectMsgClass(Duration.ofSeconds(5), Integer.class));
    assertEquals(expected, seen, "exactly the timers not cancelled in time fired, once each");
    probe.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aUserEventTriggeredFromAPlainThreadReachesTheActor() throws Exception {
    TestKit probe = new TestKit(system);
    UserTrigger trigger = events.userEvent(probe.getRef(), "poked");
    Thread plain = new Thread(trigger::trigger);
    plain.start();
    plain.join();
    probe.expectMsg(Duration.ofSeconds(3), "poked");
    trigger.trigger();
    probe.expectMsg(Duration.ofSeconds(3), "poked");
    trigger.close();
    trigger.trigger();
    probe.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aSignalSentToThisJvmArrivesAsAMessage() throws Exception {
    TestKit probe = new TestKit(system);
    SignalSubscription subscription = events.subscribeSignal("USR1", probe.getRef());
    try {
      Process kill = new ProcessBuilder("kill", "-USR1", Long.toString(ProcessHandle.current().pid())).start();
      assertEquals(0, kill.waitFor());
      SignalReceived received = probe.expectMsgClass(Duration.ofSeconds(5), SignalReceived.class);
      assertEquals("USR1", received.name());
      assertEquals(10, received.number());
    } finally {
      subscription.unsubscribe();
    }
    subscription.unsubscribe(); // idempotent
  }

  @Test
  void signalsTheJvmNeedsAndUnknownNamesAreRefusedClearly() {
    TestKit probe = new TestKit(system);
    IllegalArgumentException segv =
        assertThrows(IllegalArgumentException.class, () -> events.subscribeSignal("SEGV", probe.getRef()));
    assertTrue(segv.getMessage().contains("used by the JVM"), segv.getMessage());
    assertThrows(IllegalArgumentException.class, () -> events.subscribeSignal("QUIT", probe.getRef()));
    assertThrows(IllegalArgumentException.class, () -> events.subscribeSignal("NOSUCH", probe.getRef()));
    assertThrows(NullPointerException.class, () -> events.subscribeSignal("HUP", null));
    assertThrows(NullPointerException.class, () -> events.scheduleOnce(null, probe.getRef(), "x"));
    assertThrows(IllegalArgumentException.class, () -> events.scheduleOnce(Duration.ofMillis(-1), probe.getRef(), "x"));
  }
}
