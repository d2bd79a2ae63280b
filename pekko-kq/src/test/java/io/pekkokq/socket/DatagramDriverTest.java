package io.pekkokq.socket;

import static org.junit.jupiter.api.Assertions.*;

import io.pekkokq.socket.datagram.UdpRuntime;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The datagram driver's own promises, with no actor and no poller in between. */
class DatagramDriverTest {
  private static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("DatagramDriverTest");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  @Test
  void aNewSocketSendsBeforeAnyEdgeFromThePoller() throws Exception {
    InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    DatagramDriver driver = DatagramDriver.bind(UdpRuntime.get(system), any, List.of(), Logging.getLogger(system, this));
    try (java.net.DatagramSocket peer = new java.net.DatagramSocket(any)) {
      peer.setSoTimeout(10_000);
      InetSocketAddress to = (InetSocketAddress) peer.getLocalSocketAddress();
      // Never attached to a poller: no WRITABLE edge will ever come.
      assertTrue(driver.writable(), "a new UDP socket takes datagrams at once");
      List<String> outcomes = new ArrayList<>();
      DatagramDriver.SendOutcome outcome =
          new DatagramDriver.SendOutcome() {
            @Override
            public void sent(DatagramDriver.PendingSend send) {
              outcomes.add("sent " + send.payload.utf8String());
            }

            @Override
            public void failed(DatagramDriver.PendingSend send, IOException cause) {
              outcomes.add("failed " + send.payload.utf8String() + ": " + cause);
            }
          };
      for (int i = 0; i < 3; i++) {
        assertTrue(driver.enqueue(new DatagramDriver.PendingSend(ByteString.fromString("d" + i), to, null, null), outcome));
      }
      assertTrue(driver.flush(outcome), "the queue is empty after one flush");
      assertEquals(List.of("sent d0", "sent d1", "sent d2"), outcomes);
      for (int i = 0; i < 3; i++) {
        DatagramPacket p = new DatagramPacket(new byte[16], 16);
        peer.receive(p);
        assertEquals("d" + i, new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
      }
    } finally {
      driver.close();
    }
  }
}
