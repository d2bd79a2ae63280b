package io.pekkokq.sys;

import java.io.IOException;

/**
 * The socket files Unix domain listeners leave in the file system. Closing a listener
 * does not remove its file, and a later bind to the same path fails with "Address
 * already in use" until someone does: removal is always an explicit decision of the
 * caller (at unbind, or of a stale file before binding), never a side effect of bind.
 */
public final class UnixSocketFiles {
  private UnixSocketFiles() {}

  /**
   * Removes the file at {@code address}'s path only if it is a socket (a symbolic link,
   * even to a socket, is left alone).
   *
   * @return true when a socket file was removed, false when there was no file (or the
   *     address is abstract or unnamed, which have none)
   * @throws IOException when the file is not a socket (nothing is removed) or cannot be
   *     removed; the message names the path
   */
  public static boolean deleteIfSocket(UnixAddress address) throws IOException {
    if (!address.isPath()) return false;
    NativeLibrary.ensureAvailable();
    int result = Native.unixUnlink0(address.kernelName());
    if (result == 0) return true;
    if (result == -Errno.ENOENT) return false;
    if (result == -Errno.ENOTSOCK) {
      throw new IOException("not a socket file, left in place: " + address);
    }
    throw Errno.exception("unlink", result, address);
  }
}
