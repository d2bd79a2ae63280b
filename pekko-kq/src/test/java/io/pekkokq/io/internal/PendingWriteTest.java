package io.pekkokq.io.internal;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one PendingWrite a connection reuses from write to write: a write started after a
 * CompoundWrite sees only its own parts, acks go to the new writer, and a cleared write
 * holds nothing of the last one.
 */
class PendingWriteTest {
  private static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("PendingWriteTest");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  private static final class Ack implements Tcp.Event {
    final String id;

    Ack(String id) {
      this.id = id;
    }
  }

  private static Tcp.Write write(String s, String ack) {
    return Tcp.Write$.MODULE$.apply(ByteString.fromString(s), new Ack(ack));
  }

  @Test
  void aReusedWriteCarriesOnlyTheNewCommandAndAcksTheNewWriter() {
    TestKit first = new TestKit(system);
    TestKit second = new TestKit(system);
    ActorRef self = ActorRef.noSender();
    PendingWrite w = new PendingWrite();

    // A compound of five parts, more than the initial slots: the array grows.
    Tcp.WriteCommand compound =
        write("a", "1").$plus$colon(write("bb", "2")).$plus$colon(write("ccc", "3"))
            .$plus$colon(write("dddd", "4")).$plus$colon(write("eeeee", "5"));
    w.start(first.getRef(), compound);
    assertEquals("eeeee", w.bytePart(0).utf8String());
    w.consume(5 + 4, self);
    assertEquals("5", first.expectMsgClass(Duration.ofSeconds(5), Ack.class).id);
    assertEquals("4", first.expectMsgClass(Duration.ofSeconds(5), Ack.class).id);
    w.clear(); // what a connection does when its write completes or is dropped
    assertNull(w.commander);
    assertNull(w.headRemaining);
    assertNull(w.head());

    w.start(second.getRef(), write("xy", "only"));
    assertEquals("xy", w.bytePart(0).utf8String());
    assertNull(w.bytePart(1), "nothing of the earlier compound is left behind the new write");
    w.consume(2, self);
    assertEquals("only", second.expectMsgClass(Duration.ofSeconds(5), Ack.class).id);
    assertNull(w.head());
    first.expectNoMessage(Duration.ofMillis(200));
  }
}
