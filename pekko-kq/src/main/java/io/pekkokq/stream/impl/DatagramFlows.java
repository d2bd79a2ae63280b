package io.pekkokq.stream.impl;

import io.pekkokq.runtime.NativeChoice;
import io.pekkokq.socket.DatagramDriver;
import io.pekkokq.stream.Datagram;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.io.Inet;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * INTERNAL API. The datagram flows as both DSLs hand them out ({@code javadsl.KqUdp},
 * {@code scaladsl.KqUdp}), so the argument checks and the non-native case are written
 * once: a bad argument is refused at the call, and an actor system without native
 * pollers (the NIO fallback, or {@code pekko.io.kq.native = off}) gets a {@link
 * io.pekkokq.sys.NativeUnavailableException} with the reason at the call, as {@code
 * KqUnixDomainSocket} does: Pekko has no Streams UDP to fall back to.
 */
public final class DatagramFlows {
  private DatagramFlows() {}

  /** An unbound dual-stack socket per materialization; materializes to its local address. */
  public static Flow<Datagram, Datagram, CompletionStage<InetSocketAddress>> send(
      Iterable<Inet.SocketOption> options, ClassicActorSystemProvider system) {
    return flow(null, options, system);
  }

  /** A socket bound to {@code localAddress} per materialization; materializes to the bound address. */
  public static Flow<Datagram, Datagram, CompletionStage<InetSocketAddress>> bind(
      InetSocketAddress localAddress, Iterable<Inet.SocketOption> options, ClassicActorSystemProvider system) {
    Objects.requireNonNull(localAddress, "localAddress");
    if (localAddress.isUnresolved()) {
      throw new IllegalArgumentException(DatagramDriver.unresolvedMessage(localAddress));
    }
    return flow(localAddress, options, system);
  }

  private static Flow<Datagram, Datagram, CompletionStage<InetSocketAddress>> flow(
      InetSocketAddress local, Iterable<Inet.SocketOption> options, ClassicActorSystemProvider system) {
    Objects.requireNonNull(system, "system");
    List<Inet.SocketOption> copy = new ArrayList<>();
    for (Inet.SocketOption o : Objects.requireNonNull(options, "options")) {
      copy.add(Objects.requireNonNull(o, "options: a null option"));
    }
    NativeChoice.get(system.classicSystem()).requireNative();
    return Flow.fromGraph(new DatagramStage(system.classicSystem(), local, List.copyOf(copy)));
  }
}
