package io.pekkokq.stream.javadsl;

import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.runtime.NativeChoice;
import io.pekkokq.stream.impl.ConnectSpec;
import io.pekkokq.stream.impl.ConnectionSourceStage;
import io.pekkokq.stream.impl.OutgoingConnectionStage;
import io.pekkokq.stream.impl.StreamSupport;
import io.pekkokq.sys.PeerCredentials;
import io.pekkokq.sys.UnixAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Pekko Streams over Unix domain stream sockets, on the native poller, with the shapes of
 * pekko-connectors' {@code UnixDomainSocket} javadsl: a Source of incoming connections
 * bound to a path, and a client Flow per connection.
 *
 * <pre>{@code
 * KqUnixDomainSocket uds = KqUnixDomainSocket.get(system);
 * uds.bind(Path.of("/run/app/echo.sock"))
 *     .to(Sink.foreach(c -> c.handleWith(Flow.of(ByteString.class), system)))
 *     .run(system);
 * }</pre>
 *
 * <p>The stages are the TCP ones ({@code KqTcp}), on the same socket driver; only the
 * connection objects differ: their addresses are {@link UnixDomainSocketAddress}es and an
 * incoming connection carries the peer's {@link PeerCredentials}. Defaults as
 * pekko-connectors: server {@code halfClose = false}, client {@code halfClose = true},
 * backlog 128, no connect timeout. The socket file is removed on unbind unless
 * {@code pekko.io.kq.unix-domain-socket.delete-socket-file-on-unbind = off}; a file
 * already at the path fails the bind (a {@code BindFailedException} whose cause names the
 * path) unless {@code delete-existing-socket-file = on}. Linux abstract names: the {@link
 * UnixAddress} forms. See docs/unix-domain-sockets.md.
 */
public final class KqUnixDomainSocket implements Extension {
  /** The extension id. */
  public static final Id ID = new Id();

  /** pekko-connectors' default listen backlog. */
  public static final int DEFAULT_BACKLOG = 128;

  private KqUnixDomainSocket(ExtendedActorSystem system) {
    // Pekko's NIO Tcp, KqTcp's fallback, has no Unix domain sockets: no fallback here.
    NativeChoice.get(system).requireNative();
    KqRuntime.get(system); // the pollers and buffers the stages share
  }

  /**
   * The extension of this actor system.
   *
   * @throws io.pekkokq.sys.NativeUnavailableException when the actor system runs without
   *     the native library (KqTcp's NIO fallback, or {@code pekko.io.kq.native = off}),
   *     with the reason
   */
  public static KqUnixDomainSocket get(ActorSystem system) {
    return ID.apply(system);
  }

  /** The extension of this actor system. */
  public static KqUnixDomainSocket get(ClassicActorSystemProvider system) {
    return ID.apply(system.classicSystem());
  }

  /** The {@code ExtensionId}. */
  public static final class Id extends AbstractExtensionId<KqUnixDomainSocket> implements ExtensionIdProvider {
    private Id() {}

    @Override
    public KqUnixDomainSocket createExtension(ExtendedActorSystem system) {
      return new KqUnixDomainSocket(system);
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }

  // ---- server ----------------------------------------------------------------------

  /**
   * A Source of the connections to the socket at {@code path}, bound when materialized:
   * one connection is accepted per downstream demand. Cancelling it, or {@code
   * ServerBinding.unbind()}, closes the listening socket (and removes its file, by
   * default); accepted connections stay open.
   *
   * @param backlog the kernel's queue of connections not yet accepted; a client that
   *     finds it full fails at once (Linux) with a ConnectException
   * @param halfClose whether the peer's end of stream leaves our side open until our
   *     upstream completes (true), or our upstream completing closes the socket (false)
   */
  public Source<IncomingConnection, CompletionStage<ServerBinding>> bind(Path path, int backlog, boolean halfClose) {
    return bind(UnixAddress.of(Objects.requireNonNull(path, "path")), backlog, halfClose);
  }

  /** {@link #bind(Path, int, boolean)} with backlog 128 and no half-close. */
  public Source<IncomingConnection, CompletionStage<ServerBinding>> bind(Path path) {
    return bind(path, DEFAULT_BACKLOG, false);
  }

  /**
   * As {@link #bind(Path, int, boolean)}, for any Unix name: a path, or a Linux abstract
   * name ({@link UnixAddress#ofAbstract}), which has no file.
   */
  public Source<IncomingConnection, CompletionStage<ServerBinding>> bind(
      UnixAddress address, int backlog, boolean halfClose) {
    Objects.requireNonNull(address, "address");
    return Source.fromGraph(
        new ConnectionSourceStage<>(
            UnixKind.INSTANCE, address, backlog, Collections.emptyList(), halfClose, null));
  }

  // ---- client ----------------------------------------------------------------------

  /**
   * A client connection flow: each materialization connects anew.
   *
   * @param localAddress a name to bind the client socket to first, or empty (unnamed)
   * @param halfClose whether our upstream completing only half-closes (the peer reads end
   *     of stream, reading goes on until the peer closes), the default
   * @param connectTimeout fail the connection when not connected within it; empty for none
   *     (a Unix connect is immediate on Linux, but not on every kernel)
   */
  public Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> outgoingConnection(
      UnixDomainSocketAddress remoteAddress,
      Optional<UnixDomainSocketAddress> localAddress,
      boolean halfClose,
      Optional<Duration> connectTimeout) {
    Objects.requireNonNull(remoteAddress, "remoteAddress");
    Objects.requireNonNull(localAddress, "localAddress (Optional.empty() for unnamed)");
    return outgoingConnection(
        UnixAddress.of(remoteAddress), localAddress.map(UnixAddress::of), halfClose, connectTimeout);
  }

  /** {@link #outgoingConnection(UnixDomainSocketAddress, Optional, boolean, Optional)} with defaults. */
  public Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> outgoingConnection(Path path) {
    return outgoingConnection(UnixAddress.of(Objects.requireNonNull(path, "path")), Optional.empty(), true, Optional.empty());
  }

  /** As the {@code UnixDomainSocketAddress} form, for any Unix name (Linux abstract names too). */
  public Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> outgoingConnection(
      UnixAddress remoteAddress,
      Optional<UnixAddress> localAddress,
      boolean halfClose,
      Optional<Duration> connectTimeout) {
    Objects.requireNonNull(remoteAddress, "remoteAddress");
    Objects.requireNonNull(localAddress, "localAddress (Optional.empty() for unnamed)");
    Objects.requireNonNull(connectTimeout, "connectTimeout (Optional.empty() for none)");
    return Flow.fromGraph(
        new OutgoingConnectionStage<>(
            UnixKind.INSTANCE,
            new ConnectSpec(
                remoteAddress, localAddress, Collections.emptyList(), StreamSupport.orNull(connectTimeout)),
            halfClose,
            null));
  }

  // ---- the connection objects --------------------------------------------------------

  /** A bound listening socket. */
  public static final class ServerBinding {
    private final UnixAddress localName;
    private final Supplier<CompletionStage<Done>> unbind;
    private final CompletionStage<Done> whenUnbound;

    ServerBinding(UnixAddress localName, Supplier<CompletionStage<Done>> unbind, CompletionStage<Done> whenUnbound) {
      this.localName = localName;
      this.unbind = unbind;
      this.whenUnbound = whenUnbound;
    }

    /**
     * The bound path. UnsupportedOperationException for a Linux abstract name, which the
     * JDK's class cannot hold: {@link #localName()} has every form.
     */
    public UnixDomainSocketAddress localAddress() {
      return localName.toUnixDomainSocketAddress();
    }

    /** The bound name, whatever its form. */
    public UnixAddress localName() {
      return localName;
    }

    /**
     * Closes the listening socket (and removes its file, unless configured otherwise);
     * completes when done. Accepted connections stay open.
     */
    public CompletionStage<Done> unbind() {
      return unbind.get();
    }

    /** Completes when the listener is closed, by {@link #unbind()} or by its Source ending. */
    public CompletionStage<Done> whenUnbound() {
      return whenUnbound;
    }

    @Override
    public String toString() {
      return "ServerBinding(" + localName + ")";
    }
  }

  /** An accepted connection: its flow may be materialized once. */
  public static final class IncomingConnection {
    private final UnixAddress localName;
    private final UnixAddress remoteName;
    private final PeerCredentials peerCredentials;
    private final Flow<ByteString, ByteString, NotUsed> flow;

    IncomingConnection(
        UnixAddress localName,
        UnixAddress remoteName,
        PeerCredentials peerCredentials,
        Flow<ByteString, ByteString, NotUsed> flow) {
      this.localName = localName;
      this.remoteName = remoteName;
      this.peerCredentials = peerCredentials;
      this.flow = flow;
    }

    /** The listener's path (as the JDK reports it; see {@link ServerBinding#localAddress()}). */
    public UnixDomainSocketAddress localAddress() {
      return localName.toUnixDomainSocketAddress();
    }

    /** The client's name: usually unnamed (an empty path), as clients rarely bind. */
    public UnixDomainSocketAddress remoteAddress() {
      return remoteName.toUnixDomainSocketAddress();
    }

    /** The listener's name, whatever its form. */
    public UnixAddress localName() {
      return localName;
    }

    /** The client's name, whatever its form. */
    public UnixAddress remoteName() {
      return remoteName;
    }

    /**
     * Who connected (process, user and group ids as the kernel recorded them at connect);
     * empty when the connection was already gone when accepted.
     */
    public Optional<PeerCredentials> peerCredentials() {
      return Optional.ofNullable(peerCredentials);
    }

    /** The connection as a flow: bytes from the client out, bytes to the client in. */
    public Flow<ByteString, ByteString, NotUsed> flow() {
      return flow;
    }

    /** Materializes {@link #flow()} joined with {@code handler}; returns the handler's value. */
    public <M> M handleWith(Flow<ByteString, ByteString, M> handler, Materializer materializer) {
      return flow.joinMat(handler, org.apache.pekko.stream.javadsl.Keep.right()).run(materializer);
    }

    /** {@link #handleWith(Flow, Materializer)} on the system's materializer. */
    public <M> M handleWith(Flow<ByteString, ByteString, M> handler, ClassicActorSystemProvider system) {
      return handleWith(handler, Materializer.matFromSystem(system));
    }

    @Override
    public String toString() {
      return "IncomingConnection(" + localName + " <- " + remoteName + ", " + peerCredentials + ")";
    }
  }

  /** A client connection, once connected. */
  public static final class OutgoingConnection {
    private final UnixAddress remoteName;
    private final UnixAddress localName;
    private final PeerCredentials peerCredentials;

    OutgoingConnection(UnixAddress remoteName, UnixAddress localName, PeerCredentials peerCredentials) {
      this.remoteName = remoteName;
      this.localName = localName;
      this.peerCredentials = peerCredentials;
    }

    /** The listener's path. */
    public UnixDomainSocketAddress remoteAddress() {
      return remoteName.toUnixDomainSocketAddress();
    }

    /** This side's name: unnamed (an empty path) unless a local address was given. */
    public UnixDomainSocketAddress localAddress() {
      return localName.toUnixDomainSocketAddress();
    }

    public UnixAddress remoteName() {
      return remoteName;
    }

    public UnixAddress localName() {
      return localName;
    }

    /** The listening process's credentials, as the kernel recorded them at connect. */
    public Optional<PeerCredentials> peerCredentials() {
      return Optional.ofNullable(peerCredentials);
    }

    @Override
    public String toString() {
      return "OutgoingConnection(" + localName + " -> " + remoteName + ")";
    }
  }
}
