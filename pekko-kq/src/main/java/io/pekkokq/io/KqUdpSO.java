package io.pekkokq.io;

import io.pekkokq.socket.datagram.NativeDatagramOption;
import io.pekkokq.sys.DatagramSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import org.apache.pekko.io.Inet;

/**
 * UDP socket options pekko-kq adds to Pekko's {@code UdpSO}. Pass them in the options of
 * {@code Udp.Bind} like Pekko's own; {@link KqSO#reusePort} applies to UDP too.
 */
public final class KqUdpSO {
  private KqUdpSO() {}

  /**
   * Joins the multicast group {@code group} on {@code networkInterface} once the socket
   * is bound: IPv4 or IPv6 (bind an IPv6 socket, e.g. to {@code [::]:port}, for an IPv6
   * group). The same option object also works on Pekko's own {@code Udp} (there through
   * {@code DatagramChannel.join}, as Pekko's documentation shows), so one application
   * runs on both.
   * The interface is required, as for {@code DatagramChannel.join}.
   */
  public static Inet.SocketOption joinGroup(InetAddress group, NetworkInterface networkInterface) {
    return new JoinGroup(group, networkInterface);
  }

  /** Multicast membership, applied after bind. */
  public static final class JoinGroup extends Inet.AbstractSocketOptionV2 implements NativeDatagramOption {
    private final InetAddress group;
    private final NetworkInterface networkInterface;

    public JoinGroup(InetAddress group, NetworkInterface networkInterface) {
      if (!group.isMulticastAddress()) throw new IllegalArgumentException("not a multicast group: " + group);
      if (networkInterface == null) throw new NullPointerException("networkInterface");
      this.group = group;
      this.networkInterface = networkInterface;
    }

    public InetAddress group() {
      return group;
    }

    @Override
    public void afterBind(DatagramSocket socket) throws IOException {
      socket.joinGroup(group, networkInterface.getIndex());
    }

    /** On Pekko's own Udp: through the socket's channel, as Pekko's documentation does. */
    @Override
    public void afterBind(java.net.DatagramSocket socket) {
      try {
        socket.getChannel().join(group, networkInterface);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String toString() {
      return "JoinGroup(" + group.getHostAddress() + " on " + networkInterface.getName() + ")";
    }
  }
}
