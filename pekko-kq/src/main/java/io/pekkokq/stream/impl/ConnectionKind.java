package io.pekkokq.stream.impl;

import io.pekkokq.sys.Socket;
import java.net.SocketAddress;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/**
 * INTERNAL API. What the connection stages hand out, per public API: Pekko's own {@code
 * Tcp} objects ({@link TcpKind}), or the Unix domain socket ones of {@code
 * KqUnixDomainSocket}. The stages themselves ({@link ConnectionSourceStage}, {@link
 * OutgoingConnectionStage}) are the same for every kind: only these objects differ.
 *
 * @param <I> an accepted connection, as the connection Source emits it
 * @param <B> the Source's materialized binding
 * @param <O> an outgoing connection, as the client Flow materializes it
 */
public interface ConnectionKind<I, B, O> {
  /**
   * An accepted connection, whose socket the {@code flow} owns.
   *
   * @param accepted for queries the connection object answers (peer credentials); its
   *     reads, writes and close are the flow's
   * @param local null when the peer reset the connection before it was handed out (the
   *     flow then fails when materialized)
   */
  I incoming(Socket accepted, SocketAddress local, SocketAddress remote, Flow<ByteString, ByteString, NotUsed> flow);

  /** The Source's binding: its address, how to unbind, and when it is unbound. */
  B binding(SocketAddress bound, Supplier<CompletionStage<Done>> unbind, CompletionStage<Done> whenUnbound);

  /** An outgoing connection, once connected. */
  O outgoing(Socket connected, SocketAddress remote, SocketAddress local);

  /** Whether TCP's socket options (the configured defaults, connection options) apply to its sockets. */
  boolean tcpOptions();

  /** A short name for failure messages: "TCP" or "Unix domain socket". */
  String transport();
}
