package io.pekkokq.sys;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unix domain sockets at the sys level, each direction against the JDK's own
 * UnixDomainSocketAddress channels as the independent peer, and every bad input of the
 * contract (native/include/kq.h, "Unix domain sockets").
 */
class UnixSocketTest {
  private static final boolean LINUX = System.getProperty("os.name").startsWith("Linux");

  @TempDir Path dir;

  @Test
  void jdkClientTalksToOurListener() throws Exception {
    Path path = dir.resolve("ours.sock");
    try (Socket listener = listener(UnixAddress.of(path));
        SocketChannel jdk = SocketChannel.open(UnixDomainSocketAddress.of(path));
        Socket server = Loopback.acceptOne(listener)) {
      jdk.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)));
      assertEquals("hello", SocketTest.awaitText(server));
      Loopback.send(server, "back");
      assertEquals("back", read(jdk));
      assertEquals(UnixAddress.of(path), listener.localUnixAddress());
      assertEquals(UnixAddress.of(path), server.localUnixAddress());
      assertTrue(server.remoteUnixAddress().isUnnamed(), "the JDK client never bound");
      assertEquals(UnixDomainSocketAddress.of(path), jdk.getRemoteAddress());
      assertEquals(path, server.localUnixAddress().path());
      // The family-blind forms, for code that holds a socket without knowing its family.
      assertEquals(UnixAddress.of(path), server.localSocketAddress());
      assertEquals(UnixAddress.unnamed(), server.remoteSocketAddress());
      assertTrue(server.isConnected());
      // The kernel recorded who connected: this process, with the ids that own our files.
      PeerCredentials peer = server.peerCredentials();
      assertEquals(ProcessHandle.current().pid(), peer.pid());
      assertTrue(peer.hasPid());
      assertEquals(((Number) Files.getAttribute(path, "unix:uid")).longValue(), peer.uid());
      assertEquals(((Number) Files.getAttribute(path, "unix:gid")).longValue(), peer.gid());
      // Half-close: the JDK shuts its output, we read end of stream and can still write.
      jdk.shutdownOutput();
      assertEquals("", SocketTest.awaitText(server));
      Loopback.send(server, "after");
      assertEquals("after", read(jdk));
    }
  }

  @Test
  void ourClientTalksToJdkListener() throws Exception {
    Path path = dir.resolve("jdk.sock");
    try (ServerSocketChannel jdkListener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      jdkListener.bind(UnixDomainSocketAddress.of(path));
      try (Socket client = Socket.openUnix()) {
        assertFalse(client.isConnected());
        boolean now = client.connect(UnixAddress.of(path));
        try (SocketChannel jdk = jdkListener.accept()) {
          if (!now) client.finishConnect();
          assertTrue(client.isConnected());
          Loopback.send(client, "ping");
          assertEquals("ping", read(jdk));
          jdk.write(ByteBuffer.wrap("pong".getBytes(StandardCharsets.UTF_8)));
          assertEquals("pong", SocketTest.awaitText(client));
          assertEquals(UnixAddress.of(path), client.remoteUnixAddress());
          assertTrue(client.localUnixAddress().isUnnamed());
          assertEquals(UnixAddress.unnamed(), UnixAddress.of((UnixDomainSocketAddress) jdk.getRemoteAddress()));
          assertEquals(ProcessHandle.current().pid(), client.peerCredentials().pid());
          client.shutdownOutput();
          assertEquals(-1, jdk.read(ByteBuffer.allocate(8)));
        }
      }
    }
  }

  @Test
  void abstractNamesAndAutobindOnLinux() throws Exception {
    assumeTrue(LINUX, "abstract names are a Linux feature");
    UnixAddress name = UnixAddress.ofAbstract("pekko-kq-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    assertTrue(name.isAbstract());
    assertTrue(name.toString().startsWith("@pekko-kq-test-"), name.toString());
    assertThrows(UnsupportedOperationException.class, name::toUnixDomainSocketAddress);
    try (Socket listener = listener(name);
        Socket client = Socket.openUnix()) {
      client.connect(name);
      try (Socket server = Loopback.acceptOne(listener)) {
        assertEquals(name, listener.localUnixAddress());
        assertEquals(name, client.remoteUnixAddress());
        Loopback.send(client, "abstract");
        assertEquals("abstract", SocketTest.awaitText(server));
        // No file to remove: the name goes with the socket.
        assertFalse(UnixSocketFiles.deleteIfSocket(name));
      }
      try (Socket second = Socket.openUnix()) {
        BindException inUse = assertThrows(BindException.class, () -> second.bind(name));
        assertTrue(inUse.getMessage().contains(name.toString()), inUse.getMessage());
      }
    }
    try (Socket autobound = Socket.openUnix()) {
      autobound.bind(UnixAddress.unnamed());
      UnixAddress picked = autobound.localUnixAddress();
      assertTrue(picked.isAbstract(), picked.toString());
      assertEquals(6, picked.length(), "unix(7): a NUL and five hex digits");
    }
  }

  @Test
  void pathAtTheKernelLimitWorksAndOneByteMoreIsAClearError() throws Exception {
    int limit = UnixAddress.maxLength() - 1; // a path keeps one byte for its final NUL
    String prefix = dir.toString() + "/";
    assumeTrue(prefix.length() < limit - 8, "temporary directory too deep for this test");
    Path longest = Path.of(prefix + "a".repeat(limit - prefix.length()));
    Path tooLong = Path.of(prefix + "a".repeat(limit - prefix.length() + 1));
    assertEquals(limit, UnixAddress.of(longest).length());
    // Our own client here: the JDK's channels stop one byte short of the kernel (106).
    try (Socket listener = listener(UnixAddress.of(longest));
        Socket client = Socket.openUnix()) {
      client.connect(UnixAddress.of(longest));
      Socket server = Loopback.acceptOne(listener);
      server.close();
      assertEquals(longest, client.remoteUnixAddress().path());
    }
    try (Socket socket = Socket.openUnix()) {
      BindException bind = assertThrows(BindException.class, () -> socket.bind(UnixAddress.of(tooLong)));
      assertTrue(bind.getMessage().contains(tooLong.toString()), bind.getMessage());
      assertTrue(bind.getMessage().contains("at most " + limit), bind.getMessage());
      ConnectException connect =
          assertThrows(ConnectException.class, () -> socket.connect(UnixAddress.of(tooLong)));
      assertTrue(connect.getMessage().contains(tooLong.toString()), connect.getMessage());
      assertFalse(Files.exists(tooLong));
    }
  }

  @Test
  void anExistingFileIsNeverReplacedUnlessAsked() throws Exception {
    Path path = dir.resolve("stale.sock");
    UnixAddress address = UnixAddress.of(path);
    listener(address).close();
    assertTrue(Files.exists(path), "closing a listener leaves its file");
    try (Socket second = Socket.openUnix()) {
      BindException inUse = assertThrows(BindException.class, () -> second.bind(address));
      assertTrue(inUse.getMessage().contains(path.toString()), inUse.getMessage());
      assertTrue(UnixSocketFiles.deleteIfSocket(address));
      assertFalse(Files.exists(path));
      assertFalse(UnixSocketFiles.deleteIfSocket(address), "nothing left to remove");
      second.bind(address);
    }
    Path plain = Files.writeString(dir.resolve("plain.txt"), "keep me");
    UnixAddress plainAddress = UnixAddress.of(plain);
    IOException notSocket =
        assertThrows(IOException.class, () -> UnixSocketFiles.deleteIfSocket(plainAddress));
    assertTrue(notSocket.getMessage().contains(plain.toString()), notSocket.getMessage());
    assertEquals("keep me", Files.readString(plain));
    try (Socket socket = Socket.openUnix()) {
      assertThrows(BindException.class, () -> socket.bind(plainAddress));
    }
    assertEquals("keep me", Files.readString(plain));
  }

  @Test
  void connectingWhereNobodyListensIsAConnectExceptionNamingThePath() throws Exception {
    Path missing = dir.resolve("nobody.sock");
    Path stale = dir.resolve("stale.sock");
    listener(UnixAddress.of(stale)).close();
    Path plain = Files.writeString(dir.resolve("file"), "x");
    Path underFile = plain.resolve("x.sock");
    for (Path path : List.of(missing, stale, underFile)) {
      try (Socket client = Socket.openUnix()) {
        ConnectException e =
            assertThrows(ConnectException.class, () -> client.connect(UnixAddress.of(path)));
        assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
      }
    }
    try (Socket client = Socket.openUnix()) {
      ConnectException refused =
          assertThrows(ConnectException.class, () -> client.connect(UnixAddress.of(stale)));
      assertTrue(refused.getMessage().contains("refused"), refused.getMessage());
    }
  }

  @Test
  void aDirectoryWithoutPermissionIsRefusedWithThePath() throws Exception {
    // The kernel's side of this is tested as an unprivileged child in the C tests
    // (test_unix_permission_denied); here the meaning Java gives it.
    assertInstanceOf(BindException.class, Errno.exception("bind", -Errno.EACCES, "/x.sock"));
    IOException connect = Errno.exception("connect", -Errno.EACCES, "/x.sock");
    assertInstanceOf(ConnectException.class, connect);
    assertTrue(connect.getMessage().endsWith(": /x.sock"), connect.getMessage());
    assumeFalse(isRoot(), "root may search any directory: the C test covers the kernel");
    Path locked = Files.createDirectory(dir.resolve("locked"));
    Path inside = locked.resolve("s.sock");
    try (Socket listener = listener(UnixAddress.of(inside))) {
      Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
      try (Socket socket = Socket.openUnix()) {
        ConnectException e =
            assertThrows(ConnectException.class, () -> socket.connect(UnixAddress.of(inside)));
        assertTrue(e.getMessage().contains(inside.toString()), e.getMessage());
        assertThrows(BindException.class, () -> socket.bind(UnixAddress.of(locked.resolve("new.sock"))));
      } finally {
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
      }
    }
  }

  @Test
  void aFullAcceptQueueIsAConnectExceptionNotAWait() throws Exception {
    assumeTrue(LINUX, "only Linux refuses at once; other kernels leave the connect pending");
    Path path = dir.resolve("busy.sock");
    List<Socket> clients = new ArrayList<>();
    try (Socket listener = Socket.openUnix()) {
      listener.bind(UnixAddress.of(path));
      listener.listen(1);
      ConnectException full = null;
      for (int i = 0; i < 64 && full == null; i++) {
        Socket client = Socket.openUnix();
        clients.add(client);
        try {
          client.connect(UnixAddress.of(path));
        } catch (ConnectException e) {
          full = e;
        }
      }
      assertNotNull(full, "64 connects without one accept never filled a backlog of 1");
      assertTrue(full.getMessage().contains("accept queue is full"), full.getMessage());
      assertTrue(full.getMessage().contains(path.toString()), full.getMessage());
    } finally {
      clients.forEach(Socket::close);
    }
  }

  @Test
  void aClosedUnixSocketIsAClosedChannel() throws Exception {
    Socket socket = Socket.openUnix();
    socket.close();
    UnixAddress somewhere = UnixAddress.of(dir.resolve("x.sock"));
    assertThrows(ClosedChannelException.class, () -> socket.bind(somewhere));
    assertThrows(ClosedChannelException.class, () -> socket.connect(somewhere));
    assertThrows(ClosedChannelException.class, socket::localUnixAddress);
    assertThrows(ClosedChannelException.class, socket::peerCredentials);
    assertFalse(Files.exists(dir.resolve("x.sock")));
  }

  @Test
  void addressesConvertToAndFromTheJdks() {
    Path path = Path.of("/run/app/x.sock");
    UnixAddress address = UnixAddress.of(UnixDomainSocketAddress.of(path));
    assertTrue(address.isPath());
    assertEquals(path, address.path());
    assertEquals(UnixDomainSocketAddress.of(path), address.toUnixDomainSocketAddress());
    assertEquals("/run/app/x.sock", address.toString());
    assertEquals(UnixAddress.unnamed(), UnixAddress.of(UnixDomainSocketAddress.of("")));
    assertEquals(UnixDomainSocketAddress.of(""), UnixAddress.unnamed().toUnixDomainSocketAddress());
    assertThrows(IllegalStateException.class, () -> UnixAddress.unnamed().path());
    assertThrows(IllegalArgumentException.class, () -> UnixAddress.of(Path.of("")));
    assertNotEquals(UnixAddress.ofAbstract("x"), UnixAddress.of(Path.of("x")));
    assertEquals("x", UnixAddress.ofAbstract("x").abstractName());
  }

  private static Socket listener(UnixAddress address) throws IOException {
    Socket listener = Socket.openUnix();
    try {
      listener.bind(address);
      listener.listen(16);
      return listener;
    } catch (IOException e) {
      listener.close();
      throw e;
    }
  }

  /** Reads what the JDK channel gets next (blocking, a small message). */
  private static String read(SocketChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(256);
    int n = channel.read(buffer);
    return n < 0 ? "" : new String(buffer.array(), 0, n, StandardCharsets.UTF_8);
  }

  private static boolean isRoot() throws IOException {
    Path probe = Files.createTempFile("uid", ".probe");
    try {
      return ((Number) Files.getAttribute(probe, "unix:uid")).intValue() == 0;
    } finally {
      Files.delete(probe);
    }
  }
}
