package io.pekkokq.stream.scaladsl;

import io.pekkokq.stream.Datagram;
import io.pekkokq.stream.impl.DatagramFlows;
import java.net.InetSocketAddress;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.io.Inet;
import org.apache.pekko.stream.scaladsl.Flow;
import org.apache.pekko.stream.scaladsl.Sink;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * The Scala twin of {@link io.pekkokq.stream.javadsl.KqUdp}, with the shapes of
 * pekko-connectors' {@code udp.scaladsl.Udp}: Scala {@code Flow}/{@code Sink}, a {@code
 * Future} of the bound address, options as an {@code immutable.Iterable}. Written in Java
 * over the same stage and checks ({@code DatagramFlows}); pekko-connectors' implicit
 * actor system is an explicit last parameter here:
 *
 * <pre>{@code
 * KqUdp.bindFlow(new InetSocketAddress("127.0.0.1", 9000), system).join(Flow[Datagram]).run()
 * }</pre>
 */
public final class KqUdp {
  private KqUdp() {}

  /** Sends each datagram to its remote and emits it once it has left. */
  public static Flow<Datagram, Datagram, NotUsed> sendFlow(ClassicActorSystemProvider system) {
    return io.pekkokq.stream.javadsl.KqUdp.sendFlow(system).asScala();
  }

  /** As {@link #sendFlow(ClassicActorSystemProvider)}, with socket options. */
  public static Flow<Datagram, Datagram, NotUsed> sendFlow(
      scala.collection.immutable.Iterable<Inet.SocketOption> options, ClassicActorSystemProvider system) {
    return io.pekkokq.stream.javadsl.KqUdp.sendFlow(asJava(options), system).asScala();
  }

  /** {@link #sendFlow} into {@code Sink.ignore}. */
  public static Sink<Datagram, NotUsed> sendSink(ClassicActorSystemProvider system) {
    return io.pekkokq.stream.javadsl.KqUdp.sendSink(system).asScala();
  }

  /** As {@link #sendSink(ClassicActorSystemProvider)}, with socket options. */
  public static Sink<Datagram, NotUsed> sendSink(
      scala.collection.immutable.Iterable<Inet.SocketOption> options, ClassicActorSystemProvider system) {
    return io.pekkokq.stream.javadsl.KqUdp.sendSink(asJava(options), system).asScala();
  }

  /** A socket bound to {@code localAddress}; materializes to the bound address. */
  public static Flow<Datagram, Datagram, Future<InetSocketAddress>> bindFlow(
      InetSocketAddress localAddress, ClassicActorSystemProvider system) {
    return bindFlow(localAddress, scala.collection.immutable.List$.MODULE$.empty(), system);
  }

  /** As {@link #bindFlow(InetSocketAddress, ClassicActorSystemProvider)}, with socket options. */
  public static Flow<Datagram, Datagram, Future<InetSocketAddress>> bindFlow(
      InetSocketAddress localAddress,
      scala.collection.immutable.Iterable<Inet.SocketOption> options,
      ClassicActorSystemProvider system) {
    return DatagramFlows.bind(localAddress, asJava(options), system)
        .mapMaterializedValue(FutureConverters::asScala)
        .asScala();
  }

  /** Null stays null, for {@code DatagramFlows} to refuse by name. */
  private static Iterable<Inet.SocketOption> asJava(scala.collection.immutable.Iterable<Inet.SocketOption> options) {
    return options == null ? null : CollectionConverters.asJava(options);
  }
}
