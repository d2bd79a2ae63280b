package io.pekkokq.socket;

import io.pekkokq.metrics.Api;
import io.pekkokq.runtime.ChannelBudget;
import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.runtime.KqSettings;
import io.pekkokq.runtime.SocketCounters;
import io.pekkokq.sys.Socket;
import io.pekkokq.sys.SocketOption;
import io.pekkokq.sys.UnsupportedSocketOptionException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.apache.pekko.event.LoggingAdapter;

/**
 * The listening sockets of one Bind, for both APIs: one {@link Acceptor} per shard, all on
 * the same address and port with load-balancing SO_REUSEPORT, so that the kernel spreads
 * incoming connections over them (by a hash of the connection's addresses and ports).
 * Its owner attaches shard {@code i} to poller {@code i}, and an accepted connection stays
 * on the poller of the shard that accepted it.
 *
 * <p>One Bind stays one Bind: one max-channels place (held by shard 0), one listener in the
 * metrics, one local address ({@link #localAddress()}); {@link #close()} closes every shard;
 * a failed bind leaves no shard open and no place taken. With port 0 the first shard binds
 * and the others take the port it got. "Port in use" stays an error within this JVM
 * ({@link ShardedPorts}).
 *
 * <p>One listener (a group of one shard) when one is asked for, for a Unix domain socket,
 * when the Bind names reuse-port itself (it shares its port as it asked, which this group
 * must not change), and where the platform has no load-balancing reuse-port (macOS,
 * Windows; {@link SocketOption#REUSE_PORT_LB}).
 */
public final class ListenerGroup {
  private final Acceptor[] shards;
  private final SocketAddress localAddress;
  /** Null for a group of one. */
  private final ShardedPorts.Claim claim;

  private ListenerGroup(Acceptor[] shards, SocketAddress localAddress, ShardedPorts.Claim claim) {
    this.shards = shards;
    this.localAddress = localAddress;
    this.claim = claim;
  }

  /**
   * What a Bind asks of its listening sockets, whichever API.
   *
   * @param local the address (a Unix domain socket's path too)
   * @param backlog each listening socket's
   * @param options the Bind's socket options, resolved against the configured defaults
   * @param batch the most connections one {@link Acceptor#accept} takes
   */
  public record Spec(SocketAddress local, int backlog, SocketOptions options, int batch) {}

  /**
   * The one way to open a Bind's listening sockets in an actor system: {@link #bind(Spec,
   * SocketFilePolicy, ChannelBudget, boolean, SocketCounters, int, LoggingAdapter) bind}
   * with what {@code runtime} decides: the socket file policy, max-channels, the counters
   * of {@code api}, and one shard per poller when {@code tcp.listener-sharding} is on.
   *
   * @param listenerTakesPlace whether the Bind takes a max-channels place here (held by the
   *     first shard); false when its owner took it already
   * @throws IOException as {@link #bind(Spec, SocketFilePolicy, ChannelBudget, boolean,
   *     SocketCounters, int, LoggingAdapter) bind}
   */
  public static ListenerGroup bind(
      Spec spec, KqRuntime runtime, Api api, boolean listenerTakesPlace, LoggingAdapter log) throws IOException {
    KqSettings settings = runtime.settings();
    return bind(
        spec,
        SocketFilePolicy.from(settings),
        runtime.channels(), listenerTakesPlace, runtime.counters(api),
        settings.listenerSharding ? runtime.pollers().size() : 1,
        log);
  }

  /**
   * Binds {@code shards} listening sockets for {@code spec.local()} (fewer, one, where
   * sharding does not apply: see the class comment), each with the spec's backlog. The
   * listening socket gets SO_REUSEADDR (as Java's ServerSocketChannel on Unix) and the
   * spec's options ({@link SocketOptions#beforeBindOrConnect}); each accepted socket gets
   * {@link SocketOptions#configureConnected}. Under {@link #bind(Spec, KqRuntime, Api,
   * boolean, LoggingAdapter)}, and for tests with a budget of their own.
   *
   * @param files for a Unix domain listener, what happens to its socket file (removed
   *     before bind, after close, or neither); {@link SocketFilePolicy#UNTOUCHED} for TCP
   * @param budget max-channels: every accepted socket takes a place of it
   * @param listenerTakesPlace whether the Bind takes one too (held by the first shard,
   *     given back when it closes); false when its owner took it already
   * @param counters where the listener, its accepts, refusals and close are counted; null:
   *     not counted
   * @throws IOException why not (an IOException naming max-channels when no place is
   *     left, a BindException naming the address, also when a sharded listener of this JVM
   *     holds it, an UnsupportedSocketOptionException naming a refused option); nothing
   *     is left open or taken then
   */
  static ListenerGroup bind(
      Spec spec,
      SocketFilePolicy files,
      ChannelBudget budget,
      boolean listenerTakesPlace,
      SocketCounters counters,
      int shards,
      LoggingAdapter log)
      throws IOException {
    boolean shardable =
        shards > 1 && !Endpoints.isUnix(spec.local()) && spec.options().valueOf(SocketOption.REUSE_PORT) == null;
    if (shardable) {
      ListenerGroup sharded = open(spec, files, budget, listenerTakesPlace, counters, shards, log);
      if (sharded != null) return sharded;
    }
    return open(spec, files, budget, listenerTakesPlace, counters, 1, log);
  }

  /**
   * {@code count} listening sockets on one address; more than one are shards (load-balancing
   * reuse-port, a {@link ShardedPorts} claim). Null when shards were asked for and the
   * platform has no load-balancing reuse-port (nothing is open or taken then).
   */
  private static ListenerGroup open(
      Spec spec,
      SocketFilePolicy files,
      ChannelBudget budget,
      boolean listenerTakesPlace,
      SocketCounters counters,
      int count,
      LoggingAdapter log)
      throws IOException {
    SocketAddress local = spec.local();
    SocketOptions options = spec.options();
    Acceptor.requireResolved(local);
    boolean balanced = count > 1;
    Socket[] sockets = new Socket[count];
    ShardedPorts.Claim claim = null;
    SocketAddress bound;
    if (listenerTakesPlace) budget.reserveOrThrow(counters);
    try {
      try {
        sockets[0] = Acceptor.openBound(local, options, files, balanced);
      } catch (UnsupportedSocketOptionException e) {
        if (!balanced || e.option() != SocketOption.REUSE_PORT_LB) throw e;
        if (listenerTakesPlace) budget.release();
        return null;
      }
      bound = sockets[0].localSocketAddress();
      if (balanced) {
        // Bound, not listening: a refused claim closes a socket no connection ever reached.
        claim = ShardedPorts.claim((InetSocketAddress) bound);
        for (int i = 1; i < count; i++) sockets[i] = Acceptor.openBound(bound, options, files, true);
      }
      for (Socket s : sockets) s.listen(spec.backlog());
    } catch (Throwable e) {
      for (Socket s : sockets) if (s != null) s.close();
      if (claim != null) claim.release();
      if (listenerTakesPlace) budget.release();
      if (e instanceof BindException b) throw Acceptor.namingAddress(b, local);
      throw e;
    }
    Acceptor[] acceptors = new Acceptor[count];
    for (int i = 0; i < count; i++) {
      boolean first = i == 0;
      acceptors[i] =
          Acceptor.listening(
              sockets[i], local, spec.batch(), files, options, budget, first && listenerTakesPlace, counters, first, log);
    }
    return new ListenerGroup(acceptors, bound, claim);
  }

  /** How many listening sockets: 1, or one per poller when sharded. */
  public int size() {
    return shards.length;
  }

  /** Whether the kernel spreads this Bind's connections over several listening sockets. */
  public boolean sharded() {
    return shards.length > 1;
  }

  public Acceptor shard(int index) {
    return shards[index];
  }

  /** The address all shards listen on (the port the kernel chose for port 0). */
  public SocketAddress localAddress() {
    return localAddress;
  }

  /** The first shard's socket (the one a single listener would have). */
  public Socket socket() {
    return shards[0].socket();
  }

  /** Marks every shard as having connections pending (a retry after a failed accept). */
  public void allReady() {
    for (Acceptor a : shards) a.onReady();
  }

  /**
   * Closes every shard ({@link Acceptor#close()}), then frees the address for another
   * sharded Bind. Idempotent; connections already accepted stay open.
   */
  public void close() {
    try {
      for (Acceptor a : shards) a.close();
    } finally {
      if (claim != null) claim.release();
    }
  }

  @Override
  public String toString() {
    return "ListenerGroup(" + localAddress + ", " + shards.length + " shard(s))";
  }
}
