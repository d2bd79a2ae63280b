package io.pekkokq.runtime;

import java.net.ConnectException;

/**
 * INTERNAL API. A Connect whose timeout expired: a ConnectException with Pekko's message,
 * as before, of its own type so that the metrics can tell it from a refused connect.
 */
public final class ConnectTimeoutException extends ConnectException {
  public ConnectTimeoutException(String message) {
    super(message);
  }
}
