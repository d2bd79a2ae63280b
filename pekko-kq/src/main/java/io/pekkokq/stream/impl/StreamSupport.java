package io.pekkokq.stream.impl;

import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.stream.BindFailedException;
import org.apache.pekko.stream.StreamTcpException;

/** INTERNAL API. Small helpers shared by the stream stages. */
public final class StreamSupport {
  private StreamSupport() {}

  public static Duration orNull(Optional<Duration> d) {
    if (d == null || d.isEmpty()) return null;
    Duration v = d.get();
    return v.isZero() || v.isNegative() ? null : v;
  }

  /** A StreamTcpException whose cause is {@code cause}. */
  public static StreamTcpException tcpException(String message, Throwable cause) {
    StreamTcpException e = new StreamTcpException(message);
    if (cause != null) e.initCause(cause);
    return e;
  }

  /** Pekko's BindFailedException (a message-less singleton type there), saying why. */
  public static BindFailedException bindFailed(Throwable cause) {
    String message = "Bind failed because of " + cause;
    BindFailedException failed =
        new BindFailedException() {
          @Override
          public String getMessage() {
            return message;
          }
        };
    failed.initCause(cause);
    return failed;
  }
}
