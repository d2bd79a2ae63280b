package io.pekkokq.stream.javadsl;

import io.pekkokq.stream.ByteDescriptor;
import io.pekkokq.stream.impl.FdSinkStage;
import io.pekkokq.stream.impl.FdSourceStage;
import io.pekkokq.stream.impl.IncomingConnectionStage;
import io.pekkokq.sys.FileDescriptor;
import io.pekkokq.sys.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.IOResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Byte streams over any non-blocking descriptor the poller can watch: pipes, FIFOs,
 * terminals, sockets inherited from elsewhere. TCP ({@link KqTcp}) is one plug among
 * these; docs/streams.md shows how to plug a new kind of descriptor.
 *
 * <p>The descriptor must be non-blocking ({@link FileDescriptor#setNonBlocking}) and
 * pollable: regular files are not (epoll refuses them; use FileIO). Each Source, Sink
 * or Flow made here owns its descriptor (closes it when the stream stops) unless it was
 * wrapped with {@link ByteDescriptor#borrowed}, and can be materialized once. They run on
 * the pekko-kq pollers of the materializer's system (the ones {@code KqTcp} uses too).
 *
 * <p>A null argument is refused at once with a NullPointerException. Without the native
 * library (or with {@code pekko.io.kq.native = off}) there are no pollers: a stream made
 * here then fails when materialized, its materialized value with a {@link
 * io.pekkokq.sys.NativeUnavailableException}. Whatever a plugged-in descriptor's {@code
 * read}, {@code write} or {@code close()} throws, the materialized value completes: it
 * fails with that exception.
 */
public final class FdStreams {
  private FdStreams() {}

  /**
   * The bytes read from {@code descriptor} until end of stream, read only while
   * downstream demands them; materializes to the count read.
   */
  public static Source<ByteString, CompletionStage<IOResult>> source(FileDescriptor descriptor) {
    return source(ByteDescriptor.of(descriptor));
  }

  /** {@link #source(FileDescriptor)} for a plugged-in kind of descriptor. */
  public static Source<ByteString, CompletionStage<IOResult>> source(ByteDescriptor descriptor) {
    Objects.requireNonNull(descriptor, "descriptor");
    return Source.fromGraph(new FdSourceStage(descriptor));
  }

  /**
   * Writes the stream's bytes to {@code descriptor} (pulling only while the descriptor can
   * take more) and closes it when upstream completes; materializes to the count written.
   */
  public static Sink<ByteString, CompletionStage<IOResult>> sink(FileDescriptor descriptor) {
    return sink(ByteDescriptor.of(descriptor));
  }

  /** {@link #sink(FileDescriptor)} for a plugged-in kind of descriptor. */
  public static Sink<ByteString, CompletionStage<IOResult>> sink(ByteDescriptor descriptor) {
    Objects.requireNonNull(descriptor, "descriptor");
    return Sink.fromGraph(new FdSinkStage(descriptor));
  }

  /**
   * A connected, non-blocking stream socket (inherited, or adopted from another library)
   * as a Flow with the semantics of a KqTcp connection.
   */
  public static Flow<ByteString, ByteString, NotUsed> socketFlow(
      Socket socket, boolean halfClose, Optional<Duration> idleTimeout) {
    Objects.requireNonNull(socket, "socket");
    return flow(ByteDescriptor.socket(socket), halfClose, idleTimeout);
  }

  /** A two-way descriptor of a plugged-in kind as a Flow. */
  public static Flow<ByteString, ByteString, NotUsed> flow(
      ByteDescriptor descriptor, boolean halfClose, Optional<Duration> idleTimeout) {
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(idleTimeout, "idleTimeout (Optional.empty() for none)");
    return Flow.fromGraph(
        new IncomingConnectionStage(descriptor, halfClose, idleTimeout.orElse(null)));
  }
}
