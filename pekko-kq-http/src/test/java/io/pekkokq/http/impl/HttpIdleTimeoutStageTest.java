package io.pekkokq.http.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one-stage HTTP idle timeout behaves as the five stages Pekko HTTP builds it from:
 * elements pass both ways, an idle connection fails both ways with the message given, a
 * TimeoutException from either side is renamed, other failures and completion pass as
 * they are, each direction on its own. No timing is asserted: an idle stream fails within
 * a generous bound, the other cases use a timeout no test run reaches.
 */
class HttpIdleTimeoutStageTest {
  private static final String MESSAGE = "HTTP idle-timeout encountered on connection to [test]";
  private static final Duration NEVER = Duration.ofHours(1);
  private static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("HttpIdleTimeoutStageTest");
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  private static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> stage(Duration timeout) {
    return BidiFlow.fromGraph(new HttpIdleTimeoutStage(timeout, MESSAGE));
  }

  /**
   * Runs {@code fromHttp} and {@code fromNet} through the stage; the results are what
   * reached the net side and the HTTP side.
   */
  private static Pair<CompletionStage<List<ByteString>>, CompletionStage<List<ByteString>>> run(
      Duration timeout, Source<ByteString, ?> fromHttp, Source<ByteString, ?> fromNet) {
    Flow<ByteString, ByteString, CompletionStage<List<ByteString>>> net =
        Flow.fromSinkAndSourceMat(Sink.seq(), fromNet, Keep.left());
    Flow<ByteString, ByteString, CompletionStage<List<ByteString>>> joined = stage(timeout).join(net, Keep.right());
    return fromHttp.viaMat(joined, Keep.right()).toMat(Sink.seq(), Keep.both()).run(system);
  }

  private static Throwable failureOf(CompletionStage<?> stage) {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> stage.toCompletableFuture().get(30, TimeUnit.SECONDS));
    return e.getCause();
  }

  private static <T> T valueOf(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void elementsPassBothWaysAndCompletionEndsEachSide() throws Exception {
    var results =
        run(NEVER, Source.from(List.of(ByteString.fromString("request"))),
            Source.from(List.of(ByteString.fromString("re"), ByteString.fromString("sponse"))));
    assertEquals(List.of(ByteString.fromString("request")), valueOf(results.first()));
    assertEquals(List.of(ByteString.fromString("re"), ByteString.fromString("sponse")), valueOf(results.second()));
  }

  @Test
  void oneSideCompletingLeavesTheOtherFlowing() throws Exception {
    CompletableFuture<CompletableFuture<Optional<ByteString>>> netSide = new CompletableFuture<>();
    Source<ByteString, ?> fromNet = Source.<ByteString>maybe().mapMaterializedValue(netSide::complete);
    var results = run(NEVER, Source.empty(), fromNet);
    // the HTTP side completed: the net side sees the end, then still sends one element
    assertEquals(List.of(), valueOf(results.first()));
    valueOf(netSide).complete(Optional.of(ByteString.fromString("late")));
    assertEquals(List.of(ByteString.fromString("late")), valueOf(results.second()));
  }

  @Test
  void anIdleConnectionFailsBothWaysWithTheMessage() {
    var results = run(Duration.ofMillis(200), Source.never(), Source.never());
    Throwable toNet = failureOf(results.first());
    Throwable toHttp = failureOf(results.second());
    assertInstanceOf(TimeoutException.class, toNet);
    assertEquals(MESSAGE, toNet.getMessage());
    assertInstanceOf(TimeoutException.class, toHttp);
    assertEquals(MESSAGE, toHttp.getMessage());
  }

  @Test
  void aTimeoutFromEitherSideIsRenamed() {
    var fromNet = run(NEVER, Source.never(), Source.failed(new TimeoutException("socket")));
    assertEquals(MESSAGE, failureOf(fromNet.first()).getMessage());
    assertEquals(MESSAGE, failureOf(fromNet.second()).getMessage());
    var fromHttp = run(NEVER, Source.failed(new TimeoutException("http")), Source.never());
    assertEquals(MESSAGE, failureOf(fromHttp.first()).getMessage());
    assertEquals(MESSAGE, failureOf(fromHttp.second()).getMessage());
  }

  @Test
  void otherFailuresPassUnchanged() {
    IllegalStateException boom = new IllegalStateException("boom");
    var results = run(NEVER, Source.never(), Source.failed(boom));
    assertSame(boom, failureOf(results.first()));
    assertSame(boom, failureOf(results.second()));
  }

  @Test
  void checksAsOftenAsPekko() {
    assertEquals(Duration.ofSeconds(1), HttpIdleTimeoutStage.checkInterval(Duration.ofSeconds(60)));
    assertEquals(Duration.ofMillis(125), HttpIdleTimeoutStage.checkInterval(Duration.ofSeconds(1)));
    assertEquals(Duration.ofMillis(100), HttpIdleTimeoutStage.checkInterval(Duration.ofMillis(500)));
    assertEquals(Duration.ofMillis(50), HttpIdleTimeoutStage.checkInterval(Duration.ofMillis(100)));
    assertThrows(IllegalArgumentException.class, () -> new HttpIdleTimeoutStage(Duration.ZERO, MESSAGE));
  }
}
