package io.pekkokq.io;

import io.pekkokq.socket.NativeSocketOption;
import io.pekkokq.socket.datagram.NativeDatagramOption;
import io.pekkokq.sys.DatagramSocket;
import io.pekkokq.sys.Socket;
import io.pekkokq.sys.SocketOption;
import java.io.IOException;
import org.apache.pekko.io.Inet;

/**
 * Socket options pekko-kq adds to Pekko's {@code Inet.SO} / {@code Tcp.SO}. Pass them in
 * the options of Bind or Connect like Pekko's own.
 */
public final class KqSO {
  private KqSO() {}

  /** SO_REUSEPORT: several listeners may bind the same address and port. */
  public static Inet.SocketOption reusePort(boolean on) {
    return new ReusePort(on);
  }

  /** SO_REUSEPORT, applied before bind and before connect. */
  public static final class ReusePort extends Inet.AbstractSocketOption
      implements NativeSocketOption, NativeDatagramOption {
    private final boolean on;

    public ReusePort(boolean on) {
      this.on = on;
    }

    public boolean on() {
      return on;
    }

    @Override
    public void applyBeforeBindOrConnect(Socket socket) throws IOException {
      socket.setOption(SocketOption.REUSE_PORT, on);
    }

    /** On a UDP socket (KqUdp, Streams datagrams), before bind. */
    @Override
    public void beforeBind(DatagramSocket socket) throws IOException {
      socket.setOption(SocketOption.REUSE_PORT, on ? 1 : 0);
    }

    @Override
    public String toString() {
      return "ReusePort(" + on + ")";
    }
  }
}
