package io.pekkokq.bench.jmh;

import io.pekkokq.sys.Errno;
import io.pekkokq.sys.NativeMemory;
import io.pekkokq.sys.Socket;
import io.pekkokq.sys.SocketOption;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Connected TCP pairs on the loopback for the microbenchmarks: one made of pekko-kq
 * {@link Socket}s (native calls), one made of NIO {@link SocketChannel}s. Both sides are
 * non-blocking and have TCP_NODELAY set, so a small write is never held back by Nagle
 * while the previous segment's ACK is delayed.
 */
final class Pairs {
  private Pairs() {}

  /** A pekko-kq pair: {@code client} writes, {@code server} reads (either way works). */
  static final class Kq implements AutoCloseable {
    final Socket client;
    final Socket server;

    private Kq(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    static Kq open() throws Exception {
      InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
      Socket listener = Socket.openTcpFor(any);
      try {
        listener.bind(any);
        listener.listen(16);
        Socket client = Socket.openTcpFor(any);
        boolean connected = client.connect(listener.localAddress());
        Socket server = acceptOne(listener);
        if (!connected) finishConnect(client);
        client.setOption(SocketOption.TCP_NO_DELAY, true);
        server.setOption(SocketOption.TCP_NO_DELAY, true);
        return new Kq(client, server);
      } finally {
        listener.close();
      }
    }

    private static Socket acceptOne(Socket listener) throws Exception {
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

    private static void finishConnect(Socket client) throws Exception {
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (!client.isConnected()) {
        if (System.nanoTime() > deadline) throw new IOException("connect did not finish in 5 s");
        Thread.sleep(1);
      }
      client.finishConnect();
    }

    @Override
    public void close() {
      client.close();
      server.close();
    }
  }

  /** An NIO pair, both channels non-blocking. */
  static final class Nio implements AutoCloseable {
    final SocketChannel client;
    final SocketChannel server;

    private Nio(SocketChannel client, SocketChannel server) {
      this.client = client;
      this.server = server;
    }

    static Nio open() throws IOException {
      try (ServerSocketChannel listener = ServerSocketChannel.open()) {
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SocketChannel client = SocketChannel.open(listener.getLocalAddress()); // blocking connect
        SocketChannel server = listener.accept();
        for (SocketChannel c : new SocketChannel[] {client, server}) {
          c.configureBlocking(false);
          c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        return new Nio(client, server);
      }
    }

    @Override
    public void close() throws IOException {
      client.close();
      server.close();
    }
  }
}
