package io.pekkokq.http.impl;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.SystemMaterializer;
import org.apache.pekko.http.javadsl.HttpTerminated;
import org.apache.pekko.http.javadsl.IncomingConnection;
import org.apache.pekko.http.javadsl.OutgoingConnection;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.javadsl.Flow;
import org.junit.jupiter.api.Test;

/**
 * Fails when a Pekko HTTP version changes one of the internal constructors or classes
 * {@link PekkoHttpShapes} relies on (the suite would fail too, but less clearly).
 */
class PekkoHttpShapesTest {
  private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 1234);
  private static final InetSocketAddress REMOTE = new InetSocketAddress("127.0.0.1", 5678);

  @Test
  void theServerBindingRunsOurActionsWithPekkoHttpsSemantics() throws Exception {
    CompletableFuture<Done> unbound = new CompletableFuture<>();
    AtomicReference<Duration> deadline = new AtomicReference<>();
    CompletableFuture<HttpTerminated> terminated = new CompletableFuture<>();
    ServerBinding binding = PekkoHttpShapes.javadsl(PekkoHttpShapes.serverBinding(LOCAL, () -> unbound, d -> {
      deadline.set(d);
      return terminated;
    }));
    assertEquals(LOCAL, binding.localAddress());

    CompletableFuture<HttpTerminated> result = binding.terminate(Duration.ofSeconds(7)).toCompletableFuture();
    assertTrue(binding.whenTerminationSignalIssued().toCompletableFuture().isDone(), "signalled at once");
    assertNull(deadline.get(), "terminate unbinds first");
    unbound.complete(Done.done());
    assertEquals(Duration.ofSeconds(7), deadline.get());
    assertFalse(result.isDone());
    terminated.complete(PekkoHttpShapes.serverTerminated());
    assertSame(PekkoHttpShapes.serverTerminated(), result.get(5, TimeUnit.SECONDS));
    assertSame(PekkoHttpShapes.serverTerminated(), binding.whenTerminated().toCompletableFuture().get(5, TimeUnit.SECONDS));
  }

  @Test
  void connectionsCarryTheirAddressesAndTheirFlowMaterializesThroughPekkoHttpsHandleWith() throws Exception {
    CompletableFuture<HttpTerminated> closed = new CompletableFuture<>();
    ServerTerminator.Connection terminator =
        new ServerTerminator.Connection() {
          @Override
          public CompletableFuture<HttpTerminated> terminate(long deadline) {
            return closed;
          }

          @Override
          public CompletableFuture<HttpTerminated> whenClosed() {
            return closed;
          }
        };
    Flow<HttpResponse, HttpRequest, ServerTerminator.Connection> flow =
        Flow.<HttpResponse>create().map(response -> HttpRequest.create()).take(1)
            .mapMaterializedValue(notUsed -> terminator);
    IncomingConnection incoming = PekkoHttpShapes.javadsl(PekkoHttpShapes.incomingConnection(LOCAL, REMOTE, flow));
    assertEquals(LOCAL, incoming.localAddress());
    assertEquals(REMOTE, incoming.remoteAddress());
    ActorSystem system = ActorSystem.create("PekkoHttpShapesTest");
    try {
      // Pekko HTTP's handleWith casts the flow's materialized value to its ServerTerminator
      incoming.handleWithSyncHandler(request -> HttpResponse.create(), SystemMaterializer.get(system).materializer());
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    OutgoingConnection outgoing = PekkoHttpShapes.outgoingConnection(LOCAL, REMOTE);
    assertEquals(LOCAL, outgoing.localAddress());
    assertEquals(REMOTE, outgoing.remoteAddress());
  }

  @Test
  void theTerminationFailureIsTheOnePekkoHttpsServerLayerRecognises() {
    assertEquals(
        "org.apache.pekko.http.impl.engine.server.ServerTerminationDeadlineReached",
        PekkoHttpShapes.terminationDeadlineReached().getClass().getName());
    assertNotSame(PekkoHttpShapes.serverTerminated(), PekkoHttpShapes.connectionTerminated());
  }
}
