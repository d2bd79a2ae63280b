package io.pekkokq.socket;

import io.pekkokq.sys.SocketOption;

/**
 * A socket option of pekko-kq's own ({@code KqSO}): one {@link SocketOption} and the value
 * the kernel takes. {@link SocketOptions} sets it when it sets Pekko's own, at the moments
 * its table gives that option, so a refused one fails the Bind or Connect naming it.
 */
public interface NativeSocketOption {
  SocketOption socketOption();

  /** As the kernel takes it: milliseconds, seconds, bytes, a count, or 1/0. */
  int socketOptionValue();
}
