package io.pekkokq.io;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.metrics.KqMetrics;
import io.pekkokq.metrics.jfr.JfrSupport;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * pekko-kq's Flight Recorder events reach a recording: under JFR's default settings a
 * poller held up by a task shows as a slow turn and as blocked (with the poller's stack),
 * and a connection's open and close show when those events are switched on. Read back from the recording's file, as {@code
 * jfr print} would; no timing is asserted beyond "the turn lasted at least the sleep".
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class JfrEventsTest {

  @Test
  void aBlockedPollerAndAConnectionShowInARecording() throws Exception {
    JfrSupport.loadNow(); // the runtime does this on its blocking pool; here before the recording
    ActorSystem system =
        ActorSystem.create(
            "JfrEventsTest",
            ConfigFactory.parseString(
                    "pekko.io.kq.blocked-poller-warning = 200ms\n"
                        + "pekko.io.kq.metrics.slow-turn-threshold = 100ms")
                .withFallback(ConfigFactory.load()));
    Path file = Files.createTempFile("pekko-kq-jfr", ".jfr");
    // JFR's "default" settings, as `jcmd <pid> JFR.start` uses them: the poller events are
    // on by default; the connection events are off by default and switched on here.
    try (Recording recording = new Recording(Configuration.getConfiguration("default"))) {
      recording.enable("io.pekkokq.ConnectionOpened");
      recording.enable("io.pekkokq.ConnectionClosed");
      recording.start();

      KqTcpExt ext = KqTcp.get(system);
      // A task that blocks the poller for 2.5 s: the watchdog (every 100 ms) must see it, also
      // on a machine so loaded that its checks come late.
      CountDownLatch ran = new CountDownLatch(1);
      ext.pollers().get(0).execute(() -> {
        try {
          Thread.sleep(2500);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        ran.countDown();
      });
      assertTrue(ran.await(30, TimeUnit.SECONDS));

      TestKit probe = new TestKit(system);
      ActorRef server = system.actorOf(Props.create(KqTcpEchoTest.EchoServer.class));
      ext.manager().tell(TcpMessage.bind(server, new InetSocketAddress("127.0.0.1", 0), 10), probe.getRef());
      Tcp.Bound bound = probe.expectMsgClass(Duration.ofSeconds(10), Tcp.Bound.class);
      try (Socket s = new Socket()) {
        s.connect(bound.localAddress(), 10_000);
        s.setSoTimeout(20_000);
        s.getOutputStream().write(new byte[] {1, 2, 3});
        InputStream in = s.getInputStream();
        for (int i = 0; i < 3; i++) assertEquals(i + 1, in.read());
      }
      ActorMetricsTest.awaitMetrics(ext, m -> m.actor().closedConnections() == 1);
      recording.stop();
      recording.dump(file);

      List<RecordedEvent> events = RecordingFile.readAllEvents(file);
      List<RecordedEvent> slow = named(events, "io.pekkokq.SlowPollerTurn");
      assertFalse(slow.isEmpty(), "a slow turn: " + names(events));
      assertTrue(
          slow.stream().anyMatch(e -> e.getDuration("turnDuration").compareTo(Duration.ofMillis(2500)) >= 0),
          slow.toString());
      assertEquals("pekko-kq-poller-0", slow.get(0).getString("poller"));

      // The recording is the JVM's: other events may be there, ours must be among them.
      List<RecordedEvent> blocked = named(events, "io.pekkokq.PollerBlocked");
      assertTrue(
          blocked.stream().anyMatch(e -> e.getString("pollerStack").contains("JfrEventsTest")
              && e.getDuration("blockedFor").compareTo(Duration.ofMillis(200)) >= 0),
          "the sleeping task's stall, with the poller's stack: " + blocked);

      List<RecordedEvent> opened = named(events, "io.pekkokq.ConnectionOpened");
      assertTrue(opened.stream().anyMatch(e -> "ACTOR".equals(e.getString("api"))), opened.toString());
      List<RecordedEvent> closed = named(events, "io.pekkokq.ConnectionClosed");
      assertTrue(
          closed.stream().anyMatch(e -> "ACTOR".equals(e.getString("api"))
              && e.getLong("bytesRead") == 3 && e.getLong("bytesWritten") == 3 && !e.getBoolean("aborted")),
          closed.toString());
    } finally {
      TestKit.shutdownActorSystem(system);
      Files.deleteIfExists(file);
    }
  }

  private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
    return events.stream().filter(e -> e.getEventType().getName().equals(name)).collect(Collectors.toList());
  }

  private static String names(List<RecordedEvent> events) {
    return events.stream().map(e -> e.getEventType().getName()).distinct().collect(Collectors.joining(", "));
  }
}
