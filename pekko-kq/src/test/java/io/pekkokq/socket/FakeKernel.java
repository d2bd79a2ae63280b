package io.pekkokq.socket;

import io.pekkokq.runtime.NativeBuffer;
import io.pekkokq.sys.Errno;
import io.pekkokq.sys.FileDescriptor;
import io.pekkokq.sys.IoVectorArray;
import io.pekkokq.sys.ReadyBits;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * A socket with no kernel behind it, for {@link SocketDriver} tests: the test plays the
 * peer and the kernel (bytes arriving, the peer's FIN, a reset, a full send buffer), and
 * the fake reports edge-triggered readiness the way epoll and kqueue do: once per change,
 * to whatever listens ({@link #edges}), never again for the same state.
 */
final class FakeKernel implements Channel {
  /** Where edges go: usually the owner's "driver.onReady, then act" step. */
  IntConsumer edges = bits -> {};

  private final ByteArrayOutputStream receiveBuffer = new ByteArrayOutputStream();
  private byte[] unread = new byte[0];
  private int unreadFrom;
  private boolean peerClosed;
  private int pendingError;

  /** What writes may take, one entry per system call: a byte count or -errno. Empty: all. */
  final ArrayDeque<Integer> writeAllowance = new ArrayDeque<>();
  final ByteArrayOutputStream written = new ByteArrayOutputStream();
  /** One entry per write system call: "heap", "buffer" or "writev:N". */
  final List<String> writeCalls = new ArrayList<>();
  int readCalls;
  boolean gathers = true;
  boolean halfCloses = true;
  boolean outputShutdown;
  boolean aborted;
  int closes;

  // ---- the peer and the kernel -------------------------------------------------------

  /** Bytes arrive from the peer: READABLE edge. */
  void arrive(String text) {
    receiveBuffer.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    edges.accept(ReadyBits.READABLE);
  }

  /** The peer's FIN: READABLE and HANGUP in one edge. */
  void peerCloses() {
    peerClosed = true;
    edges.accept(ReadyBits.READABLE | ReadyBits.HANGUP);
  }

  /** The peer's RST: the next read fails with ECONNRESET; ERROR, READABLE and WRITABLE. */
  void peerResets() {
    pendingError = Errno.ECONNRESET;
    edges.accept(ReadyBits.ERROR | ReadyBits.READABLE | ReadyBits.WRITABLE);
  }

  /** Room in the send buffer again: WRITABLE edge. */
  void sendBufferDrains() {
    edges.accept(ReadyBits.WRITABLE);
  }

  /** Bytes the kernel holds for reading. */
  int available() {
    return unread.length - unreadFrom + receiveBuffer.size();
  }

  String writtenText() {
    return written.toString(StandardCharsets.UTF_8);
  }

  // ---- Channel: what the driver calls ------------------------------------------------

  @Override
  public FileDescriptor descriptor() {
    return null;
  }

  @Override
  public int read(byte[] array, int offset, int length) {
    readCalls++;
    if (pendingError != 0) {
      int e = pendingError;
      pendingError = 0;
      return -e;
    }
    if (unreadFrom == unread.length) {
      unread = receiveBuffer.toByteArray();
      unreadFrom = 0;
      receiveBuffer.reset();
    }
    int n = Math.min(length, unread.length - unreadFrom);
    if (n == 0) return peerClosed ? 0 : -Errno.EAGAIN;
    System.arraycopy(unread, unreadFrom, array, offset, n);
    unreadFrom += n;
    return n;
  }

  @Override
  public int write(NativeBuffer from, int length) {
    writeCalls.add("buffer");
    return (int) take(from, length);
  }

  @Override
  public int write(byte[] array, int offset, int length) {
    writeCalls.add("heap");
    int n = allowance(length);
    if (n > 0) written.write(array, offset, n);
    return n;
  }

  @Override
  public long writev(NativeBuffer[] from, int[] lengths, int count, IoVectorArray vectors) {
    writeCalls.add("writev:" + count);
    long total = 0;
    for (int i = 0; i < count; i++) total += lengths[i];
    int n = allowance((int) total);
    if (n <= 0) return n;
    int left = n;
    for (int i = 0; i < count && left > 0; i++) {
      int part = Math.min(left, lengths[i]);
      for (int j = 0; j < part; j++) written.write(from[i].buffer.get(j));
      left -= part;
    }
    return n;
  }

  private long take(NativeBuffer from, int length) {
    int n = allowance(length);
    for (int j = 0; j < n; j++) written.write(from.buffer.get(j));
    return n;
  }

  private int allowance(int offered) {
    Integer allowed = writeAllowance.poll();
    if (allowed == null) return offered;
    return allowed < 0 ? allowed : Math.min(allowed, offered);
  }

  @Override
  public boolean gathers() {
    return gathers;
  }

  @Override
  public boolean shutdownOutput() {
    if (!halfCloses) return false;
    outputShutdown = true;
    return true;
  }

  @Override
  public void abort() {
    aborted = true;
    close();
  }

  @Override
  public void close() {
    closes++;
  }

  @Override
  public boolean isOpen() {
    return closes == 0;
  }
}
