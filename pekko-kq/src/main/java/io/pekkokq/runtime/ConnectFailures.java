package io.pekkokq.runtime;

import io.pekkokq.metrics.ConnectFailure;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/**
 * INTERNAL API. The one place that tells which {@link ConnectFailure} an exception that
 * ended a connect stands for, for both APIs. The exceptions come from {@code Errno} (the
 * kernel's answer), the resolver, and the connect timeout ({@link #timeout}).
 */
public final class ConnectFailures {
  /** How the message of an expired Connect timeout begins (Pekko's words). */
  private static final String TIMEOUT = "Connect timeout of ";

  private ConnectFailures() {}

  /**
   * The failure of a Connect whose timeout ({@code timeout}, as the user gave it) expired:
   * Pekko's exception, a ConnectException with Pekko's message, which {@link #classify}
   * knows as {@link ConnectFailure#TIMED_OUT}.
   */
  public static ConnectException timeout(Object timeout) {
    return new ConnectException(TIMEOUT + timeout + " expired");
  }

  /** The cause, or null for a refusal by max-channels (counted as such, not as a connect failure). */
  static ConnectFailure classify(Throwable cause) {
    for (Throwable c = cause; c != null; c = c.getCause()) {
      if (c instanceof ChannelBudget.Exhausted) return null;
      if (c instanceof UnknownHostException) return ConnectFailure.UNRESOLVED;
      if (c instanceof NoRouteToHostException) return ConnectFailure.UNREACHABLE;
      if (c instanceof ConnectException) {
        String m = c.getMessage();
        if (m != null && m.startsWith(TIMEOUT)) return ConnectFailure.TIMED_OUT;
        if (m != null && m.contains("refused")) return ConnectFailure.REFUSED;
        if (m != null && m.contains("timed out")) return ConnectFailure.TIMED_OUT;
        return ConnectFailure.OTHER;
      }
      if (c.getCause() == c) break;
    }
    return ConnectFailure.OTHER;
  }
}
