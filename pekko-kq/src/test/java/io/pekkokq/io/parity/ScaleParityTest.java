package io.pekkokq.io.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pekkokq.sys.LibKqueue;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;

/**
 * Many connections at once, written as an application would: an echo server actor and one
 * client actor per connection, all on Pekko's public Tcp API.
 */
class ScaleParityTest extends ParityFixture {

  /** Bind handler: registers a fresh {@link Echo} per accepted connection. */
  static final class EchoServer extends AbstractActor {
    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(
              Tcp.Connected.class,
              c -> {
                ActorRef echo = getContext().actorOf(Props.create(Echo.class));
                getSender().tell(TcpMessage.register(echo), getSelf());
              })
          .build();
    }
  }

  /** Echoes every Received back (NoAck writes) and stops when the connection closes. */
  static final class Echo extends AbstractActor {
    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Received.class, r -> getSender().tell(TcpMessage.write(r.data()), getSelf()))
          .match(Tcp.ConnectionClosed.class, c -> getContext().stop(getSelf()))
          .build();
    }
  }

  record Done(int id, String outcome) {}

  /** Connects, sends its payload, waits for the echo, closes, and reports to {@code report}. */
  static final class Client extends AbstractActor {
    private final int id;
    private final ActorRef manager;
    private final InetSocketAddress server;
    private final ActorRef report;
    private final ByteString payload;
    private ByteString echoed = ByteString.emptyByteString();

    Client(int id, ActorRef manager, InetSocketAddress server, ActorRef report) {
      this.id = id;
      this.manager = manager;
      this.server = server;
      this.report = report;
      this.payload = ByteString.fromString("hello from client " + id + " " + "x".repeat(id % 97));
    }

    @Override
    public void preStart() {
      manager.tell(TcpMessage.connect(server), getSelf());
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(
              Tcp.Connected.class,
              c -> {
                getSender().tell(TcpMessage.register(getSelf()), getSelf());
                getSender().tell(TcpMessage.write(payload), getSelf());
              })
          .match(
              Tcp.Received.class,
              r -> {
                echoed = echoed.concat(r.data());
                if (echoed.size() >= payload.size()) getSender().tell(TcpMessage.close(), getSelf());
              })
          .match(
              Tcp.ConnectionClosed.class,
              c -> {
                String outcome = echoed.equals(payload) ? "ok" : "bad echo " + echoed.utf8String();
                if (c != CLOSED) outcome = "closed with " + c;
                finish(outcome);
              })
          .match(Tcp.CommandFailed.class, f -> finish("failed " + f))
          .build();
    }

    private void finish(String outcome) {
      report.tell(new Done(id, outcome), getSelf());
      getContext().stop(getSelf());
    }
  }

  @ParityTest
  void thousandConcurrentConnectionsEachEchoOnce(String d) {
    if (d.equals("kq")) LibKqueue.skipBecause(LibKqueue.OVERFLOW_DROPPED);
    start(d);
    int n = 1000;
    ActorRef server = system.actorOf(Props.create(EchoServer.class));
    TestKit binder = probe();
    binder.send(manager, TcpMessage.bind(server, anyLoopbackPort(), 1024, List.of(), false));
    Tcp.Bound bound = binder.expectMsgClass(T, Tcp.Bound.class);

    TestKit report = probe();
    ActorRef mgr = manager;
    ActorRef reportRef = report.getRef();
    for (int i = 0; i < n; i++) {
      final int id = i;
      system.actorOf(
          Props.create(
              Client.class, () -> new Client(id, mgr, bound.localAddress(), reportRef)));
    }
    Set<Integer> ok = new HashSet<>();
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
    while (ok.size() < n) {
      long left = deadline - System.nanoTime();
      assertTrue(left > 0, "only " + ok.size() + " of " + n + " connections finished");
      Object m = report.receiveOne(java.time.Duration.ofNanos(left));
      assertTrue(m instanceof Done, "only " + ok.size() + " of " + n + " connections finished, got " + m);
      Done done = (Done) m;
      assertEquals("ok", done.outcome(), "client " + done.id());
      assertTrue(ok.add(done.id()), "client " + done.id() + " reported twice");
    }
    report.expectNoMessage(QUIET);
  }
}
