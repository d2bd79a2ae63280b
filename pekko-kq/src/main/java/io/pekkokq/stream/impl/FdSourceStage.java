package io.pekkokq.stream.impl;

import io.pekkokq.stream.ByteDescriptor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.IOResult;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.GraphStageWithMaterializedValue;
import org.apache.pekko.util.ByteString;
import scala.Tuple2;

/**
 * INTERNAL API. The bytes read from a descriptor until end of stream; materializes once,
 * to the count read ({@link IOResult}), or fails with the read's error.
 */
public final class FdSourceStage
    extends GraphStageWithMaterializedValue<SourceShape<ByteString>, CompletionStage<IOResult>> {
  private final Outlet<ByteString> out = Outlet.create("KqFdSource.out");
  private final SourceShape<ByteString> shape = SourceShape.of(out);
  private final ByteDescriptor channel;
  private final AtomicBoolean claimed = new AtomicBoolean();

  public FdSourceStage(ByteDescriptor channel) {
    this.channel = channel;
  }

  @Override
  public SourceShape<ByteString> shape() {
    return shape;
  }

  @Override
  public Attributes initialAttributes() {
    return Attributes.name("KqFdSource");
  }

  @Override
  public Tuple2<GraphStageLogic, CompletionStage<IOResult>> createLogicAndMaterializedValue(
      Attributes inheritedAttributes) {
    if (!claimed.compareAndSet(false, true)) {
      throw new IllegalStateException("A descriptor Source can be materialized once: " + channel);
    }
    CompletableFuture<IOResult> result = new CompletableFuture<>();
    FdStreamLogic logic =
        new FdStreamLogic(shape, null, out, channel, false, null, null, inheritedAttributes) {
          @Override
          protected void onStopped() {
            if (failure != null) result.completeExceptionally(failure);
            else result.complete(IOResult.createSuccessful(bytesRead));
          }
        };
    return new Tuple2<>(logic, result);
  }

  @Override
  public String toString() {
    return "KqFdSource(" + channel + ")";
  }
}
