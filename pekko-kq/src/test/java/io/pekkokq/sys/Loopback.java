package io.pekkokq.sys;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Test helper: connected TCP pairs on the loopback, and byte moves through native memory. */
public final class Loopback implements AutoCloseable {
  public final Socket listener;
  public final Socket client;
  public final Socket server;

  private Loopback(Socket listener, Socket client, Socket server) {
    this.listener = listener;
    this.client = client;
    this.server = server;
  }

  public static Loopback open() throws Exception {
    return open(InetAddress.getLoopbackAddress());
  }

  public static Loopback open(InetAddress host) throws Exception {
    InetSocketAddress any = new InetSocketAddress(host, 0);
    Socket listener = Socket.openTcpFor(any);
    listener.setOption(SocketOption.REUSE_ADDRESS, true);
    listener.bind(any);
    listener.listen(16);
    Socket client = Socket.openTcpFor(any);
    boolean connected = client.connect(listener.localAddress());
    Socket server = acceptOne(listener);
    if (!connected) client.finishConnect();
    return new Loopback(listener, client, server);
  }

  /** Accepts one connection, retrying EAGAIN for up to five seconds. */
  public static Socket acceptOne(Socket listener) throws Exception {
    ByteBuffer fds = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
    long address = NativeMemory.address(fds);
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      int n = listener.accept(address, 1);
      if (n == 1) return Socket.adopt(fds.getInt(0));
      if (n != -Errno.EAGAIN) throw Errno.exception("accept", n);
      Thread.sleep(1);
    }
    throw new IOException("no connection accepted within 5 s");
  }

  /** Writes all of {@code text} (small enough for the socket buffer). */
  public static void send(FileDescriptor fd, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
    buffer.put(bytes);
    int n = fd.write(NativeMemory.address(buffer), bytes.length);
    if (n != bytes.length) throw new IOException("short or failed write: " + n);
  }

  /** Reads what is there now: the text, "" at end of stream, or null on EAGAIN. */
  public static String receive(FileDescriptor fd) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocateDirect(65536);
    int n = fd.read(NativeMemory.address(buffer), buffer.capacity());
    if (n == -Errno.EAGAIN) return null;
    if (n < 0) throw Errno.exception("read", n);
    byte[] bytes = new byte[n];
    buffer.get(0, bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    client.close();
    server.close();
    listener.close();
  }
}
