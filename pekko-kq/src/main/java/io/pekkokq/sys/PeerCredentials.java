package io.pekkokq.sys;

/**
 * Who holds the other end of a connected Unix domain socket, as the kernel recorded it when
 * the connection was made (SO_PEERCRED on Linux; getpeereid and LOCAL_PEERPID on macOS;
 * getpeereid on FreeBSD). The ids are the peer's effective ones, unsigned.
 *
 * @param pid the peer's process id, or -1 where the kernel does not tell (FreeBSD)
 * @param uid the peer's effective user id
 * @param gid the peer's effective group id
 */
public record PeerCredentials(long pid, long uid, long gid) {
  /** True when the kernel told the peer's process id. */
  public boolean hasPid() {
    return pid >= 0;
  }
}
