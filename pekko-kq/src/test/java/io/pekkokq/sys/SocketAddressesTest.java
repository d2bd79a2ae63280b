package io.pekkokq.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The kq_addr record read back as it was written: family, port (all 16 bits), address, scope. */
class SocketAddressesTest {
  private static InetSocketAddress roundTrip(InetSocketAddress a) {
    return SocketAddresses.decode(SocketAddresses.encode(a));
  }

  @Test
  void ipv4WithThePortsAtBothEnds() throws Exception {
    InetAddress ip = InetAddress.getByAddress(new byte[] {(byte) 192, (byte) 168, 1, (byte) 254});
    for (int port : new int[] {0, 1, 32767, 32768, 65535}) {
      assertEquals(new InetSocketAddress(ip, port), roundTrip(new InetSocketAddress(ip, port)));
    }
  }

  @Test
  void ipv6WithAndWithoutAScope() throws Exception {
    byte[] linkLocal = new byte[16];
    linkLocal[0] = (byte) 0xfe;
    linkLocal[1] = (byte) 0x80;
    linkLocal[15] = 7;
    Inet6Address scoped = Inet6Address.getByAddress(null, linkLocal, 3);
    InetSocketAddress back = roundTrip(new InetSocketAddress(scoped, 40000));
    assertEquals(40000, back.getPort());
    assertEquals(3, ((Inet6Address) back.getAddress()).getScopeId());
    assertEquals(scoped, back.getAddress());
    InetAddress loopback6 = InetAddress.getByName("::1");
    assertEquals(new InetSocketAddress(loopback6, 65535), roundTrip(new InetSocketAddress(loopback6, 65535)));
  }

  @Test
  void aMappedIpv4AddressComesBackAsIpv4() throws Exception {
    InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 1}), 5000);
    byte[] record = SocketAddresses.encodeFor(v4, SocketAddresses.FAMILY_INET6);
    InetSocketAddress back = SocketAddresses.decode(record);
    assertTrue(back.getAddress() instanceof Inet4Address, back.toString());
    assertEquals(v4, back);
  }
}
