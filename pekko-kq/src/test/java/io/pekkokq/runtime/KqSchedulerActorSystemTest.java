package io.pekkokq.runtime;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.AbstractActorWithTimers;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.ReceiveTimeout;
import org.apache.pekko.pattern.AskTimeoutException;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An actor system whose every timer runs on {@link KqScheduler}, chosen the way an
 * application opts in ({@code pekko.scheduler.implementation}): ask timeouts, receive
 * timeouts, actor timers and stream timers fire, and the system terminates, stopping the
 * scheduler's thread. Waits are generous and only bound how long a failure takes to show.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KqSchedulerActorSystemTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private ActorSystem system;

  @BeforeAll
  void start() {
    system = ActorSystem.create("KqSchedulerActorSystemTest", ConfigFactory.parseString(
        "pekko.loglevel = WARNING\npekko.scheduler.implementation = \"io.pekkokq.runtime.KqScheduler\"")
        .withFallback(ConfigFactory.load()));
  }

  @AfterAll
  void stop() throws Exception {
    if (system != null && !system.whenTerminated().isCompleted()) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  @Test
  void theSystemRunsOnKqScheduler() {
    assertInstanceOf(KqScheduler.class, system.scheduler());
  }

  @Test
  void anAskTimesOut() {
    ActorRef silent = system.actorOf(Props.create(Silent.class));
    CompletionStage<Object> answer = Patterns.ask(silent, "anyone?", Duration.ofMillis(200));
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> answer.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertInstanceOf(AskTimeoutException.class, e.getCause());
  }

  @Test
  void aReceiveTimeoutArrives() {
    TestKit probe = new TestKit(system);
    system.actorOf(Props.create(Waiting.class, probe.getRef()));
    probe.expectMsgEquals(WAIT, "receive timeout");
  }

  @Test
  void anActorTimerFires() {
    TestKit probe = new TestKit(system);
    system.actorOf(Props.create(Timed.class, probe.getRef()));
    probe.expectMsgEquals(WAIT, "tick");
    probe.expectMsgEquals(WAIT, "tick"); // a periodic timer repeats
  }

  @Test
  void aStreamIdleTimeoutFailsTheStream() {
    CompletionStage<?> done = Source.maybe().idleTimeout(Duration.ofMillis(200)).runWith(Sink.ignore(), system);
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> done.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertInstanceOf(TimeoutException.class, e.getCause());
  }

  @Test
  void terminationCompletesAndStopsTheSchedulerThread() throws Exception {
    ActorSystem own = ActorSystem.create("KqSchedulerTermination", ConfigFactory.parseString(
        "pekko.loglevel = WARNING\npekko.scheduler.implementation = \"io.pekkokq.runtime.KqScheduler\"")
        .withFallback(ConfigFactory.load()));
    assertInstanceOf(KqScheduler.class, own.scheduler());
    String timerThread = "KqSchedulerTermination-scheduler-1";
    assertTrue(threadNamed(timerThread), "the timer thread is made by Pekko's thread factory");
    own.terminate();
    own.getWhenTerminated().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (threadNamed(timerThread)) {
      assertTrue(System.nanoTime() < deadline, timerThread + " still running after termination");
      Thread.sleep(10);
    }
  }

  private static boolean threadNamed(String name) {
    return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
  }

  static final class Silent extends AbstractActor {
    @Override
    public Receive createReceive() {
      return receiveBuilder().build();
    }
  }

  static final class Waiting extends AbstractActor {
    private final ActorRef probe;

    Waiting(ActorRef probe) {
      this.probe = probe;
      getContext().setReceiveTimeout(Duration.ofMillis(100));
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder().match(ReceiveTimeout.class, timeout -> {
        probe.tell("receive timeout", getSelf());
        getContext().cancelReceiveTimeout();
      }).build();
    }
  }

  static final class Timed extends AbstractActorWithTimers {
    private final ActorRef probe;

    Timed(ActorRef probe) {
      this.probe = probe;
      getTimers().startTimerAtFixedRate("tick", "tick", Duration.ofMillis(50));
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder().matchEquals("tick", tick -> probe.tell("tick", getSelf())).build();
    }
  }
}
