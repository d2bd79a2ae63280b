package io.pekkokq.stream.impl;

import io.pekkokq.socket.DatagramDriver;
import io.pekkokq.socket.EdgeCoalescer;
import io.pekkokq.socket.datagram.UdpRuntime;
import io.pekkokq.stream.Datagram;
import io.pekkokq.sys.Errno;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.io.Inet;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.GraphStageWithMaterializedValue;
import org.apache.pekko.util.ByteString;
import scala.Tuple2;

/**
 * INTERNAL API. One UDP socket as a flow of {@link Datagram}s, over the datagram driver
 * ({@link DatagramDriver}, as the Udp actors) with no actor in between: the poller's readiness reaches the
 * stage through one async callback, as for the TCP stages.
 *
 * <ul>
 *   <li>send flow ({@code local} null): an unbound dual-stack socket; each element is sent
 *       and then emitted downstream, so upstream is pulled again only once the previous
 *       datagram left (back-pressure follows the kernel's send buffer and downstream);
 *   <li>bind flow: a socket bound to {@code local}; elements from upstream are sent
 *       (several queued at most {@code batch-size}, so a burst goes out in one sendmmsg),
 *       and datagrams received are emitted downstream, read only while downstream pulls.
 * </ul>
 *
 * Materializes to the bound address (the send flow's once the kernel gave it one: at
 * start, before any send, it is the wildcard address with port 0). A failed send fails
 * the stage with the reason (e.g. a datagram too large, with its size and UDP's limit).
 */
public final class DatagramStage
    extends GraphStageWithMaterializedValue<FlowShape<Datagram, Datagram>, CompletionStage<InetSocketAddress>> {
  private final Inlet<Datagram> in = Inlet.create("KqUdp.in");
  private final Outlet<Datagram> out = Outlet.create("KqUdp.out");
  private final FlowShape<Datagram, Datagram> shape = FlowShape.of(in, out);
  private final ActorSystem system;
  private final InetSocketAddress local;
  private final List<Inet.SocketOption> options;

  public DatagramStage(ActorSystem system, InetSocketAddress local, List<Inet.SocketOption> options) {
    this.system = system;
    this.local = local;
    this.options = options;
  }

  @Override
  public FlowShape<Datagram, Datagram> shape() {
    return shape;
  }

  @Override
  public Attributes initialAttributes() {
    return Attributes.name(local == null ? "KqUdpSendFlow" : "KqUdpBindFlow");
  }

  @Override
  public Tuple2<GraphStageLogic, CompletionStage<InetSocketAddress>> createLogicAndMaterializedValue(
      Attributes attributes) {
    CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
    return new Tuple2<>(new Logic(bound), bound);
  }

  private final class Logic extends GraphStageLogic
      implements DatagramDriver.Receiver, DatagramDriver.SendOutcome {
    private final CompletableFuture<InetSocketAddress> bound;
    private final boolean sendFlow = local == null;
    private final ArrayDeque<Datagram> received = new ArrayDeque<>();
    private AsyncCallback<Integer> ready;
    private EdgeCoalescer edges;
    private UdpRuntime udp;
    private DatagramDriver endpoint;
    private boolean upstreamDone;

    Logic(CompletableFuture<InetSocketAddress> bound) {
      super(shape);
      this.bound = bound;
      setHandler(in, new AbstractInHandler() {
        @Override
        public void onPush() {
          Datagram d = grab(in);
          if (endpoint.enqueue(new DatagramDriver.PendingSend(d.data(), d.remote(), d, null), Logic.this)) flush();
        }

        @Override
        public void onUpstreamFinish() {
          upstreamDone = true;
          completeIfDone();
        }
      });
      setHandler(out, new AbstractOutHandler() {
        @Override
        public void onPull() {
          if (sendFlow) pullIfRoom();
          else deliver();
        }
      });
    }

    @Override
    public void preStart() {
      udp = UdpRuntime.get(system);
      LoggingAdapter log = Logging.getLogger(system, DatagramStage.class);
      ready = createAsyncCallback(bits -> onReady());
      try {
        endpoint = sendFlow ? DatagramDriver.unbound(udp, options, log) : DatagramDriver.bind(udp, local, options, log);
        edges = new EdgeCoalescer(() -> ready.invoke(0));
        endpoint.attach(udp.runtime().currentOrNextPoller(), edges);
        bound.complete(endpoint.localAddress());
      } catch (IOException | RuntimeException e) {
        fail(e);
        return;
      }
      if (!sendFlow) pull(in);
    }

    private void onReady() {
      endpoint.onReady(edges.take());
      if (endpoint.writable() && endpoint.queued() > 0) flush();
      if (!sendFlow && isAvailable(out)) deliver();
    }

    private void flush() {
      endpoint.flush(this);
      pullIfRoom();
      completeIfDone();
    }

    /** Send flow: one datagram at a time, when downstream wants it. Bind flow: up to a batch. */
    private void pullIfRoom() {
      if (isClosed(in) || hasBeenPulled(in) || upstreamDone) return;
      if (sendFlow ? endpoint.queued() == 0 && isAvailable(out) : endpoint.queued() < udp.settings().batchSize) {
        pull(in);
      }
    }

    /** Upstream finished and every datagram left: complete (after any pending emit). */
    private void completeIfDone() {
      if (upstreamDone && endpoint != null && endpoint.queued() == 0 && !isClosed(out)) complete(out);
    }

    private void deliver() {
      if (received.isEmpty() && endpoint.readable()) {
        int result = endpoint.receive(this, 1);
        if (result < 0) {
          fail(Errno.exception("receive", result));
          return;
        }
      }
      Datagram next = received.poll();
      if (next != null) push(out, next);
    }

    @Override
    public void received(ByteString data, InetSocketAddress sender) {
      received.add(Datagram.create(data, sender));
    }

    @Override
    public void sent(DatagramDriver.PendingSend send) {
      if (sendFlow) emit(out, (Datagram) send.command);
    }

    @Override
    public void failed(DatagramDriver.PendingSend send, IOException cause) {
      fail(cause);
    }

    private void fail(Throwable cause) {
      bound.completeExceptionally(cause);
      failStage(cause);
    }

    @Override
    public void postStop() {
      if (endpoint != null) endpoint.close(); // gives the max-channels place back
      bound.completeExceptionally(new IOException("the UDP stage stopped before binding"));
    }
  }
}
