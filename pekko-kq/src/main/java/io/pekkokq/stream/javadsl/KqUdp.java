package io.pekkokq.stream.javadsl;

import io.pekkokq.stream.Datagram;
import io.pekkokq.stream.impl.DatagramFlows;
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
 * buffer. {@link io.pekkokq.stream.scaladsl.KqUdp} is the Scala twin. See docs/udp.md.
 *
 * <p>Every method refuses a null argument, or an unresolved local address, at the call;
 * without native pollers (the NIO fallback, or {@code pekko.io.kq.native = off}) it throws
 * {@link io.pekkokq.sys.NativeUnavailableException} with the reason: Pekko has no Streams
 * UDP to hand over to.
 */
public final class KqUdp {
  private KqUdp() {}

  /**
   * Sends each datagram to its remote and emits it once it has left. One unbound
   * dual-stack socket per materialization.
   */
  public static Flow<Datagram, Datagram, NotUsed> sendFlow(ClassicActorSystemProvider system) {
    return sendFlow(List.of(), system);
  }

  /** As {@link #sendFlow(ClassicActorSystemProvider)}, with socket options. */
  public static Flow<Datagram, Datagram, NotUsed> sendFlow(
      Iterable<Inet.SocketOption> options, ClassicActorSystemProvider system) {
    return DatagramFlows.send(options, system).mapMaterializedValue(bound -> NotUsed.getInstance());
  }

  /** {@link #sendFlow} into {@code Sink.ignore}: sends each datagram, back-pressured. */
  public static Sink<Datagram, NotUsed> sendSink(ClassicActorSystemProvider system) {
    return sendSink(List.of(), system);
  }

  /** As {@link #sendSink(ClassicActorSystemProvider)}, with socket options. */
  public static Sink<Datagram, NotUsed> sendSink(
      Iterable<Inet.SocketOption> options, ClassicActorSystemProvider system) {
    return sendFlow(options, system).to(Sink.ignore());
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
      InetSocketAddress localAddress, Iterable<Inet.SocketOption> options, ClassicActorSystemProvider system) {
    return DatagramFlows.bind(localAddress, options, system);
  }
}
