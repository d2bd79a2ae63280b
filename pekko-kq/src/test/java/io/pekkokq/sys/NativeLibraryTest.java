package io.pekkokq.sys;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibraryTest {
  @Test
  void isLoadedFromTheJarOnThisMachine() {
    assertTrue(NativeLibrary.isAvailable(), () -> "unavailable: " + NativeLibrary.unavailabilityCause());
    assertNull(NativeLibrary.unavailabilityCause());
    // -Pkqueue loads the kqueue backend built against libkqueue instead (LibKqueue).
    assertEquals(LibKqueue.RUNNING ? "kqueue" : "epoll", NativeLibrary.backendName());
  }

  @Test
  void picksThePlatformDirectoryForEachOsAndArch() {
    assertEquals("linux-x86_64", NativeLibrary.platformFor("Linux", "amd64"));
    assertEquals("linux-x86_64", NativeLibrary.platformFor("Linux", "x86_64"));
    assertEquals("linux-aarch64", NativeLibrary.platformFor("Linux", "aarch64"));
    assertEquals("osx-x86_64", NativeLibrary.platformFor("Mac OS X", "x86_64"));
    assertEquals("osx-aarch64", NativeLibrary.platformFor("Mac OS X", "aarch64"));
    assertEquals("osx-aarch64", NativeLibrary.platformFor("Darwin", "arm64"));
    assertEquals("windows-x86_64", NativeLibrary.platformFor("Windows 11", "amd64"));
    assertNull(NativeLibrary.platformFor("Linux", "s390x"));
    assertEquals("libpekkokq.so", NativeLibrary.libraryFileFor("linux-aarch64"));
    assertEquals("libpekkokq.dylib", NativeLibrary.libraryFileFor("osx-x86_64"));
  }

  @Test
  void theUntriedWindowsLibraryLoadsOnlyWhenTheJvmOptsIn() {
    String refusal = NativeLibrary.untriedPlatformRefusal("windows-x86_64", null);
    assertNotNull(refusal);
    assertTrue(refusal.contains("-D" + NativeLibrary.WINDOWS_OPT_IN_PROPERTY + "=true"), refusal);
    assertNotNull(NativeLibrary.untriedPlatformRefusal("windows-x86_64", "false"));
    assertNull(NativeLibrary.untriedPlatformRefusal("windows-x86_64", "true"));
    assertNull(NativeLibrary.untriedPlatformRefusal("linux-x86_64", null));
    assertNull(NativeLibrary.untriedPlatformRefusal("osx-aarch64", null));
    assertNull(NativeLibrary.untriedPlatformRefusal("linux-aarch64-musl", null));
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
  void aLoaderPointedAtAMissingLibraryExplainsWhyAtEveryEntryPoint() throws Exception {
    String out = childJvm(List.of("-D" + NativeLibrary.LIBRARY_PATH_PROPERTY + "=/nonexistent/libpekkokq.so"));
    assertTrue(out.contains("available=false"), out);
    assertTrue(out.contains("/nonexistent/libpekkokq.so"), out);
    assertEveryEntryPointRefusedCleanly(out);
  }

  @Test
  void aCorruptLibraryIsReportedWithItsPathAndTheOverride(@TempDir Path dir) throws Exception {
    Path corrupt = Files.writeString(dir.resolve("libpekkokq.so"), "not an ELF file");
    String out = childJvm(List.of("-D" + NativeLibrary.LIBRARY_PATH_PROPERTY + "=" + corrupt));
    assertTrue(out.contains("available=false"), out);
    assertTrue(out.contains(corrupt.toString()), out);
    assertEveryEntryPointRefusedCleanly(out);
  }

  @Test
  void anUnwritableTempDirectoryIsNamedInsteadOfABareNoSuchFileException() throws Exception {
    String out = childJvm(List.of("-Djava.io.tmpdir=/nonexistent/tmp"));
    assertTrue(out.contains("available=false"), out);
    assertTrue(out.contains("java.io.tmpdir=/nonexistent/tmp"), out);
    assertTrue(out.contains("cannot extract META-INF/native/"), out);
    assertEveryEntryPointRefusedCleanly(out);
  }

  @Test
  void aPlatformWithoutABuildIsNamedWithTheOverride() throws Exception {
    String out = childJvm(List.of("-Dos.arch=s390x"));
    assertTrue(out.contains("no pekko-kq native library is packaged for os.name="), out);
    assertTrue(out.contains("os.arch=s390x"), out);
    assertEveryEntryPointRefusedCleanly(out);
  }

  @Test
  void aJarWithoutTheLibraryIsNamedWithTheOverride() throws Exception {
    // The class path without the native module: its resource is missing.
    String withoutNative =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> !entry.contains("pekko-kq-native") && !entry.contains("native" + File.separator + "target"))
            .collect(Collectors.joining(File.pathSeparator));
    String out = childJvm(List.of(), PrintAvailability.class, withoutNative);
    assertTrue(out.contains("not found on the class path"), out);
    assertEveryEntryPointRefusedCleanly(out);
  }

  @Test
  void adoptingAnInheritedDescriptorWorksAsTheFirstCall() throws Exception {
    String out = childJvm(List.of(), AdoptFirst.class);
    assertTrue(out.contains("non-blocking set"), out);
    assertTrue(out.contains("ALIVE"), out);
  }

  private static void assertEveryEntryPointRefusedCleanly(String out) {
    for (String entry : PrintAvailability.ENTRY_POINTS) {
      assertTrue(out.contains(entry + ": refused: pekko-kq native library unavailable: "), entry + " in\n" + out);
    }
    assertFalse(out.contains("LINKAGE"), out);
    assertTrue(out.contains("-D" + NativeLibrary.LIBRARY_PATH_PROPERTY), "names the override:\n" + out);
    assertTrue(out.contains("ALIVE"), out);
  }

  /** Runs {@code main} in a fresh JVM, so the load is that JVM's first; its exit code must be 0. */
  private static String childJvm(List<String> jvmOptions, Class<?> main) throws Exception {
    return childJvm(jvmOptions, main, System.getProperty("java.class.path"));
  }

  private static String childJvm(List<String> jvmOptions, Class<?> main, String classPath) throws Exception {
    List<String> command = new ArrayList<>();
    // kq.test.java: a launcher for when this JVM's own binary cannot be exec'd directly
    // (an aarch64 JVM emulated by QEMU, native/cross/aarch64-jvm-tests.sh).
    command.add(System.getProperty("kq.test.java", ProcessHandle.current().info().command().orElse("java")));
    command.add("-cp");
    command.add(classPath);
    command.addAll(jvmOptions);
    command.add(main.getName());
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  private static String childJvm(List<String> jvmOptions) throws Exception {
    return childJvm(jvmOptions, PrintAvailability.class);
  }

  /** Run in a child JVM: every sys entry point, each of which must fail cleanly. */
  public static final class PrintAvailability {
    static final List<String> ENTRY_POINTS =
        List.of("KernelQueue.open", "FileDescriptor.adopt", "Socket.openTcp", "Descriptors.pipe",
            "Signals.number", "Errno.exception", "NativeMemory.address", "backendName",
            "Socket.openUnix", "UnixAddress.maxLength", "UnixSocketFiles.deleteIfSocket");

    public static void main(String[] args) {
      System.out.println("available=" + NativeLibrary.isAvailable() + " cause=" + NativeLibrary.unavailabilityCause());
      attempt("KernelQueue.open", () -> KernelQueue.open(1));
      attempt("FileDescriptor.adopt", () -> FileDescriptor.adopt(0));
      attempt("Socket.openTcp", () -> Socket.openTcp(4));
      attempt("Descriptors.pipe", Descriptors::pipe);
      attempt("Signals.number", () -> Signals.number("HUP"));
      attempt("Errno.exception", () -> Errno.exception("read", -Errno.EAGAIN));
      attempt("NativeMemory.address", () -> NativeMemory.address(java.nio.ByteBuffer.allocateDirect(8)));
      attempt("backendName", NativeLibrary::backendName);
      attempt("Socket.openUnix", Socket::openUnix);
      attempt("UnixAddress.maxLength", UnixAddress::maxLength);
      attempt("UnixSocketFiles.deleteIfSocket", () -> UnixSocketFiles.deleteIfSocket(UnixAddress.of(java.nio.file.Path.of("/nonexistent/kq.sock"))));
      System.out.println("ALIVE");
    }

    private static void attempt(String name, java.util.concurrent.Callable<?> call) {
      try {
        System.out.println(name + ": succeeded?! " + call.call());
      } catch (NativeUnavailableException expected) {
        System.out.println(name + ": refused: " + expected.getMessage());
      } catch (LinkageError e) {
        System.out.println(name + ": LINKAGE " + e);
      } catch (Exception e) {
        System.out.println(name + ": unexpected " + e);
      }
    }
  }

  /** Run in a child JVM: docs/streams.md's sequence for an inherited descriptor, first. */
  public static final class AdoptFirst {
    public static void main(String[] args) throws Exception {
      FileDescriptor stdin = FileDescriptor.adopt(0);
      stdin.setNonBlocking(true);
      System.out.println("non-blocking set");
      stdin.setNonBlocking(false);
      System.out.println("ALIVE");
    }
  }
}
