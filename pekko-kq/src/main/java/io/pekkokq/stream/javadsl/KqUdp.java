package io.pekkokq.stream.javadsl;

import io.pekkokq.stream.Datagram;
import io.pekkokq.stream.impl.DatagramStage;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.io.Inet;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * UDP datagrams as Pekko Streams, with the shapes of pekko-connectors' {@code
 * udp.javadsl.Udp}: a send flow and sink, and a bind flow, over {@link Datagram}. Each
 * materialization opens its own native socket on a poller; datagrams move in batches
 * (recvmmsg / sendmmsg on Linux) and sends are back-pressured by the kernel's send
 * buffer. See docs/udp.md.
 */
public final class KqUdp {
  private KqUdp() {}

  /**
   * Sends each datagram to its remote and emits it once it has left. One unbound
   * dual-stack socket per materialization; it materializes to its local address.
   */
  public static Flow<Datagram, Datagram, NotUsed> sendFlow(ClassicActorSystemProvider system) {
    return sendFlow(List.of(), system);
  }

  public static Flow<Datagram, Datagram, NotUsed> sendFlow(
      List<Inet.SocketOption> options, ClassicActorSystemProvider system) {
    return Flow.fromGraph(new DatagramStage(system.classicSystem(), null, List.copyOf(options)))
        .mapMaterializedValue(bound -> NotUsed.getInstance());
  }

  /** {@link #sendFlow} into {@code Sink.ignore}: sends each datagram, back-pressured. */
  public static Sink<Datagram, NotUsed> sendSink(ClassicActorSystemProvider system) {
    return sendFlow(system).to(Sink.ignore());
  }

  /**
   * A socket bound to {@code localAddress} (port 0: the kernel picks one): datagrams from
   * upstream are sent to their remotes, datagrams received are emitted downstream.
   * Materializes to the bound address (failed if binding fails).
   */
  public static Flow<Datagram, Datagram, CompletionStage<InetSocketAddress>> bindFlow(
      InetSocketAddress localAddress, ClassicActorSystemProvider system) {
    return bindFlow(localAddress, List.of(), system);
  }

  /** As {@link #bindFlow(InetSocketAddress, ClassicActorSystemProvider)}, with socket options. */
  public static Flow<Datagram, Datagram, CompletionStage<InetSocketAddress>> bindFlow(
      InetSocketAddress localAddress, List<Inet.SocketOption> options, ClassicActorSystemProvider system) {
    if (localAddress == null) throw new NullPointerException("localAddress");
    return Flow.fromGraph(new DatagramStage(system.classicSystem(), localAddress, List.copyOf(options)))
        .mapMaterializedValue(bound -> bound);
  }
}
