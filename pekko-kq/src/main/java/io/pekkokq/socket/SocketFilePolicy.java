package io.pekkokq.socket;

import io.pekkokq.runtime.KqSettings;

/**
 * What a Unix domain listener does with its socket file, the one trace a listener leaves
 * behind (closing the socket does not remove it, and a later bind to the path fails with
 * "Address already in use" while it is there). Irrelevant to TCP and to abstract names.
 *
 * @param deleteExistingBeforeBind remove a socket file already at the path before binding
 *     (a stale one from a crashed run; a live server's too, so only when asked). A file
 *     that is not a socket is never removed: the bind fails naming it
 * @param deleteOnClose remove the socket file when the listener closes (unbind, stop)
 */
public record SocketFilePolicy(boolean deleteExistingBeforeBind, boolean deleteOnClose) {
  /** Leave the file system alone: TCP, and the default before asking. */
  public static final SocketFilePolicy UNTOUCHED = new SocketFilePolicy(false, false);

  /** As {@code pekko.io.kq.unix-domain-socket} says, for both APIs' listeners. */
  public static SocketFilePolicy from(KqSettings settings) {
    return new SocketFilePolicy(settings.unixDeleteExistingSocketFile, settings.unixDeleteSocketFileOnUnbind);
  }
}
