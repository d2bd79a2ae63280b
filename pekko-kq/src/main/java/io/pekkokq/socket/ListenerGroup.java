package io.pekkokq.socket;

import io.pekkokq.runtime.ChannelBudget;
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
   * Binds {@code shards} listening sockets for {@code local} (fewer, one, where sharding
   * does not apply: see the class comment), each as {@link Acceptor#bind} would, with the
   * same backlog each.
   *
   * @throws IOException as {@link Acceptor#bind}: a BindException naming the address also
   *     when a sharded listener of this JVM holds it; nothing is left open or taken then
   */
  public static ListenerGroup bind(
      SocketAddress local,
      int backlog,
      SocketOptions options,
      int batch,
      SocketFilePolicy files,
      ChannelBudget budget,
      boolean listenerTakesPlace,
      SocketCounters counters,
      int shards,
      LoggingAdapter log)
      throws IOException {
    if (shards > 1 && !Endpoints.isUnix(local) && options.valueOf(SocketOption.REUSE_PORT) == null) {
      ListenerGroup sharded = sharded(local, backlog, options, batch, files, budget, listenerTakesPlace, counters, shards, log);
      if (sharded != null) return sharded;
    }
    Acceptor single = Acceptor.bind(local, backlog, options, batch, files, budget, listenerTakesPlace, counters, log);
    try {
      return new ListenerGroup(new Acceptor[] {single}, single.socket().localSocketAddress(), null);
    } catch (Throwable e) {
      single.close();
      throw e;
    }
  }

  /** Null when the platform has no load-balancing reuse-port (nothing is open then). */
  private static ListenerGroup sharded(
      SocketAddress local,
      int backlog,
      SocketOptions options,
      int batch,
      SocketFilePolicy files,
      ChannelBudget budget,
      boolean listenerTakesPlace,
      SocketCounters counters,
      int shards,
      LoggingAdapter log)
      throws IOException {
    Acceptor.requireResolved(local);
    Socket[] sockets = new Socket[shards];
    ShardedPorts.Claim claim = null;
    InetSocketAddress bound;
    if (listenerTakesPlace) budget.reserveOrThrow(counters);
    try {
      try {
        sockets[0] = Acceptor.openBound(local, options, files, true);
      } catch (UnsupportedSocketOptionException e) {
        if (e.option() != SocketOption.REUSE_PORT_LB) throw e;
        if (listenerTakesPlace) budget.release();
        return null;
      }
      // Bound, not listening: a refused claim closes a socket no connection ever reached.
      bound = sockets[0].localAddress();
      claim = ShardedPorts.claim(bound);
      for (int i = 1; i < shards; i++) sockets[i] = Acceptor.openBound(bound, options, files, true);
      for (Socket s : sockets) s.listen(backlog);
    } catch (Throwable e) {
      for (Socket s : sockets) if (s != null) s.close();
      if (claim != null) claim.release();
      if (listenerTakesPlace) budget.release();
      if (e instanceof BindException b) throw Acceptor.namingAddress(b, local);
      throw e;
    }
    Acceptor[] acceptors = new Acceptor[shards];
    for (int i = 0; i < shards; i++) {
      boolean first = i == 0;
      acceptors[i] =
          Acceptor.listening(
              sockets[i], local, batch, files, options, budget, first && listenerTakesPlace, counters, first, log);
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

  /** Whether any shard has connections pending ({@link Acceptor#acceptable}). */
  public boolean anyAcceptable() {
    for (Acceptor a : shards) if (a.acceptable()) return true;
    return false;
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
