package io.pekkokq.stream.impl;

import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.socket.SocketOptions;
import io.pekkokq.poll.Interest;
import io.pekkokq.poll.Poller;
import io.pekkokq.poll.Registration;
import io.pekkokq.sys.Errno;
import io.pekkokq.sys.NativeMemory;
import io.pekkokq.sys.Socket;
import io.pekkokq.sys.SocketOption;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.io.Inet;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BindFailedException;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.GraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;
import scala.Tuple2;
import scala.jdk.javaapi.FutureConverters;
import scala.runtime.BoxedUnit;

/**
 * INTERNAL API. A listening socket as a Source of connections: one accept per downstream
 * pull (as Pekko's ConnectionSourceStage), readiness from the poller as an async callback.
 *
 * <p>Binding happens in preStart (bind and listen never block). {@code unbind()} or
 * downstream cancellation close the listening socket and complete the stage; connections
 * already accepted are separate stages and keep working. An accepted connection whose
 * flow is never materialized is reset after register-timeout.
 */
public final class ConnectionSourceStage
    extends GraphStageWithMaterializedValue<SourceShape<Tcp.IncomingConnection>, CompletionStage<Tcp.ServerBinding>> {
  private static final String ACCEPT_RETRY = "accept-retry";

  private final Outlet<Tcp.IncomingConnection> out = Outlet.create("KqConnectionSource.out");
  private final SourceShape<Tcp.IncomingConnection> shape = SourceShape.of(out);
  private final InetSocketAddress endpoint;
  private final int backlog;
  private final Iterable<Inet.SocketOption> options;
  private final boolean halfClose;
  private final Duration idleTimeout;

  public ConnectionSourceStage(
      InetSocketAddress endpoint,
      int backlog,
      Iterable<Inet.SocketOption> options,
      boolean halfClose,
      Duration idleTimeout) {
    this.endpoint = endpoint;
    this.backlog = backlog;
    this.options = options;
    this.halfClose = halfClose;
    this.idleTimeout = idleTimeout;
  }

  @Override
  public SourceShape<Tcp.IncomingConnection> shape() {
    return shape;
  }

  @Override
  public Attributes initialAttributes() {
    return Attributes.name("KqConnectionSource");
  }

  @Override
  public Tuple2<GraphStageLogic, CompletionStage<Tcp.ServerBinding>> createLogicAndMaterializedValue(
      Attributes inheritedAttributes) {
    CompletableFuture<Tcp.ServerBinding> binding = new CompletableFuture<>();
    CompletableFuture<BoxedUnit> unbound = new CompletableFuture<>();
    CompletableFuture<Done> whenUnbound = new CompletableFuture<>();
    Logic logic = new Logic(binding, unbound, whenUnbound);
    return new Tuple2<>(logic, binding);
  }

  private final class Logic extends TimerGraphStageLogic {
    private final CompletableFuture<Tcp.ServerBinding> binding;
    private final CompletableFuture<BoxedUnit> unbound;
    private final CompletableFuture<Done> whenUnbound;
    private final AtomicBoolean eventPending = new AtomicBoolean();
    private KqRuntime ext;
    private LoggingAdapter log;
    /** The listening socket, holding one of max-channels until postStop closes it. */
    private CountedSocket listening;
    private Socket socket;
    private Registration registration;
    private boolean acceptable;
    private ByteBuffer acceptedFds;
    private long acceptedFdsAddress;
    private AsyncCallback<Integer> readyCallback;
    private AsyncCallback<Integer> unbindCallback;

    Logic(
        CompletableFuture<Tcp.ServerBinding> binding,
        CompletableFuture<BoxedUnit> unbound,
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
      ext = KqRuntime.get(materializer().system());
      log = Logging.getLogger(materializer().system(), ConnectionSourceStage.class);
      readyCallback =
          createAsyncCallback(
              ignored -> {
                eventPending.set(false);
                acceptable = true;
                acceptOne();
              });
      unbindCallback = createAsyncCallback(ignored -> completeStage());
      InetSocketAddress local = endpoint;
      try {
        if (local.isUnresolved()) throw new java.net.UnknownHostException(local.getHostString());
        listening = CountedSocket.open(ext, local);
        socket = listening.socket();
        socket.setOption(SocketOption.REUSE_ADDRESS, true); // as Java's ServerSocketChannel on Unix
        SocketOptions.beforeBindOrConnect(socket, StreamSupport.scalaOptions(options), log);
        socket.bind(local);
        socket.listen(backlog);
        acceptedFds = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        acceptedFdsAddress = NativeMemory.address(acceptedFds);
        Poller poller = ext.pollers().currentOrNext();
        registration =
            poller.register(
                socket,
                Interest.READ,
                bits -> {
                  if (eventPending.compareAndSet(false, true)) readyCallback.invoke(bits);
                });
        InetSocketAddress bound = socket.localAddress();
        binding.complete(
            new Tcp.ServerBinding(
                new org.apache.pekko.stream.scaladsl.Tcp.ServerBinding(
                    bound,
                    () -> {
                      unbindCallback.invoke(0);
                      return FutureConverters.asScala(unbound);
                    },
                    FutureConverters.asScala(whenUnbound))));
      } catch (Throwable e) {
        Throwable cause =
            e instanceof BindException ? new BindException("[" + local + "] " + e.getMessage()) : e;
        String message = "Bind failed because of " + cause;
        BindFailedException failed =
            new BindFailedException() {
              @Override
              public String getMessage() {
                return message;
              }
            };
        failed.initCause(cause);
        binding.completeExceptionally(failed);
        failStage(failed);
      }
    }

    private void acceptOne() {
      while (acceptable && isAvailable(out) && socket.isOpen()) {
        int n = socket.accept(acceptedFdsAddress, 1);
        if (n == -Errno.EAGAIN) {
          acceptable = false;
          return;
        }
        if (n == -Errno.ECONNABORTED || n == -Errno.EINTR) continue;
        if (n < 0) {
          // e.g. EMFILE: the connection stays queued in the kernel; try again shortly.
          log.warning("accept on {} failed: {}", endpoint, Errno.message(n));
          acceptable = false;
          scheduleOnce(ACCEPT_RETRY, Duration.ofMillis(100));
          return;
        }
        Socket accepted = Socket.adopt(acceptedFds.getInt(0));
        CountedSocket counted = CountedSocket.adopt(ext, accepted);
        if (counted == null) {
          log.warning(
              "closing an accepted connection on {}: max-channels ({}) reached",
              endpoint, ext.settings().maxChannels);
          accepted.close();
          continue;
        }
        push(out, incoming(counted));
      }
    }

    private Tcp.IncomingConnection incoming(CountedSocket counted) {
      Socket accepted = counted.socket();
      InetSocketAddress localAddress;
      InetSocketAddress remoteAddress;
      try {
        StreamSupport.afterConnect(accepted, options, log);
        localAddress = accepted.localAddress();
        remoteAddress = accepted.remoteAddress();
      } catch (Exception e) {
        // Reset by the peer already: hand out a flow that fails when materialized.
        localAddress = null;
        remoteAddress = null;
      }
      IncomingConnectionStage stage =
          new IncomingConnectionStage(counted, halfClose, idleTimeout);
      Duration timeout = ext.settings().registerTimeout;
      if (timeout != null) {
        stage.expireAfter(
            ext.pollers().next().schedule(timeout.toNanos(), TimeUnit.NANOSECONDS, stage::expire));
      }
      Flow<ByteString, ByteString, org.apache.pekko.NotUsed> flow = Flow.fromGraph(stage);
      return new Tcp.IncomingConnection(
          new org.apache.pekko.stream.scaladsl.Tcp.IncomingConnection(localAddress, remoteAddress, flow.asScala()));
    }

    @Override
    public void onTimer(Object key) {
      acceptable = true;
      acceptOne();
    }

    @Override
    public void postStop() {
      try {
        if (registration != null) registration.cancel();
        if (listening != null) listening.close(); // the socket, and its place
      } finally { // whatever the cleanup threw, no materialized value is left hanging
        binding.completeExceptionally(new NoSuchElementException("Binding was unbound before it was completely finished"));
        unbound.complete(BoxedUnit.UNIT);
        whenUnbound.complete(Done.getInstance());
      }
    }
  }

  @Override
  public String toString() {
    return "KqConnectionSource(" + endpoint + ")";
  }
}
