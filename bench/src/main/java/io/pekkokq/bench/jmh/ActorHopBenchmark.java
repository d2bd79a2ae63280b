package io.pekkokq.bench.jmh;

import io.pekkokq.event.UserTrigger;
import io.pekkokq.io.KqTcp;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The hop the poller dispatchers remove, measured alone: the benchmark thread triggers a
 * USER event ({@code KqTcp.get(system).events().userEvent}), the poller thread wakes and
 * tells an actor, the actor bumps a counter the benchmark thread spins on. The same path
 * as a readiness event reaching a connection actor, minus the socket.
 *
 * <ul>
 *   <li>{@code placement = poller}: the actor runs on {@code pekko.io.kq.poller-0}, so the
 *       poller runs its mailbox itself after the event (one wake-up per op: the poller's).
 *   <li>{@code placement = pool}: the actor runs on Pekko's default dispatcher, so the
 *       poller hands the mailbox to a pool thread (two wake-ups per op), as connection
 *       actors did before the poller dispatchers.
 * </ul>
 *
 * The difference is the cost of one poller-to-pool hand-off. {@link
 * PollerBenchmark#kqUserEvent} is the same round trip with no actor at all.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class ActorHopBenchmark {

  @Param({"poller", "pool"})
  public String placement;

  ActorSystem system;
  UserTrigger trigger;
  volatile long received;

  /** Counts what it receives into the benchmark state; one writer, so a plain increment. */
  static final class Counter extends AbstractActor {
    private final ActorHopBenchmark state;

    Counter(ActorHopBenchmark state) {
      this.state = state;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder().matchAny(m -> state.received = state.received + 1).build();
    }
  }

  @Setup(Level.Trial)
  public void start() {
    system = ActorSystem.create("jmh-actor-hop");
    io.pekkokq.io.KqTcpExt ext = KqTcp.get(system);
    Props props = Props.create(Counter.class, () -> new Counter(this));
    if ("poller".equals(placement)) props = props.withDispatcher(ext.pollerDispatcher(0));
    ActorRef counter = system.actorOf(props, "counter");
    trigger = ext.events().userEvent(counter, "tick");
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    trigger.close();
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Benchmark
  public long userEventToActor() {
    long before = received;
    trigger.trigger();
    while (received == before) Thread.onSpinWait();
    return received;
  }
}
