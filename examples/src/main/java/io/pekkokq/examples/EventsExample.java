package io.pekkokq.examples;

import io.pekkokq.event.KqEvents;
import io.pekkokq.event.SignalReceived;
import io.pekkokq.event.UserTrigger;
import io.pekkokq.io.KqTcp;
import java.time.Duration;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;

/**
 * The guide's TIMER, USER and SIGNAL examples in one actor: a periodic and a one-shot
 * timer, a user event triggered from a plain (non-actor) thread, and UNIX signals.
 * Prints its pid; {@code kill -USR1 <pid>} and {@code kill -HUP <pid>} are printed as they
 * arrive, and SIGTERM shuts it down cleanly.
 *
 * <p>Run: {@code mvn -q -pl examples exec:java -Dexec.mainClass=io.pekkokq.examples.EventsExample}
 */
public final class EventsExample {
  public static void main(String[] args) {
    ActorSystem system = ActorSystem.create("events-example");
    system.actorOf(Props.create(Printer.class), "printer");
  }

  static final class Printer extends AbstractActor {
    @Override
    public void preStart() {
      KqEvents events = KqTcp.get(getContext().getSystem()).events();
      ActorRef self = getSelf();
      events.scheduleWithFixedDelay(Duration.ofSeconds(1), Duration.ofSeconds(1), self, "periodic timer");
      events.scheduleOnce(Duration.ofMillis(1500), self, "one-shot timer");
      events.subscribeSignal("USR1", self);
      events.subscribeSignal("HUP", self);
      events.subscribeSignal("TERM", self);
      UserTrigger trigger = events.userEvent(self, "user event from a plain thread");
      Thread plain = new Thread(trigger::trigger, "plain-thread");
      plain.start();
      System.out.println("READY pid " + ProcessHandle.current().pid());
      System.out.flush();
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(SignalReceived.class, s -> {
            System.out.println("signal " + s.name());
            System.out.flush();
            if (s.name().equals("TERM")) {
              System.out.println("shutting down");
              System.out.flush();
              getContext().getSystem().terminate();
            }
          })
          .match(String.class, s -> {
            System.out.println(s);
            System.out.flush();
          })
          .build();
    }
  }
}
