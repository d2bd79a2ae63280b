package io.pekkokq.io.unix;

import io.pekkokq.sys.PeerCredentials;
import io.pekkokq.sys.UnixAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.io.Tcp;

/**
 * Unix domain stream sockets on the actor API: two commands for {@code
 * KqTcp.get(system).manager()}, {@link Bind} and {@link Connect}, and the two events that
 * differ from TCP's, {@link Bound} and {@link Connected} (Pekko's carry
 * InetSocketAddresses). Everything after them is Pekko's own {@code Tcp} protocol, sent to
 * and from the connection actor exactly as for TCP: {@code Register}, {@code Write} (with
 * acks, {@code CompoundWrite}, {@code WritePath}), {@code Received}, {@code
 * SuspendReading}/{@code ResumeReading}, {@code ConfirmedClose}, {@code Abort}, the
 * close events, {@code Unbind}/{@code Unbound} and {@code CommandFailed} (with the
 * command and its cause).
 *
 * <pre>{@code
 * manager.tell(KqUnix.bind(handler, Path.of("/run/app/api.sock")), self);   // -> KqUnix.Bound
 * manager.tell(KqUnix.connect(Path.of("/run/app/api.sock")), self);         // -> KqUnix.Connected
 * }</pre>
 *
 * <p>The listener's socket file is removed when it closes, and a file already at the path
 * fails the Bind, as {@code pekko.io.kq.unix-domain-socket} configures (see
 * docs/unix-domain-sockets.md). Socket options do not apply.
 */
public final class KqUnix {
  private KqUnix() {}

  /** Bind to {@code path}, backlog 128, push mode: each accepted connection is announced at once. */
  public static Bind bind(ActorRef handler, Path path) {
    return new Bind(handler, UnixAddress.of(path), 128, false);
  }

  /** Bind to any Unix name (Linux abstract names too); {@code pullMode} as Pekko's Bind. */
  public static Bind bind(ActorRef handler, UnixAddress address, int backlog, boolean pullMode) {
    return new Bind(handler, address, backlog, pullMode);
  }

  /** Connect to the listener at {@code path}. */
  public static Connect connect(Path path) {
    return new Connect(UnixAddress.of(path), Optional.empty(), Optional.empty(), false);
  }

  /** Connect to any Unix name, from {@code local} when given, within {@code timeout}. */
  public static Connect connect(
      UnixAddress remote, Optional<UnixAddress> local, Optional<Duration> timeout, boolean pullMode) {
    return new Connect(remote, local, timeout, pullMode);
  }

  /** Listen on a Unix name; answered by {@link Bound} (sender: the listener) or CommandFailed. */
  public static final class Bind implements Tcp.Command {
    private final ActorRef handler;
    private final UnixAddress localAddress;
    private final int backlog;
    private final boolean pullMode;

    Bind(ActorRef handler, UnixAddress localAddress, int backlog, boolean pullMode) {
      this.handler = handler;
      this.localAddress = localAddress;
      this.backlog = backlog;
      this.pullMode = pullMode;
    }

    /** Receives {@link Connected} for each accepted connection. */
    public ActorRef handler() {
      return handler;
    }

    public UnixAddress localAddress() {
      return localAddress;
    }

    public int backlog() {
      return backlog;
    }

    /** As Pekko's: accept only against {@code ResumeAccepting} credit. */
    public boolean pullMode() {
      return pullMode;
    }

    @Override
    public String toString() {
      return "KqUnix.Bind(" + handler + ", " + localAddress + ", " + backlog + (pullMode ? ", pull" : "") + ")";
    }
  }

  /** Connect to a Unix name; answered by {@link Connected} (sender: the connection) or CommandFailed. */
  public static final class Connect implements Tcp.Command {
    private final UnixAddress remoteAddress;
    private final Optional<UnixAddress> localAddress;
    private final Optional<Duration> timeout;
    private final boolean pullMode;

    Connect(UnixAddress remoteAddress, Optional<UnixAddress> localAddress, Optional<Duration> timeout, boolean pullMode) {
      this.remoteAddress = remoteAddress;
      this.localAddress = localAddress;
      this.timeout = timeout;
      this.pullMode = pullMode;
    }

    public UnixAddress remoteAddress() {
      return remoteAddress;
    }

    public Optional<UnixAddress> localAddress() {
      return localAddress;
    }

    public Optional<Duration> timeout() {
      return timeout;
    }

    /** As Pekko's: no reading until the first {@code ResumeReading}. */
    public boolean pullMode() {
      return pullMode;
    }

    @Override
    public String toString() {
      return "KqUnix.Connect(" + remoteAddress + localAddress.map(l -> ", from " + l).orElse("") + ")";
    }
  }

  /** The listener is bound; its sender is the listener (send it {@code Unbind}). */
  public static final class Bound implements Tcp.Event {
    private final UnixAddress localName;

    public Bound(UnixAddress localName) {
      this.localName = localName;
    }

    /** The bound name, whatever its form. */
    public UnixAddress localName() {
      return localName;
    }

    /** The bound path; UnsupportedOperationException for a Linux abstract name. */
    public UnixDomainSocketAddress localAddress() {
      return localName.toUnixDomainSocketAddress();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Bound && ((Bound) o).localName.equals(localName);
    }

    @Override
    public int hashCode() {
      return localName.hashCode();
    }

    @Override
    public String toString() {
      return "KqUnix.Bound(" + localName + ")";
    }
  }

  /**
   * A connection is established: to the connect's commander, or to the Bind's handler for
   * an accepted one; its sender is the connection actor (send it {@code Register}). Carries
   * both names and, for every connection, the other side's credentials.
   */
  public static final class Connected implements Tcp.Event {
    private final UnixAddress remoteName;
    private final UnixAddress localName;
    private final PeerCredentials peerCredentials;

    public Connected(UnixAddress remoteName, UnixAddress localName, PeerCredentials peerCredentials) {
      this.remoteName = remoteName;
      this.localName = localName;
      this.peerCredentials = peerCredentials;
    }

    public UnixAddress remoteName() {
      return remoteName;
    }

    public UnixAddress localName() {
      return localName;
    }

    /** The other side's path; an empty path for an unnamed client (the usual case). */
    public UnixDomainSocketAddress remoteAddress() {
      return remoteName.toUnixDomainSocketAddress();
    }

    public UnixDomainSocketAddress localAddress() {
      return localName.toUnixDomainSocketAddress();
    }

    /** Process, user and group of the other side, as the kernel recorded them at connect. */
    public PeerCredentials peerCredentials() {
      return peerCredentials;
    }

    @Override
    public String toString() {
      return "KqUnix.Connected(" + remoteName + ", " + localName + ", " + peerCredentials + ")";
    }
  }
}
