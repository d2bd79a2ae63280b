package io.pekkokq.http.impl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.HttpTerminated;

/**
 * The live connections of one server binding, and the one-way switch that terminates
 * them all: {@link #terminate} asks every registered connection to drain (see {@link
 * GracefulTerminatorStage}) by the same deadline, and completes once each has closed. A
 * connection that starts after the switch is told to terminate at once. Thread-safe;
 * the lock is taken once per connection start and end, never per request.
 */
public final class ServerTerminator {
  /** One connection's side: start draining by {@code deadlineNanos} (System.nanoTime), complete when closed. */
  public interface Connection {
    CompletionStage<HttpTerminated> terminate(long deadlineNanos);

    /**
     * Completes (never fails) when the connection's stage has stopped: its handler has seen,
     * or given, the end both ways.
     */
    CompletionStage<HttpTerminated> whenClosed();
  }

  private final LoggingAdapter log;
  private final Set<Connection> alive = new HashSet<>();
  private final CompletableFuture<HttpTerminated> terminated = new CompletableFuture<>();
  private boolean terminating;
  private long deadlineNanos;

  public ServerTerminator(LoggingAdapter log) {
    this.log = log;
  }

  /** Registers a started connection; if termination already began, tells it to terminate now. */
  public void register(Connection connection) {
    long deadline;
    synchronized (this) {
      if (!terminating) {
        alive.add(connection);
        return;
      }
      deadline = deadlineNanos;
    }
    connection.terminate(deadline);
  }

  /** Forgets a connection that has closed (it must call this, or it would be kept forever). */
  public synchronized void remove(Connection connection) {
    if (!terminating) alive.remove(connection);
  }

  /**
   * Terminates every connection by {@code hardDeadline} from now; completes with the
   * server's {@code HttpTerminated} once all have closed (never later than the deadline
   * plus the time their streams take to stop). A second call returns the first's result.
   */
  public CompletionStage<HttpTerminated> terminate(Duration hardDeadline) {
    List<Connection> connections;
    long deadline;
    synchronized (this) {
      if (terminating) {
        log.warning("terminate({}) called while the server is terminating already; ignored", hardDeadline);
        return terminated;
      }
      terminating = true;
      deadline = deadlineNanos = System.nanoTime() + hardDeadline.toNanos();
      connections = new ArrayList<>(alive);
      alive.clear();
    }
    CompletableFuture<?>[] each = new CompletableFuture<?>[connections.size()];
    for (int i = 0; i < each.length; i++) {
      Connection connection = connections.get(i);
      each[i] =
          connection
              .terminate(deadline)
              .exceptionally(
                  failure -> {
                    log.warning("ignoring the failed termination of a connection: {}", failure.getMessage());
                    return PekkoHttpShapes.connectionTerminated();
                  })
              .toCompletableFuture();
    }
    CompletableFuture.allOf(each).thenRun(() -> terminated.complete(PekkoHttpShapes.serverTerminated()));
    return terminated;
  }

  /** How many connections are registered (for tests and metrics). */
  public synchronized int connectionCount() {
    return alive.size();
  }
}
