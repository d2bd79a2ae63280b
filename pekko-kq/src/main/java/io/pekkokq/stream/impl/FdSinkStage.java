package io.pekkokq.stream.impl;

import io.pekkokq.stream.ByteDescriptor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.IOResult;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.SinkShape;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.GraphStageWithMaterializedValue;
import org.apache.pekko.util.ByteString;
import scala.Tuple2;

/**
 * INTERNAL API. Writes the stream's bytes to a descriptor and closes it when upstream
 * completes; materializes once, to the count written ({@link IOResult}) once all bytes
 * were handed to the kernel, or fails with the write's error.
 */
public final class FdSinkStage
    extends GraphStageWithMaterializedValue<SinkShape<ByteString>, CompletionStage<IOResult>> {
  private final Inlet<ByteString> in = Inlet.create("KqFdSink.in");
  private final SinkShape<ByteString> shape = SinkShape.of(in);
  private final ByteDescriptor channel;
  private final AtomicBoolean claimed = new AtomicBoolean();

  public FdSinkStage(ByteDescriptor channel) {
    this.channel = channel;
  }

  @Override
  public SinkShape<ByteString> shape() {
    return shape;
  }

  @Override
  public Attributes initialAttributes() {
    return Attributes.name("KqFdSink");
  }

  @Override
  public Tuple2<GraphStageLogic, CompletionStage<IOResult>> createLogicAndMaterializedValue(
      Attributes inheritedAttributes) {
    if (!claimed.compareAndSet(false, true)) {
      throw new IllegalStateException("A descriptor Sink can be materialized once: " + channel);
    }
    CompletableFuture<IOResult> result = new CompletableFuture<>();
    FdStreamLogic logic =
        new FdStreamLogic(shape, in, null, channel, false, null, null, inheritedAttributes) {
          @Override
          protected void onStopped() {
            if (failure != null) result.completeExceptionally(failure);
            else result.complete(IOResult.createSuccessful(bytesWritten));
          }
        };
    return new Tuple2<>(logic, result);
  }

  @Override
  public String toString() {
    return "KqFdSink(" + channel + ")";
  }
}
