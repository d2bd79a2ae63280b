package io.pekkokq.sys;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The socket wrappers, their data paths and each one's error path. */
class SocketTest {
  private static final InetSocketAddress ANY_LOOPBACK =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  @Test
  void moveBytesBothWaysOverIpv4AndIpv6() throws Exception {
    for (String host : new String[] {"127.0.0.1", "::1"}) {
      try (Loopback pair = Loopback.open(InetAddress.getByName(host))) {
        Loopback.send(pair.client, "hello " + host);
        assertEquals("hello " + host, awaitText(pair.server));
        Loopback.send(pair.server, "back");
        assertEquals("back", awaitText(pair.client));
        assertEquals(pair.client.localAddress(), pair.server.remoteAddress());
        assertEquals(pair.listener.localAddress(), pair.client.remoteAddress());
        assertEquals(pair.client.localAddress(), pair.client.localSocketAddress());
        assertEquals(pair.client.remoteAddress(), pair.client.remoteSocketAddress());
      }
    }
  }

  @Test
  void gatherWriteSendsTheVectorsInOrder() throws Exception {
    try (Loopback pair = Loopback.open()) {
      ByteBuffer a = direct("abc"), b = direct("defg");
      IoVectorArray vectors = new IoVectorArray(2);
      assertTrue(vectors.add(NativeMemory.address(a), a.remaining()));
      assertTrue(vectors.add(NativeMemory.address(b), b.remaining()));
      assertFalse(vectors.add(NativeMemory.address(b), 1), "full at its capacity");
      assertEquals(7, pair.client.writev(vectors.address(), vectors.count()));
      assertEquals("abcdefg", awaitText(pair.server));
    }
  }

  @Test
  void shutdownOutputGivesThePeerEndOfStream() throws Exception {
    try (Loopback pair = Loopback.open()) {
      pair.client.shutdownOutput();
      assertEquals("", awaitText(pair.server));
      Loopback.send(pair.server, "still open the other way");
      assertEquals("still open the other way", awaitText(pair.client));
    }
  }

  @Test
  void connectToAClosedPortIsAConnectException() throws Exception {
    InetSocketAddress closed;
    try (Socket probe = Socket.openTcpFor(ANY_LOOPBACK)) {
      probe.bind(ANY_LOOPBACK);
      closed = probe.localAddress(); // bound, never listening: connections are refused
      try (Socket client = Socket.openTcpFor(closed)) {
        IOException e =
            assertThrows(IOException.class, () -> {
              if (!client.connect(closed)) {
                Thread.sleep(50);
                client.finishConnect();
              }
            });
        assertInstanceOf(ConnectException.class, e);
        assertTrue(e.getMessage().contains("refused"), e.getMessage());
      }
    }
  }

  @Test
  void bindToAPortInUseIsABindException() throws Exception {
    try (Socket first = Socket.openTcpFor(ANY_LOOPBACK);
        Socket second = Socket.openTcpFor(ANY_LOOPBACK)) {
      first.bind(ANY_LOOPBACK);
      first.listen(1);
      BindException e = assertThrows(BindException.class, () -> second.bind(first.localAddress()));
      assertTrue(e.getMessage().contains("in use"), e.getMessage());
    }
  }

  @Test
  void everyCallOnAClosedSocketFailsWithoutReachingTheKernel() throws Exception {
    Socket socket = Socket.openTcpFor(ANY_LOOPBACK);
    socket.close();
    socket.close(); // idempotent
    assertFalse(socket.isOpen());
    assertThrows(ClosedChannelException.class, () -> socket.bind(ANY_LOOPBACK));
    assertThrows(ClosedChannelException.class, () -> socket.listen(1));
    assertThrows(ClosedChannelException.class, () -> socket.connect(new InetSocketAddress("127.0.0.1", 9)));
    assertThrows(ClosedChannelException.class, socket::finishConnect);
    assertThrows(ClosedChannelException.class, socket::localAddress);
    assertThrows(ClosedChannelException.class, socket::remoteAddress);
    assertThrows(ClosedChannelException.class, socket::shutdownOutput);
    assertThrows(ClosedChannelException.class, () -> socket.setOption(SocketOption.TCP_NO_DELAY, true));
    assertThrows(ClosedChannelException.class, () -> socket.getOption(SocketOption.TCP_NO_DELAY));
    assertEquals(-Errno.EBADF, socket.read(0, 0));
    assertEquals(-Errno.EBADF, socket.write(0, 0));
    assertEquals(-Errno.EBADF, socket.accept(0, 1));
    assertEquals(-Errno.EBADF, socket.writev(0, 0));
    assertEquals(-Errno.EBADF, socket.write(new byte[1], 0, 1));
    assertEquals(-Errno.EBADF, socket.read(new byte[1], 0, 1));
  }

  @Test
  void readIntoAJavaArrayFillsExactlyTheGivenRange() throws Exception {
    try (Loopback pair = Loopback.open()) {
      byte[] array = "................".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(-Errno.EAGAIN, pair.server.read(array, 0, array.length), "nothing sent yet");
      Loopback.send(pair.client, "hello");
      int n = 0;
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (n < 5 && System.nanoTime() < deadline) {
        int r = pair.server.read(array, 3 + n, 10 - n);
        if (r > 0) n += r;
        else Thread.sleep(1);
      }
      assertEquals("...hello........", new String(array, java.nio.charset.StandardCharsets.UTF_8),
          "the bytes land at the offset, the rest of the array is untouched");
      assertEquals(-Errno.EAGAIN, pair.server.read(array, 0, array.length), "drained");
      assertEquals(0, pair.server.read(array, array.length, 0), "an empty range reads nothing");
      assertThrows(IndexOutOfBoundsException.class, () -> pair.server.read(array, 10, 7));
      assertThrows(IndexOutOfBoundsException.class, () -> pair.server.read(array, -1, 1));
      assertThrows(NullPointerException.class, () -> pair.server.read((byte[]) null, 0, 0));
      pair.client.shutdownOutput();
      int end = -1;
      deadline = System.nanoTime() + 5_000_000_000L;
      while (end != 0 && System.nanoTime() < deadline) {
        end = pair.server.read(array, 0, array.length);
        if (end == -Errno.EAGAIN) Thread.sleep(1);
        else assertEquals(0, end, "the peer's FIN reads as end of stream");
      }
      assertEquals(0, end);
    }
  }

  @Test
  void writeFromAJavaArrayTakesExactlyTheGivenRange() throws Exception {
    try (Loopback pair = Loopback.open()) {
      byte[] array = "xxhello arrayyy".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(11, pair.client.write(array, 2, 11));
      String got = "";
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (got.length() < 11 && System.nanoTime() < deadline) {
        String part = Loopback.receive(pair.server);
        if (part != null) got += part;
        else Thread.sleep(1);
      }
      assertEquals("hello array", got);
      assertEquals(0, pair.client.write(array, array.length, 0), "an empty range is a write of nothing");
      assertThrows(IndexOutOfBoundsException.class, () -> pair.client.write(array, 10, 6));
      assertThrows(IndexOutOfBoundsException.class, () -> pair.client.write(array, -1, 1));
      assertThrows(NullPointerException.class, () -> pair.client.write((byte[]) null, 0, 0));
    }
  }

  @Test
  void errorsFromTheKernelCarryItsMessage() throws Exception {
    try (Socket socket = Socket.openTcpFor(ANY_LOOPBACK)) {
      IOException e = assertThrows(IOException.class, socket::remoteAddress);
      assertTrue(e.getMessage().toLowerCase().contains("not connected"), e.getMessage());
      assertThrows(IOException.class, socket::shutdownOutput);
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> Socket.openTcpFor(InetSocketAddress.createUnresolved("nowhere.invalid", 80)));
    assertThrows(NullPointerException.class, () -> Socket.openTcpFor(null));
    IOException family = assertThrows(IOException.class, () -> Socket.openTcp(5));
    assertTrue(family.getMessage().startsWith("socket"), family.getMessage());
  }

  @Test
  void optionsRoundTrip() throws Exception {
    try (Socket socket = Socket.openTcpFor(ANY_LOOPBACK)) {
      socket.setOption(SocketOption.TCP_NO_DELAY, true);
      assertEquals(1, socket.getOption(SocketOption.TCP_NO_DELAY));
      socket.setOption(SocketOption.TCP_NO_DELAY, false);
      assertEquals(0, socket.getOption(SocketOption.TCP_NO_DELAY));
      socket.setOption(SocketOption.KEEP_ALIVE, true);
      assertEquals(1, socket.getOption(SocketOption.KEEP_ALIVE));
      socket.setOption(SocketOption.REUSE_ADDRESS, true);
      assertEquals(1, socket.getOption(SocketOption.REUSE_ADDRESS));
      socket.setOption(SocketOption.REUSE_PORT, true);
      assertEquals(1, socket.getOption(SocketOption.REUSE_PORT));
      socket.setOption(SocketOption.RECEIVE_BUFFER_SIZE, 65536);
      assertTrue(socket.getOption(SocketOption.RECEIVE_BUFFER_SIZE) >= 65536);
      socket.setOption(SocketOption.SEND_BUFFER_SIZE, 65536);
      assertTrue(socket.getOption(SocketOption.SEND_BUFFER_SIZE) >= 65536);
      assertEquals(-1, socket.getOption(SocketOption.LINGER), "linger is off by default");
      socket.setOption(SocketOption.LINGER, 5);
      assertEquals(5, socket.getOption(SocketOption.LINGER));
      socket.setOption(SocketOption.LINGER, -1);
      assertEquals(-1, socket.getOption(SocketOption.LINGER));
    }
  }

  @Test
  void sendFileSendsAFileWithoutCopyingItThroughJava(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("payload.txt");
    Files.writeString(file, "0123456789abcdef");
    try (Loopback pair = Loopback.open();
        FileDescriptor in = Descriptors.openForReading(file)) {
      assertEquals(6, pair.client.sendFile(in, 4, 6));
      assertEquals("456789", awaitText(pair.server));
    }
    IOException missing = assertThrows(IOException.class, () -> Descriptors.openForReading(dir.resolve("absent")));
    assertTrue(missing.getMessage().contains("No such file"), missing.getMessage());
  }

  @Test
  void aPipeCarriesBytes() throws Exception {
    FileDescriptor[] pipe = Descriptors.pipe();
    try (FileDescriptor reader = pipe[0];
        FileDescriptor writer = pipe[1]) {
      assertNull(Loopback.receive(reader), "empty non-blocking pipe: EAGAIN");
      Loopback.send(writer, "through the pipe");
      assertEquals("through the pipe", Loopback.receive(reader));
      writer.close();
      assertEquals("", Loopback.receive(reader));
    }
  }

  static String awaitText(FileDescriptor fd) throws Exception {
    for (int i = 0; i < 2500; i++) {
      String s = Loopback.receive(fd);
      if (s != null) return s;
      Thread.sleep(2);
    }
    throw new AssertionError("nothing arrived within 5 s");
  }

  private static ByteBuffer direct(String s) {
    byte[] bytes = s.getBytes();
    ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
    b.put(bytes).flip();
    return b;
  }
}
