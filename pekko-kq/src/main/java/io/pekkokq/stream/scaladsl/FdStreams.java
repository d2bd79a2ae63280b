package io.pekkokq.stream.scaladsl;

import io.pekkokq.stream.ByteDescriptor;
import io.pekkokq.sys.FileDescriptor;
import io.pekkokq.sys.Socket;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.IOResult;
import org.apache.pekko.stream.scaladsl.Flow;
import org.apache.pekko.stream.scaladsl.Sink;
import org.apache.pekko.stream.scaladsl.Source;
import org.apache.pekko.util.ByteString;
import scala.concurrent.Future;
import scala.concurrent.duration.Duration;
import scala.jdk.javaapi.FutureConverters;

/**
 * The Scala twin of {@link io.pekkokq.stream.javadsl.FdStreams}: the same stages, with
 * Scala {@code Source}/{@code Sink}/{@code Flow}, {@code Future} and {@code Duration.Inf}
 * for no idle timeout. Ownership and pollability rules are the javadsl's.
 */
public final class FdStreams {
  private FdStreams() {}

  public static Source<ByteString, Future<IOResult>> source(FileDescriptor descriptor) {
    return source(ByteDescriptor.of(descriptor));
  }

  public static Source<ByteString, Future<IOResult>> source(ByteDescriptor descriptor) {
    return io.pekkokq.stream.javadsl.FdStreams.source(descriptor)
        .mapMaterializedValue(FutureConverters::asScala)
        .asScala();
  }

  public static Sink<ByteString, Future<IOResult>> sink(FileDescriptor descriptor) {
    return sink(ByteDescriptor.of(descriptor));
  }

  public static Sink<ByteString, Future<IOResult>> sink(ByteDescriptor descriptor) {
    return io.pekkokq.stream.javadsl.FdStreams.sink(descriptor)
        .mapMaterializedValue(FutureConverters::asScala)
        .asScala();
  }

  public static Flow<ByteString, ByteString, NotUsed> socketFlow(Socket socket, boolean halfClose, Duration idleTimeout) {
    return flow(ByteDescriptor.socket(socket), halfClose, idleTimeout);
  }

  public static Flow<ByteString, ByteString, NotUsed> flow(
      ByteDescriptor descriptor, boolean halfClose, Duration idleTimeout) {
    Optional<java.time.Duration> idle =
        idleTimeout.isFinite() ? Optional.of(java.time.Duration.ofNanos(idleTimeout.toNanos())) : Optional.empty();
    return io.pekkokq.stream.javadsl.FdStreams.flow(descriptor, halfClose, idle).asScala();
  }
}
