package io.pekkokq.stream.impl;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.StreamTcpException;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.GraphStageWithMaterializedValue;
import org.apache.pekko.util.ByteString;
import scala.Tuple2;

/**
 * INTERNAL API. A client connection: each materialization connects a new socket
 * (non-blocking connect, its end reported by the poller's WRITABLE edge) and completes the
 * materialized {@code OutgoingConnection} once connected, or fails it with a
 * {@link StreamTcpException} whose cause is the connect failure.
 */
public final class OutgoingConnectionStage
    extends GraphStageWithMaterializedValue<FlowShape<ByteString, ByteString>, CompletionStage<Tcp.OutgoingConnection>> {
  private final Inlet<ByteString> in = Inlet.create("KqOutgoingConnection.in");
  private final Outlet<ByteString> out = Outlet.create("KqOutgoingConnection.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final ConnectSpec connect;
  private final boolean halfClose;
  private final Duration idleTimeout;

  public OutgoingConnectionStage(ConnectSpec connect, boolean halfClose, Duration idleTimeout) {
    this.connect = connect;
    this.halfClose = halfClose;
    this.idleTimeout = idleTimeout;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public Attributes initialAttributes() {
    return Attributes.name("KqOutgoingConnection");
  }

  @Override
  public Tuple2<GraphStageLogic, CompletionStage<Tcp.OutgoingConnection>> createLogicAndMaterializedValue(
      Attributes inheritedAttributes) {
    CompletableFuture<Tcp.OutgoingConnection> connection = new CompletableFuture<>();
    FdStreamLogic logic =
        new FdStreamLogic(shape, in, out, null, halfClose, idleTimeout, connect, inheritedAttributes) {
          @Override
          protected void onConnected() {
            connection.complete(
                new Tcp.OutgoingConnection(
                    new org.apache.pekko.stream.scaladsl.Tcp.OutgoingConnection(remoteAddress, localAddress)));
          }

          @Override
          protected void onStopped() {
            if (!connection.isDone()) {
              connection.completeExceptionally(
                  failure != null
                      ? failure
                      : new StreamTcpException("Connection to " + connect.remote + " stopped before it was established"));
            }
          }
        };
    return new Tuple2<>(logic, connection);
  }

  @Override
  public String toString() {
    return "KqOutgoingConnection(" + connect.remote + ")";
  }
}
