package io.pekkokq.stream.impl;

import io.pekkokq.sys.Socket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/** INTERNAL API. The connection objects of {@code KqTcp}: Pekko's own, made by {@link PekkoTcpShapes}. */
public final class TcpKind
    implements ConnectionKind<Tcp.IncomingConnection, Tcp.ServerBinding, Tcp.OutgoingConnection> {
  public static final TcpKind INSTANCE = new TcpKind();

  private TcpKind() {}

  @Override
  public Tcp.IncomingConnection incoming(
      Socket accepted, SocketAddress local, SocketAddress remote, Flow<ByteString, ByteString, NotUsed> flow) {
    return PekkoTcpShapes.incoming((InetSocketAddress) local, (InetSocketAddress) remote, flow);
  }

  @Override
  public Tcp.ServerBinding binding(
      SocketAddress bound, Supplier<CompletionStage<Done>> unbind, CompletionStage<Done> whenUnbound) {
    return PekkoTcpShapes.binding((InetSocketAddress) bound, unbind, whenUnbound);
  }

  @Override
  public Tcp.OutgoingConnection outgoing(Socket connected, SocketAddress remote, SocketAddress local) {
    return PekkoTcpShapes.outgoing((InetSocketAddress) remote, (InetSocketAddress) local);
  }

  @Override
  public boolean tcpOptions() {
    return true;
  }

  @Override
  public String transport() {
    return "TCP";
  }
}
