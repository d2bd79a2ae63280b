package io.pekkokq.http.impl;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.http.javadsl.HttpTerminated;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogicWithLogging;

/**
 * One connection's part in a graceful server termination, between the HTTP layer and
 * the user's handler, with the semantics Pekko HTTP documents for {@code
 * ServerBinding.terminate(hardDeadline)}:
 *
 * <ul>
 *   <li>until termination, requests and responses pass through untouched;
 *   <li>on termination, a connection with no request at the handler fails at once (the
 *       socket closes); one with a request in flight waits for its response, sends it
 *       with {@code Connection: close} and completes;
 *   <li>requests arriving during termination never reach the handler: their bodies are
 *       discarded and they get the settings' termination response
 *       (503 by default) with {@code Connection: close};
 *   <li>at the deadline a connection still waiting answers with that response if it can
 *       and fails, so termination always ends.
 * </ul>
 *
 * <pre>
 *  fromNet request  -> [      ] -> toUser request
 *  toNet   response <- [      ] <- fromUser response
 * </pre>
 *
 * The stage registers with its server's {@link ServerTerminator} when it starts and
 * leaves it when it stops; the termination it reports completes in {@code postStop}. It
 * materializes to that same per-connection terminator, whose {@code whenClosed} is also
 * when the connection counts as closed for {@code max-connections}: the stage sits next
 * to the handler, and it stops in the step in which the handler's two ports have both
 * closed (the one way each closes also closes the net side's port of that direction, or
 * stops the stage), so no stage watching the handler is needed.
 */
public final class GracefulTerminatorStage
    extends AbstractGraphStageWithMaterializedValue<
        BidiShape<HttpResponse, HttpResponse, HttpRequest, HttpRequest>, ServerTerminator.Connection> {
  private static final String DEADLINE = "termination-deadline";

  private final Inlet<HttpRequest> fromNet = Inlet.create("GracefulTerminator.fromNet");
  private final Outlet<HttpRequest> toUser = Outlet.create("GracefulTerminator.toUser");
  private final Inlet<HttpResponse> fromUser = Inlet.create("GracefulTerminator.fromUser");
  private final Outlet<HttpResponse> toNet = Outlet.create("GracefulTerminator.toNet");
  private final BidiShape<HttpResponse, HttpResponse, HttpRequest, HttpRequest> shape =
      BidiShape.of(fromUser, toNet, fromNet, toUser);

  private final ServerTerminator server;
  private final HttpResponse terminationResponse;

  /** @param terminationResponse the settings' {@code termination-deadline-exceeded-response} */
  public GracefulTerminatorStage(ServerTerminator server, HttpResponse terminationResponse) {
    this.server = server;
    this.terminationResponse = terminationResponse;
  }

  @Override
  public BidiShape<HttpResponse, HttpResponse, HttpRequest, HttpRequest> shape() {
    return shape;
  }

  /** The logic, and as materialized value its connection's terminator (the one it registers). */
  @Override
  public Pair<GraphStageLogic, ServerTerminator.Connection> createLogicAndMaterializedValuePair(
      Attributes inheritedAttributes) {
    Logic logic = new Logic();
    return Pair.create(logic, logic);
  }

  private static HttpResponse closing(HttpResponse response) {
    return response.removeHeader("Connection").addHeader(Connection.create("close"));
  }

  private final class Logic extends TimerGraphStageLogicWithLogging implements ServerTerminator.Connection {
    private final CompletableFuture<HttpTerminated> closed = new CompletableFuture<>();
    private final AsyncCallback<Long> terminateSignal;
    private final AsyncCallback<Throwable> failure;
    /** A request went to the handler and its response has not come back yet. */
    private boolean responsePending;
    private long deadlineNanos;

    Logic() {
      super(shape);
      // made here, not in preStart: an invocation before the stage starts is then kept
      terminateSignal = createAsyncCallback(this::startTerminating);
      failure = createAsyncCallback(this::failStage);
      setHandler(fromNet, new AbstractInHandler() {
        @Override
        public void onPush() {
          responsePending = true;
          push(toUser, grab(fromNet));
        }

        @Override
        public void onUpstreamFinish() {
          complete(toUser); // only this direction: a response may still be on its way
        }
      });
      setHandler(toUser, new AbstractOutHandler() {
        @Override
        public void onPull() {
          pull(fromNet);
        }
      });
      setHandler(fromUser, new AbstractInHandler() {
        @Override
        public void onPush() {
          responsePending = false;
          push(toNet, grab(fromUser));
        }

        @Override
        public void onUpstreamFinish() {
          complete(toNet);
        }
      });
      setHandler(toNet, new AbstractOutHandler() {
        @Override
        public void onPull() {
          pull(fromUser);
        }
      });
    }

    @Override
    public void preStart() {
      server.register(this);
    }

    @Override
    public void postStop() {
      server.remove(this);
      closed.complete(PekkoHttpShapes.connectionTerminated());
    }

    @Override
    public CompletableFuture<HttpTerminated> whenClosed() {
      return closed;
    }

    /** Called by the server from any thread; the work happens on the stage's own. */
    @Override
    public CompletableFuture<HttpTerminated> terminate(long deadline) {
      terminateSignal.invoke(deadline); // dropped if the stage has stopped: then `closed` is complete
      return closed;
    }

    private void startTerminating(long deadline) {
      deadlineNanos = deadline;
      log().debug("terminating the connection, {} ms left", remainingMillis());
      if (!responsePending) {
        failStage(PekkoHttpShapes.terminationDeadlineReached()); // closes the connection, as Pekko HTTP's
        return;
      }
      setHandler(fromUser, new AbstractInHandler() {
        @Override
        public void onPush() {
          HttpResponse response = grab(fromUser);
          if (remainingMillis() <= 0) {
            log().warning("server terminating: discarding a response that came after the deadline");
            response = terminationResponse;
          }
          responsePending = false;
          emit(toNet, closing(response), () -> completeStage());
        }
      });
      setHandler(fromNet, new AbstractInHandler() {
        @Override
        public void onPush() {
          HttpRequest request = grab(fromNet);
          log().warning(
              "server terminating ({} ms left): answering {} {} with the termination response",
              remainingMillis(), request.method().value(), request.getUri().path());
          request
              .discardEntityBytes(materializer())
              .completionStage()
              .whenComplete((done, problem) -> {
                if (problem != null) failure.invoke(problem);
              });
          emit(toNet, closing(terminationResponse), () -> completeStage());
        }
      });
      setHandler(toNet, new AbstractOutHandler() {
        @Override
        public void onPull() {
          if (responsePending && !hasBeenPulled(fromUser) && !isClosed(fromUser)) pull(fromUser);
        }
      });
      scheduleOnce(DEADLINE, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    @Override
    public void onTimer(Object timerKey) {
      RuntimeException reached = PekkoHttpShapes.terminationDeadlineReached();
      if (responsePending) emit(toNet, closing(terminationResponse), () -> failStage(reached));
      else failStage(reached);
    }

    private long remainingMillis() {
      return (deadlineNanos - System.nanoTime()) / 1_000_000;
    }
  }
}
