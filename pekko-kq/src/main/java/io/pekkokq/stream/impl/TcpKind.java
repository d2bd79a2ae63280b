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
import scala.jdk.javaapi.FutureConverters;
import scala.runtime.BoxedUnit;

/** INTERNAL API. The connection objects of {@code KqTcp}: Pekko's own. */
public final class TcpKind
    implements ConnectionKind<Tcp.IncomingConnection, Tcp.ServerBinding, Tcp.OutgoingConnection> {
  public static final TcpKind INSTANCE = new TcpKind();

  private TcpKind() {}

  @Override
  public Tcp.IncomingConnection incoming(
      Socket accepted, SocketAddress local, SocketAddress remote, Flow<ByteString, ByteString, NotUsed> flow) {
    return new Tcp.IncomingConnection(
        new org.apache.pekko.stream.scaladsl.Tcp.IncomingConnection(
            (InetSocketAddress) local, (InetSocketAddress) remote, flow.asScala()));
  }

  @Override
  public Tcp.ServerBinding binding(
      SocketAddress bound, Supplier<CompletionStage<Done>> unbind, CompletionStage<Done> whenUnbound) {
    return new Tcp.ServerBinding(
        new org.apache.pekko.stream.scaladsl.Tcp.ServerBinding(
            (InetSocketAddress) bound,
            () -> FutureConverters.asScala(unbind.get().thenApply(done -> BoxedUnit.UNIT)),
            FutureConverters.asScala(whenUnbound)));
  }

  @Override
  public Tcp.OutgoingConnection outgoing(Socket connected, SocketAddress remote, SocketAddress local) {
    return new Tcp.OutgoingConnection(
        new org.apache.pekko.stream.scaladsl.Tcp.OutgoingConnection(
            (InetSocketAddress) remote, (InetSocketAddress) local));
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
