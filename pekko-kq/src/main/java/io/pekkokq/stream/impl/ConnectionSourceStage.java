package io.pekkokq.stream.impl;

import io.pekkokq.metrics.Api;
import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.socket.Acceptor;
import io.pekkokq.socket.Channel;
import io.pekkokq.socket.EdgeCoalescer;
import io.pekkokq.socket.ListenerGroup;
import io.pekkokq.poll.Poller;
import io.pekkokq.socket.SocketOptions;
import io.pekkokq.sys.Errno;
import io.pekkokq.sys.Socket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.io.Inet;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BindFailedException;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.GraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;
import scala.Tuple2;

/**
 * INTERNAL API. A listening socket as a Source of connections: the port logic over a
 * {@link ListenerGroup} (the one the listener actor uses too: one listening socket, or
 * one per poller with listener sharding, shard {@code i} on poller {@code i}), one accept
 * per downstream pull over all shards (as Pekko's ConnectionSourceStage), readiness from
 * each shard's poller as an async callback. An accepted connection's socket registers
 * with the poller whose thread materializes its flow, else (Pekko's dispatchers) with the
 * poller of the shard that accepted it (one listener: the next poller, round-robin).
 *
 * <p>Binding happens in preStart (bind and listen never block). {@code unbind()} or
 * downstream cancellation close the listening socket and complete the stage; connections
 * already accepted are separate stages and keep working. An accepted connection whose
 * flow is never materialized is reset after register-timeout.
 *
 * <p>The same stage serves TCP and Unix domain sockets: the {@link ConnectionKind} makes
 * the objects the API hands out, and a Unix listener's socket file is handled as the
 * settings say ({@code pekko.io.kq.unix-domain-socket}).
 *
 * @param <I> the accepted connections emitted
 * @param <B> the materialized binding
 */
public final class ConnectionSourceStage<I, B>
    extends GraphStageWithMaterializedValue<SourceShape<I>, CompletionStage<B>> {
  private static final String ACCEPT_RETRY = "accept-retry";

  private final Outlet<I> out = Outlet.create("KqConnectionSource.out");
  private final SourceShape<I> shape = SourceShape.of(out);
  private final ConnectionKind<I, B, ?> kind;
  private final SocketAddress endpoint;
  private final int backlog;
  private final Iterable<Inet.SocketOption> options;
  private final boolean halfClose;
  private final Duration idleTimeout;

  public ConnectionSourceStage(
      ConnectionKind<I, B, ?> kind,
      SocketAddress endpoint,
      int backlog,
      Iterable<Inet.SocketOption> options,
      boolean halfClose,
      Duration idleTimeout) {
    this.kind = kind;
    this.endpoint = endpoint;
    this.backlog = backlog;
    this.options = options;
    this.halfClose = halfClose;
    this.idleTimeout = idleTimeout;
  }

  @Override
  public SourceShape<I> shape() {
    return shape;
  }

  @Override
  public Attributes initialAttributes() {
    return Attributes.name("KqConnectionSource");
  }

  @Override
  public Tuple2<GraphStageLogic, CompletionStage<B>> createLogicAndMaterializedValue(
      Attributes inheritedAttributes) {
    CompletableFuture<B> binding = new CompletableFuture<>();
    CompletableFuture<Done> unbound = new CompletableFuture<>();
    CompletableFuture<Done> whenUnbound = new CompletableFuture<>();
    Logic logic = new Logic(binding, unbound, whenUnbound);
    return new Tuple2<>(logic, binding);
  }

  private final class Logic extends TimerGraphStageLogic {
    private final CompletableFuture<B> binding;
    private final CompletableFuture<Done> unbound;
    private final CompletableFuture<Done> whenUnbound;
    private KqRuntime runtime;
    private LoggingAdapter log;
    /** The listening sockets, holding one of max-channels until postStop closes them. */
    private ListenerGroup listeners;
    /** Per shard: its readiness hand-over, and where its accepts go. */
    private EdgeCoalescer[] edges;
    private Acceptor.Target[] targets;
    /** The shard the next accept tries first, rotating so that no shard waits behind another. */
    private int nextShard;
    private AsyncCallback<Integer> readyCallback;
    private AsyncCallback<Integer> unbindCallback;

    Logic(
        CompletableFuture<B> binding,
        CompletableFuture<Done> unbound,
        CompletableFuture<Done> whenUnbound) {
      super(shape);
      this.binding = binding;
      this.unbound = unbound;
      this.whenUnbound = whenUnbound;
      setHandler(
          out,
          new AbstractOutHandler() {
            @Override
            public void onPull() {
              acceptOne();
            }

            @Override
            public void onDownstreamFinish(Throwable cause) {
              completeStage(); // postStop closes the listening socket
            }
          });
    }

    @Override
    public void preStart() {
      runtime = KqRuntime.get(materializer().system());
      log = Logging.getLogger(materializer().system(), ConnectionSourceStage.class);
      readyCallback =
          createAsyncCallback(
              shard -> {
                edges[shard].take();
                listeners.shard(shard).onReady();
                acceptOne();
              });
      unbindCallback = createAsyncCallback(ignored -> completeStage());
      try {
        SocketOptions listenerOptions =
            SocketOptions.forListener(runtime.settings().tcpSocketOptions, options, kind.tcpOptions());
        listeners =
            ListenerGroup.bind(
                new ListenerGroup.Spec(endpoint, backlog, listenerOptions, 1),
                runtime, Api.STREAMS,
                true, // the listening sockets take a place of their own
                log);
        int shards = listeners.size();
        edges = new EdgeCoalescer[shards];
        targets = new Acceptor.Target[shards];
        for (int i = 0; i < shards; i++) {
          int shard = i;
          edges[i] = new EdgeCoalescer(() -> readyCallback.invoke(shard));
          Poller shardPoller = listeners.sharded() ? runtime.pollers().get(i) : runtime.currentOrNextPoller();
          // Sharded: the connection's home is the shard's poller; one listener: any.
          Poller home = listeners.sharded() ? shardPoller : null;
          targets[i] = accepted -> push(out, incoming(accepted, home));
          listeners.shard(i).attach(shardPoller, edges[i]);
        }
        SocketAddress bound = listeners.localAddress();
        binding.complete(
            kind.binding(
                bound,
                () -> {
                  unbindCallback.invoke(0);
                  return unbound;
                },
                whenUnbound));
      } catch (Throwable cause) {
        BindFailedException failed = StreamSupport.bindFailed(cause);
        binding.completeExceptionally(failed);
        failStage(failed);
      }
    }

    /** One connection per pull, from the shards in turn; a failed accept (e.g. EMFILE) is retried shortly. */
    private void acceptOne() {
      int shards = listeners.size();
      int idle = 0; // shards in a row that gave nothing
      while (isAvailable(out) && idle < shards) {
        int i = nextShard;
        nextShard = (nextShard + 1) % shards;
        Acceptor shard = listeners.shard(i);
        int n = shard.acceptable() ? shard.accept(1, targets[i]) : 0;
        if (n < 0) {
          // The connection stays queued in the kernel, and no new edge comes for it.
          log.warning("accept on {} failed: {}", endpoint, Errno.message(n));
          scheduleOnce(ACCEPT_RETRY, Duration.ofMillis(100));
        }
        idle = n > 0 ? 0 : idle + 1;
      }
    }

    /** @param home the poller it registers with unless materialized on a poller's thread; null: the next */
    private I incoming(Socket accepted, Poller home) {
      SocketAddress localAddress;
      SocketAddress remoteAddress;
      try {
        localAddress = accepted.localSocketAddress();
        remoteAddress = accepted.remoteSocketAddress();
      } catch (Exception e) {
        // Reset by the peer already: hand out a flow that fails when materialized.
        localAddress = null;
        remoteAddress = null;
      }
      IncomingConnectionStage stage =
          new IncomingConnectionStage(Channel.of(accepted), runtime.channels(), halfClose, idleTimeout)
              .homePoller(home)
              .sendThrough(runtime.inTransit());
      Duration timeout = runtime.settings().registerTimeout;
      if (timeout != null) {
        // Pekko's connection actor logs its register timeout; a silent RST would leave the
        // peer's "connection reset" unexplained here.
        SocketAddress from = remoteAddress;
        SocketAddress on = localAddress;
        stage.expireAfter(
            // Not on next(): that would take every other turn of the round-robin that
            // spreads the connections themselves over the pollers.
            (home != null ? home : runtime.pollers().first()).schedule(timeout.toNanos(), TimeUnit.NANOSECONDS, () -> {
              if (stage.expire()) {
                log.warning(
                    "reset the connection from {} to {}: its flow was not materialized within"
                        + " pekko.io.kq.register-timeout ({} ms)", from, on, timeout.toMillis());
              }
            }));
      }
      Flow<ByteString, ByteString, org.apache.pekko.NotUsed> flow = Flow.fromGraph(stage);
      return kind.incoming(accepted, localAddress, remoteAddress, flow);
    }

    @Override
    public void onTimer(Object key) {
      listeners.allReady();
      acceptOne();
    }

    @Override
    public void postStop() {
      try {
        if (listeners != null) listeners.close(); // the registrations, the sockets, and their place
      } finally { // whatever the cleanup threw, no materialized value is left hanging
        binding.completeExceptionally(new NoSuchElementException("Binding was unbound before it was completely finished"));
        unbound.complete(Done.getInstance());
        whenUnbound.complete(Done.getInstance());
      }
    }
  }

  @Override
  public String toString() {
    return "KqConnectionSource(" + endpoint + ")";
  }
}
