package io.pekkokq.sys;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class NativeLibraryTest {
  @Test
  void isLoadedFromTheJarOnThisMachine() {
    assertTrue(NativeLibrary.isAvailable(), () -> "unavailable: " + NativeLibrary.unavailabilityCause());
    assertNull(NativeLibrary.unavailabilityCause());
    assertEquals("epoll", NativeLibrary.backendName());
  }

  @Test
  void picksThePlatformDirectoryForEachOsAndArch() {
    assertEquals("linux-x86_64", NativeLibrary.platformFor("Linux", "amd64"));
    assertEquals("linux-x86_64", NativeLibrary.platformFor("Linux", "x86_64"));
    assertEquals("linux-aarch64", NativeLibrary.platformFor("Linux", "aarch64"));
    assertEquals("osx-x86_64", NativeLibrary.platformFor("Mac OS X", "x86_64"));
    assertEquals("osx-aarch64", NativeLibrary.platformFor("Mac OS X", "aarch64"));
    assertEquals("osx-aarch64", NativeLibrary.platformFor("Darwin", "arm64"));
    assertNull(NativeLibrary.platformFor("Windows 11", "amd64"));
    assertNull(NativeLibrary.platformFor("Linux", "s390x"));
    assertEquals("libpekkokq.so", NativeLibrary.libraryFileFor("linux-aarch64"));
    assertEquals("libpekkokq.dylib", NativeLibrary.libraryFileFor("osx-x86_64"));
  }

  @Test
  void errnoConstantsAreThePlatformsAndMapToTheExpectedExceptions() {
    assertEquals(11, Errno.EAGAIN, "Linux EAGAIN");
    assertEquals(111, Errno.ECONNREFUSED, "Linux ECONNREFUSED");
    assertInstanceOf(java.net.ConnectException.class, Errno.exception("connect", -Errno.ECONNREFUSED));
    assertInstanceOf(java.net.ConnectException.class, Errno.exception("connect", -Errno.ETIMEDOUT));
    assertInstanceOf(java.net.SocketException.class, Errno.exception("read", -Errno.ETIMEDOUT));
    assertInstanceOf(java.net.BindException.class, Errno.exception("bind", -Errno.EADDRINUSE));
    assertInstanceOf(java.net.NoRouteToHostException.class, Errno.exception("connect", -Errno.EHOSTUNREACH));
    assertInstanceOf(java.net.SocketException.class, Errno.exception("write", -Errno.EPIPE));
    assertInstanceOf(java.nio.channels.ClosedChannelException.class, Errno.exception("read", -Errno.EBADF));
    java.io.IOException other = Errno.exception("open", -Errno.EMFILE);
    assertTrue(other.getMessage().contains("Too many open files"), other.getMessage());
  }

  @Test
  void aLoaderPointedAtAMissingLibraryExplainsWhy() throws Exception {
    // A fresh JVM, so the failure is the loader's own and not this JVM's loaded library.
    ProcessBuilder pb =
        new ProcessBuilder(
            ProcessHandle.current().info().command().orElse("java"),
            "-cp", System.getProperty("java.class.path"),
            "-D" + NativeLibrary.LIBRARY_PATH_PROPERTY + "=/nonexistent/libpekkokq.so",
            PrintAvailability.class.getName());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.startsWith("available=false"), out);
    assertTrue(out.contains("/nonexistent/libpekkokq.so"), out);
  }

  /** Run in a child JVM by the test above. */
  public static final class PrintAvailability {
    public static void main(String[] args) {
      System.out.println("available=" + NativeLibrary.isAvailable() + " cause=" + NativeLibrary.unavailabilityCause());
      try {
        KernelQueue.open(1);
        System.out.println("opened?!");
      } catch (UnsatisfiedLinkError expected) {
        System.out.println("refused: " + expected.getMessage());
      } catch (Exception e) {
        System.out.println("unexpected " + e);
      }
    }
  }
}
