package io.pekkokq.stream;

import java.net.InetSocketAddress;
import java.util.Objects;
import org.apache.pekko.util.ByteString;

/**
 * One UDP datagram in a stream: its bytes and the other end (the destination of one to
 * send, the sender of one received). The shape of pekko-connectors' {@code
 * udp.Datagram}, so code written against its flows maps one to one.
 */
public final class Datagram {
  private final ByteString data;
  private final InetSocketAddress remote;

  private Datagram(ByteString data, InetSocketAddress remote) {
    this.data = Objects.requireNonNull(data, "data");
    this.remote = Objects.requireNonNull(remote, "remote");
  }

  public static Datagram create(ByteString data, InetSocketAddress remote) {
    return new Datagram(data, remote);
  }

  public ByteString getData() {
    return data;
  }

  public InetSocketAddress getRemote() {
    return remote;
  }

  /** Scala-style accessor. */
  public ByteString data() {
    return data;
  }

  /** Scala-style accessor. */
  public InetSocketAddress remote() {
    return remote;
  }

  public Datagram withData(ByteString data) {
    return new Datagram(data, remote);
  }

  public Datagram withRemote(InetSocketAddress remote) {
    return new Datagram(data, remote);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Datagram && data.equals(((Datagram) o).data) && remote.equals(((Datagram) o).remote);
  }

  @Override
  public int hashCode() {
    return 31 * data.hashCode() + remote.hashCode();
  }

  @Override
  public String toString() {
    return "Datagram(" + data.size() + " bytes, " + remote + ")";
  }
}
