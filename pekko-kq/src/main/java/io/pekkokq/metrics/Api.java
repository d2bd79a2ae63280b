package io.pekkokq.metrics;

/** The three ways into pekko-kq's sockets, each counted apart in {@link KqMetrics}. */
public enum Api {
  /** The classic actor API: {@code io.pekkokq.io.KqTcp} (TCP and Unix domain sockets). */
  ACTOR,
  /** Pekko Streams: {@code io.pekkokq.stream.javadsl.KqTcp}, {@code KqUnixDomainSocket}, pekko-kq-http. */
  STREAMS,
  /** Byte streams over any descriptor: {@code io.pekkokq.stream.javadsl.FdStreams}. */
  FD_STREAMS
}
