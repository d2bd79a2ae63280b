package io.pekkokq.http.impl;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * The HTTP idle timeout of one connection, in one stage: what Pekko HTTP builds from
 * five (an identity and a {@code mapError} on each side of {@code
 * BidiFlow.bidirectionalIdleTimeout}), with the same behaviour:
 *
 * <ul>
 *   <li>every element either way is activity; when none passed for {@code timeout} the
 *       stage fails both ways with a {@link TimeoutException} carrying {@code message}
 *       (Pekko HTTP's wording), checked as often as Pekko checks ({@link
 *       #checkInterval}: a second for timeouts above one, else an eighth of the timeout
 *       within 100 ms and half of it);
 *   <li>a {@link TimeoutException} failing either side is renamed the same way, as Pekko
 *       HTTP's {@code mapError} renames it; other failures and completion pass unchanged,
 *       each direction on its own (completion of one side completes its outlet only).
 * </ul>
 *
 * Why one stage: every request and every response passed through all five, and each
 * hop is a push and a pull in the interpreter; the stages a request passes are most of
 * its CPU outside the kernel (docs/pekko-http.md, "Numbers").
 *
 * <pre>
 *  fromNet bytes -> [     ] -> toHttp bytes
 *  toNet   bytes <- [     ] <- fromHttp bytes
 * </pre>
 */
public final class HttpIdleTimeoutStage extends GraphStage<BidiShape<ByteString, ByteString, ByteString, ByteString>> {
  private static final String CHECK = "idle-check";

  private final Inlet<ByteString> fromHttp = Inlet.create("HttpIdleTimeout.fromHttp");
  private final Outlet<ByteString> toNet = Outlet.create("HttpIdleTimeout.toNet");
  private final Inlet<ByteString> fromNet = Inlet.create("HttpIdleTimeout.fromNet");
  private final Outlet<ByteString> toHttp = Outlet.create("HttpIdleTimeout.toHttp");
  private final BidiShape<ByteString, ByteString, ByteString, ByteString> shape =
      BidiShape.of(fromHttp, toNet, fromNet, toHttp);

  private final long timeoutNanos;
  private final String message;

  /** @param message the message of the failure both ways when the connection idled */
  public HttpIdleTimeoutStage(Duration timeout, String message) {
    if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive: " + timeout);
    this.timeoutNanos = timeout.toNanos();
    this.message = message;
  }

  /** Pekko's check interval for an idle timeout (its {@code Timers.timeoutCheckInterval}). */
  static Duration checkInterval(Duration timeout) {
    if (timeout.compareTo(Duration.ofSeconds(1)) > 0) return Duration.ofSeconds(1);
    long nanos = timeout.toNanos();
    return Duration.ofNanos(Math.min(Math.max(nanos / 8, Duration.ofMillis(100).toNanos()), nanos / 2));
  }

  @Override
  public BidiShape<ByteString, ByteString, ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public Attributes initialAttributes() {
    return Attributes.name("HttpIdleTimeout");
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new TimerGraphStageLogic(shape) {
      private long deadline = System.nanoTime() + timeoutNanos;

      {
        setHandlers(fromHttp, toNet, new Direction(fromHttp, toNet));
        setHandlers(fromNet, toHttp, new Direction(fromNet, toHttp));
      }

      @Override
      public void preStart() {
        Duration every = checkInterval(Duration.ofNanos(timeoutNanos));
        scheduleWithFixedDelay(CHECK, every, every);
      }

      @Override
      public void onTimer(Object key) {
        if (deadline - System.nanoTime() < 0) failStage(new TimeoutException(message));
      }

      final class Direction extends AbstractInOutHandler {
        private final Inlet<ByteString> in;
        private final Outlet<ByteString> out;

        Direction(Inlet<ByteString> in, Outlet<ByteString> out) {
          this.in = in;
          this.out = out;
        }

        @Override
        public void onPush() {
          deadline = System.nanoTime() + timeoutNanos;
          push(out, grab(in));
        }

        @Override
        public void onPull() {
          pull(in);
        }

        @Override
        public void onUpstreamFinish() {
          complete(out);
        }

        @Override
        public void onUpstreamFailure(Throwable ex) {
          failStage(ex instanceof TimeoutException ? new TimeoutException(message) : ex);
        }

        @Override
        public void onDownstreamFinish(Throwable cause) {
          cancel(in, cause);
        }
      }
    };
  }

  @Override
  public String toString() {
    return "HttpIdleTimeout";
  }
}
