package io.pekkokq.socket;

import io.pekkokq.metrics.Api;
import io.pekkokq.metrics.SocketCounts;
import io.pekkokq.runtime.ChannelBudget;
import io.pekkokq.runtime.DirectBufferPool;
import io.pekkokq.runtime.SocketCounters;
import io.pekkokq.sys.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.io.Dns;
import org.apache.pekko.io.dns.DnsProtocol;
import org.apache.pekko.pattern.Patterns;
import scala.Option;

/**
 * An outgoing connection being made, for both APIs: resolve the host name through Pekko's
 * {@code Dns} extension (never blocking a poller), open a socket and take its max-channels
 * place, set its options, bind if asked, start a non-blocking connect, and, on the
 * poller's first edge, {@link #finish()} it, setting the connection options once connected.
 *
 * <p>It counts, for the metrics, the new connection (its driver's), its success ({@link
 * #finish}), and its failure ({@link #failed}, whatever the owner failed it for).
 *
 * <p>Attach the {@link #driver()} after {@link #start} returns, never before: an
 * unconnected socket reports itself writable and hung up, which would look like a
 * finished connect.
 */
public final class Connector {
  private final Socket socket;
  private final SocketDriver driver;
  private final boolean connectedAtOnce;
  /** Null when not counted. */
  private final SocketCounters counters;
  private final SocketOptions options;

  private Connector(
      Socket socket, SocketDriver driver, boolean connectedAtOnce, SocketOptions options, SocketCounters counters) {
    this.socket = socket;
    this.options = options;
    this.driver = driver;
    this.connectedAtOnce = connectedAtOnce;
    this.counters = SocketCounters.active(counters);
  }

  /** Whether {@code remote} is a host name that must be looked up first ({@link #resolve}). */
  public static boolean needsResolution(SocketAddress remote) {
    return Endpoints.isUnresolved(remote);
  }

  /**
   * Looks {@code remote}'s host up through Pekko's {@code Dns} extension, as Pekko's own
   * {@code Tcp} does, so {@code pekko.io.dns.resolver} (the JDK's {@code inet-address} by
   * default, {@code async-dns}, or an application's own) and its cache apply: a cached
   * answer is taken at once, on the caller's thread; otherwise the {@code Dns} manager is
   * asked and the answer comes on whichever thread delivers it. Tells exactly one of
   * {@code resolved} and {@code failed}, within {@code timeout} at the latest.
   *
   * <p>A name the resolver does not know, a resolver failure or no answer within {@code
   * timeout} fail with an {@link UnknownHostException} naming the host and the resolver,
   * the resolver's own failure as cause.
   */
  public static void resolve(
      InetSocketAddress remote,
      ActorSystem system,
      Duration timeout,
      Consumer<InetSocketAddress> resolved,
      Consumer<Throwable> failed) {
    String host = remote.getHostString();
    DnsProtocol.Resolve request = DnsProtocol.resolve(host);
    Option<DnsProtocol.Resolved> cached;
    try {
      cached = Dns.get(system).cache().cached(request);
    } catch (Throwable e) {
      failed.accept(unknownHost(host, system, e));
      return;
    }
    CompletionStage<Object> answer =
        cached.isDefined()
            ? CompletableFuture.completedFuture(cached.get())
            : Patterns.ask(Dns.get(system).manager(), request, timeout);
    answer.whenComplete(
        (reply, error) -> {
          InetSocketAddress address;
          try {
            if (error != null) throw error;
            address = new InetSocketAddress(((DnsProtocol.Resolved) reply).address(), remote.getPort());
          } catch (Throwable e) {
            failed.accept(unknownHost(host, system, e));
            return;
          }
          resolved.accept(address);
        });
  }

  private static UnknownHostException unknownHost(String host, ActorSystem system, Throwable cause) {
    Throwable why = cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null
        ? cause.getCause()
        : cause;
    UnknownHostException e =
        new UnknownHostException(
            "could not resolve " + host + " through Pekko's Dns (pekko.io.dns.resolver = "
                + system.settings().config().getString("pekko.io.dns.resolver") + "): " + why);
    e.initCause(why);
    return e;
  }

  /**
   * Opens a socket for {@code remote}, sets {@code options} ({@link
   * SocketOptions#beforeBindOrConnect}), binds to {@code local} (null: any) and starts
   * connecting.
   *
   * @param budget when not null, the socket takes one of its places ({@link
   *     SocketDriver#holdingPlaceOf}); none left is an IOException naming max-channels
   * @param counters where the connection (as one of {@code api}) and a refusal by
   *     max-channels are counted; null: not counted
   * @throws IOException why it could not start (an UnsupportedSocketOptionException
   *     naming a refused option); nothing is left open then
   */
  public static Connector start(
      SocketAddress remote,
      SocketAddress local,
      SocketOptions options,
      DirectBufferPool pool,
      ChannelBudget budget,
      Api api,
      SocketCounters counters)
      throws IOException {
    if (budget != null) budget.reserveOrThrow(counters);
    Socket socket = null;
    try {
      socket = Endpoints.openStreamSocketFor(remote);
      options.beforeBindOrConnect(socket);
      if (local != null) Endpoints.bind(socket, local);
      boolean now = Endpoints.connect(socket, remote);
      SocketDriver driver = new SocketDriver(Channel.of(socket), pool).countedIn(api, counters);
      if (budget != null) driver.holdingPlaceOf(budget);
      return new Connector(socket, driver, now, options, counters);
    } catch (Throwable e) {
      if (socket != null) socket.close();
      if (budget != null) budget.release();
      throw e;
    }
  }

  public Socket socket() {
    return socket;
  }

  /** The driver of the new socket; attach it to a poller, then wait for its first edge. */
  public SocketDriver driver() {
    return driver;
  }

  /** True when connect(2) succeeded at once (it can, on loopback): no edge to wait for. */
  public boolean connectedAtOnce() {
    return connectedAtOnce;
  }

  /**
   * The one definition of "connected", asked on each edge of a pending connect: the
   * connect's own result (SO_ERROR), then whether the kernel knows the peer. Once
   * connected, the connection options are set ({@link SocketOptions#configureConnected}).
   *
   * @return true when connected (the driver then assumes both directions ready); false
   *     when not yet, and a later edge will tell
   * @throws IOException why the connect failed, or why an option could not be set; a
   *     closed socket (EBADF) is a failure too, never "not yet"
   */
  public boolean finish() throws IOException {
    if (!connectedAtOnce) {
      socket.finishConnect();
      if (!socket.isConnected()) return false;
    }
    options.configureConnected(socket);
    driver.assumeReady();
    if (counters != null) counters.current(null).add(SocketCounts.CONNECTED, 1);
    return true;
  }

  /**
   * Counts a connect that failed for {@code cause} (the resolver's, the kernel's, the
   * owner's timeout): the one place both APIs count a failed connect, by the cause's kind.
   * A refusal by max-channels is not a connect failure (it is counted as a refusal).
   *
   * @param counters null: not counted
   */
  public static void failed(SocketCounters counters, Throwable cause) {
    if (counters != null) counters.connectFailed(cause);
  }
}
