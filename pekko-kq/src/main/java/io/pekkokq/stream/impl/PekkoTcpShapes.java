package io.pekkokq.stream.impl;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;
import scala.runtime.BoxedUnit;

/**
 * INTERNAL API. The one place where pekko-kq builds Pekko's Streams {@code Tcp} objects:
 * the javadsl and scaladsl {@code ServerBinding}, {@code IncomingConnection} and {@code
 * OutgoingConnection}. Pekko marks their constructors internal ({@code @InternalApi},
 * {@code private[pekko]}), yet a drop-in for Pekko's {@code Tcp} must hand out these very
 * types, so every stage and DSL asks here and nowhere else. {@code PekkoInternalApiTest}
 * calls each method and checks the behaviour pekko-kq relies on, so a Pekko release that
 * changes a constructor fails there (docs/compatibility.md lists them).
 *
 * <p>Pekko's javadsl types hide their Scala delegate, so a scaladsl object is built anew
 * from the same parts ({@link #scaladsl(Tcp.IncomingConnection)} and its twins).
 */
public final class PekkoTcpShapes {
  private PekkoTcpShapes() {}

  // ---- javadsl ---------------------------------------------------------------------

  /** Pekko's javadsl binding: {@code unbind()} runs {@code unbind}; {@code whenUnbound} as given. */
  public static Tcp.ServerBinding binding(
      InetSocketAddress local, Supplier<CompletionStage<Done>> unbind, CompletionStage<Done> whenUnbound) {
    return new Tcp.ServerBinding(scaladslBinding(local, unbind, whenUnbound));
  }

  /** Pekko's javadsl accepted connection, whose {@code handleWith} joins a handler to {@code flow}. */
  public static Tcp.IncomingConnection incoming(
      InetSocketAddress local, InetSocketAddress remote, Flow<ByteString, ByteString, NotUsed> flow) {
    return new Tcp.IncomingConnection(scaladslIncoming(local, remote, flow));
  }

  /** Pekko's javadsl outgoing connection, once connected. */
  public static Tcp.OutgoingConnection outgoing(InetSocketAddress remote, InetSocketAddress local) {
    return new Tcp.OutgoingConnection(new org.apache.pekko.stream.scaladsl.Tcp.OutgoingConnection(remote, local));
  }

  // ---- scaladsl, for io.pekkokq.stream.scaladsl ------------------------------------

  /** The scaladsl view of a binding the stages made. */
  public static org.apache.pekko.stream.scaladsl.Tcp.ServerBinding scaladsl(Tcp.ServerBinding b) {
    return scaladslBinding(b.localAddress(), () -> b.unbind().thenApply(unit -> Done.done()), b.whenUnbound());
  }

  /** The scaladsl view of a connection the stages made. */
  public static org.apache.pekko.stream.scaladsl.Tcp.IncomingConnection scaladsl(Tcp.IncomingConnection c) {
    return scaladslIncoming(c.localAddress(), c.remoteAddress(), c.flow());
  }

  /** The scaladsl view of an outgoing connection the stages made. */
  public static org.apache.pekko.stream.scaladsl.Tcp.OutgoingConnection scaladsl(Tcp.OutgoingConnection c) {
    return new org.apache.pekko.stream.scaladsl.Tcp.OutgoingConnection(c.remoteAddress(), c.localAddress());
  }

  private static org.apache.pekko.stream.scaladsl.Tcp.ServerBinding scaladslBinding(
      InetSocketAddress local, Supplier<CompletionStage<Done>> unbind, CompletionStage<Done> whenUnbound) {
    scala.Function0<Future<BoxedUnit>> unbindAction =
        () -> FutureConverters.asScala(unbind.get().thenApply(done -> BoxedUnit.UNIT));
    return new org.apache.pekko.stream.scaladsl.Tcp.ServerBinding(
        local, unbindAction, FutureConverters.asScala(whenUnbound));
  }

  private static org.apache.pekko.stream.scaladsl.Tcp.IncomingConnection scaladslIncoming(
      InetSocketAddress local, InetSocketAddress remote, Flow<ByteString, ByteString, NotUsed> flow) {
    return new org.apache.pekko.stream.scaladsl.Tcp.IncomingConnection(local, remote, flow.asScala());
  }
}
