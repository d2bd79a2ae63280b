package io.pekkokq.stream.impl;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.StreamTcpException;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.GraphStageWithMaterializedValue;
import org.apache.pekko.util.ByteString;
import scala.Tuple2;

/**
 * INTERNAL API. A client connection: each materialization connects a new socket
 * (non-blocking connect, its end reported by the poller's WRITABLE edge) and completes the
 * materialized {@code OutgoingConnection} once connected, or fails it with a
 * {@link StreamTcpException} whose cause is the connect failure. TCP or Unix domain
 * socket alike: the {@link ConnectionKind} makes the materialized connection object.
 *
 * @param <O> the materialized outgoing connection
 */
public final class OutgoingConnectionStage<O>
    extends GraphStageWithMaterializedValue<FlowShape<ByteString, ByteString>, CompletionStage<O>> {
  private final Inlet<ByteString> in = Inlet.create("KqOutgoingConnection.in");
  private final Outlet<ByteString> out = Outlet.create("KqOutgoingConnection.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final ConnectionKind<?, ?, O> kind;
  private final ConnectSpec connect;
  private final boolean halfClose;
  private final Duration idleTimeout;

  public OutgoingConnectionStage(
      ConnectionKind<?, ?, O> kind, ConnectSpec connect, boolean halfClose, Duration idleTimeout) {
    this.kind = kind;
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
  public Tuple2<GraphStageLogic, CompletionStage<O>> createLogicAndMaterializedValue(
      Attributes inheritedAttributes) {
    CompletableFuture<O> connection = new CompletableFuture<>();
    FdStreamLogic logic =
        new FdStreamLogic(shape, in, out, null, halfClose, idleTimeout, connect, inheritedAttributes) {
          @Override
          protected void onConnected() {
            connection.complete(kind.outgoing(socket(), remoteAddress, localAddress));
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
