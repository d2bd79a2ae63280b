package io.pekkokq.stream.impl;

import org.apache.pekko.stream.javadsl.Tcp;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;
import scala.runtime.BoxedUnit;

/**
 * The scaladsl view of the javadsl connection and binding types the stages produce, for
 * {@code io.pekkokq.stream.scaladsl.KqTcp}. Pekko's javadsl types hide their Scala
 * delegate, so the Scala ones are built anew from the same parts; of the three, only the
 * {@code ServerBinding} constructor is marked internal by Pekko, and it is called here
 * alone ({@code ScaladslKqTcpTest} fails if a Pekko version changes it).
 */
public final class ScaladslShapes {
  private ScaladslShapes() {}

  public static org.apache.pekko.stream.scaladsl.Tcp.IncomingConnection incoming(Tcp.IncomingConnection c) {
    return new org.apache.pekko.stream.scaladsl.Tcp.IncomingConnection(
        c.localAddress(), c.remoteAddress(), c.flow().asScala());
  }

  public static org.apache.pekko.stream.scaladsl.Tcp.OutgoingConnection outgoing(Tcp.OutgoingConnection c) {
    return new org.apache.pekko.stream.scaladsl.Tcp.OutgoingConnection(c.remoteAddress(), c.localAddress());
  }

  public static org.apache.pekko.stream.scaladsl.Tcp.ServerBinding binding(Tcp.ServerBinding b) {
    scala.Function0<Future<BoxedUnit>> unbind = () -> FutureConverters.asScala(b.unbind());
    return new org.apache.pekko.stream.scaladsl.Tcp.ServerBinding(
        b.localAddress(), unbind, FutureConverters.asScala(b.whenUnbound()));
  }
}
