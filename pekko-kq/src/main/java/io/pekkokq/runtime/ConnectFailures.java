package io.pekkokq.runtime;

import io.pekkokq.metrics.ConnectFailure;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/**
 * INTERNAL API. The one place that tells which {@link ConnectFailure} an exception that
 * ended a connect stands for, for both APIs. The exceptions come from {@code Errno} (the
 * kernel's answer), the resolver, and the connect timeout ({@link ConnectTimeoutException}).
 */
final class ConnectFailures {
  private ConnectFailures() {}

  /** The cause, or null for a refusal by max-channels (counted as such, not as a connect failure). */
  static ConnectFailure classify(Throwable cause) {
    for (Throwable c = cause; c != null; c = c.getCause()) {
      if (c instanceof ChannelBudget.Exhausted) return null;
      if (c instanceof ConnectTimeoutException) return ConnectFailure.TIMED_OUT;
      if (c instanceof UnknownHostException) return ConnectFailure.UNRESOLVED;
      if (c instanceof NoRouteToHostException) return ConnectFailure.UNREACHABLE;
      if (c instanceof ConnectException) {
        String m = c.getMessage();
        if (m != null && m.contains("refused")) return ConnectFailure.REFUSED;
        if (m != null && m.contains("timed out")) return ConnectFailure.TIMED_OUT;
        return ConnectFailure.OTHER;
      }
      if (c.getCause() == c) break;
    }
    return ConnectFailure.OTHER;
  }
}
