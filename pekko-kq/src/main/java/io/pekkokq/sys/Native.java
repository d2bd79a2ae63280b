package io.pekkokq.sys;

/**
 * INTERNAL API. Every native method of libpekkokq, one per C function of
 * {@code native/include/kq.h}, registered by {@code native/src/jni/onload.c} with
 * RegisterNatives. This class is the index of every system call the library makes.
 *
 * <p>The contract, the same for every method: a result {@code >= 0} is success, a
 * negative result is {@code -errno}. Nothing here throws and nothing allocates per call
 * on the data path; the callers decide what an errno means ({@link Errno}). Addresses of
 * native memory are passed as {@code long}; socket addresses as the 24-byte record of
 * {@link SocketAddresses}.
 *
 * <p>IMPORTANT: this class must have no static initialiser that calls a native: the
 * library's JNI_OnLoad looks this class up (which initialises it) before its methods are
 * registered. Load the library through {@link NativeLibrary#ensureAvailable()} first.
 */
public final class Native {
  private Native() {}

  // ---- layout checks (called once by NativeLibrary after loading) ----------------

  /** sizeof(kq_event); must equal {@link EventArray#EVENT_SIZE}. */
  static native int sizeofEvent0();

  /** sizeof(kq_addr); must equal {@link SocketAddresses#RECORD_SIZE}. */
  static native int sizeofAddr0();

  /** "epoll" or "kqueue". */
  static native String backendName0();

  /** The platform's value of the errno named by {@link Errno}'s table index {@code id}. */
  static native int errnoConstant0(int id);

  /** strerror(errno), for exception messages (cached by {@link Errno}). */
  static native String strerror0(int errno);

  /** GetDirectBufferAddress: the native address of a direct buffer, or -EINVAL. */
  static native long directBufferAddress0(java.nio.ByteBuffer buffer);

  /** The platform's number of the signal named like "USR1" or "SIGUSR1", or -EINVAL. */
  static native int signalNumber0(String name);

  // ---- poller ----------------------------------------------------------------------

  /** kq_poller_open: a pointer (> 0) to the poller, or -errno. */
  static native long pollerOpen0(int maxEvents);

  static native int pollerClose0(long poller);

  static native int pollerAdd0(long poller, int fd, long token, int interest);

  static native int pollerModify0(long poller, int fd, long token, int interest);

  static native int pollerDelete0(long poller, int fd);

  /** kq_poller_wait into the kq_event array at {@code eventsAddress}. */
  static native int pollerWait0(long poller, long eventsAddress, int max, int timeoutMillis);

  static native int pollerWake0(long poller);

  static native int pollerSetTimer0(long poller, long delayNanos);

  static native int pollerWatchSignals0(long poller);

  // ---- signals ---------------------------------------------------------------------

  static native int signalSubscribe0(int signo);

  static native int signalUnsubscribe0(int signo);

  static native int signalIsRefused0(int signo);

  // ---- sockets and descriptors -----------------------------------------------------

  /** family: 4 or 6. */
  static native int socketTcp0(int family);

  static native int socketBind0(int fd, byte[] address);

  static native int socketListen0(int fd, int backlog);

  /** Accepts up to {@code max} connections into the int array at {@code fdsAddress}. */
  static native int socketAccept0(int fd, long fdsAddress, int max);

  static native int socketConnect0(int fd, byte[] address);

  static native int socketFinishConnect0(int fd);

  static native int socketLocalAddress0(int fd, byte[] out);

  static native int socketPeerAddress0(int fd, byte[] out);

  static native int socketShutdown0(int fd, int how);

  static native int socketSetOption0(int fd, int option, int value);

  /** Writes the value into {@code out[0]}. */
  static native int socketGetOption0(int fd, int option, int[] out);

  static native int read0(int fd, long address, int length);

  static native int write0(int fd, long address, int length);

  /** {@code iovAddress} points at {@code count} struct iovec (address, length) pairs. */
  static native long writev0(int fd, long iovAddress, int count);

  /** write(2) from a Java array, pinned for the call: bytes written or -errno. */
  static native int writeArray0(int fd, byte[] array, int offset, int length);

  /** read(2) into a Java array, pinned for the call: bytes read, 0 at end, or -errno. */
  static native int readArray0(int fd, byte[] array, int offset, int length);

  static native long sendfile0(int outFd, int inFd, long offset, long count);

  static native int close0(int fd);

  /** Writes the read end into {@code fds[0]} and the write end into {@code fds[1]}. */
  static native int pipe0(int[] fds);

  /** {@code path} is NUL-free; the C side receives it as modified UTF-8. */
  static native int fileOpenRead0(String path);

  static native int setNonBlocking0(int fd, boolean on);

  // ---- Unix domain sockets (native/src/unix.c) --------------------------------------

  /** sizeof(sun_path): the longest name, an abstract name's leading NUL included. */
  static native int unixNameMax0();

  /** An AF_UNIX stream socket, non-blocking and close-on-exec. */
  static native int socketUnix0();

  /** {@code name}: exactly the name's bytes ({@link UnixAddress}); empty: autobind. */
  static native int socketBindUnix0(int fd, byte[] name);

  static native int socketConnectUnix0(int fd, byte[] name);

  /** Writes the name into {@code out} (at least unixNameMax0() bytes): its length, or -errno. */
  static native int socketLocalUnix0(int fd, byte[] out);

  static native int socketPeerUnix0(int fd, byte[] out);

  /** Writes pid (-1 if unknown), uid and gid (unsigned) into {@code out[0..2]}. */
  static native int socketPeerCred0(int fd, int[] out);

  /** Removes the file of a path name only if it is a socket (-ENOTSOCK otherwise). */
  static native int unixUnlink0(byte[] name);

  // ---- UDP datagrams (native/src/datagram.c) ----------------------------------------

  /** sizeof(kq_dgram); must equal {@link DatagramBatch#RECORD_SIZE}. */
  static native int sizeofDgram0();

  /** family: 4 or 6. A UDP socket, non-blocking and close-on-exec. */
  static native int socketUdp0(int family);

  /** Dissolves a UDP socket's connection. */
  static native int dgramDisconnect0(int fd);

  /** Receives up to {@code max} datagrams into the kq_dgram array at {@code msgsAddress}. */
  static native int dgramRecv0(int fd, long msgsAddress, int max);

  /** Sends the first {@code max} records of the kq_dgram array: how many went out. */
  static native int dgramSend0(int fd, long msgsAddress, int max);

  static native int dgramSetOption0(int fd, int option, int value);

  /** Writes the value into {@code out[0]}. */
  static native int dgramGetOption0(int fd, int option, int[] out);

  /** Joins ({@code join}) or leaves the group (a kq_addr record, port 0) on an interface. */
  static native int dgramMembership0(int fd, byte[] group, int interfaceIndex, boolean join);
}
