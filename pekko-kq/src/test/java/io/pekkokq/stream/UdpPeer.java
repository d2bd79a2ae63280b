package io.pekkokq.stream;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** Test helper: a JDK UDP socket on loopback that the Streams UDP tests talk to. */
public final class UdpPeer {
  private UdpPeer() {}

  /** Bound to 127.0.0.1 on a free port; a receive waits at most 10 s; room for bursts. */
  public static DatagramSocket open() throws IOException {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    s.setSoTimeout(10_000);
    s.setReceiveBufferSize(1 << 20);
    return s;
  }

  /** The next datagram's text. */
  public static String receive(DatagramSocket s) throws IOException {
    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
    s.receive(p);
    return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
  }
}
