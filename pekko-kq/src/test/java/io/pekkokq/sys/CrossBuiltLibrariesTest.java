package io.pekkokq.sys;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks every libpekkokq the jar carries, without running it: the right file format and
 * CPU for its platform directory, JNI_OnLoad as its one exported symbol, the kernel queue
 * it was built on, and the JNI registration table matching {@link Native}'s natives. The
 * Windows DLL is only read here: no JVM loads it in this project's tests.
 *
 * <p>Only linux-x86_64 is built by default; the others come from {@code mvn -pl native
 * -Pcross} (native/cross/build.sh), which also replaces linux-x86_64 with its glibc 2.17
 * build. When one is absent its case is skipped with a message, unless
 * KQ_CROSS_REQUIRED=true (environment) or -Dkq.cross.required=true asks for all seven, as
 * CI does. Symbol versions (glibc 2.17), NEEDED libraries and stripping are checked by
 * native/cross/check-libs.sh, run by the cross-build itself and by CI.
 */
class CrossBuiltLibrariesTest {
  private static final Set<String> JNI_ONLOAD_ONLY_ELF = Set.of("JNI_OnLoad");
  private static final Set<String> JNI_ONLOAD_ONLY_MACHO = Set.of("_JNI_OnLoad");

  @ParameterizedTest
  @ValueSource(strings = {
    "linux-x86_64", "linux-aarch64", "linux-x86_64-musl", "linux-aarch64-musl",
    "osx-x86_64", "osx-aarch64", "windows-x86_64"
  })
  void theLibraryOfEachPlatformIsBuiltForIt(String platform) throws IOException {
    byte[] bytes = libraryBytes(platform);
    NativeBinary bin = NativeBinary.parse(bytes);
    assertTrue(bin.sharedLibrary, platform + ": not a shared library (ET_DYN / MH_DYLIB)");
    switch (platform) {
      case "linux-x86_64":
      case "linux-x86_64-musl":
        assertElf(bin, NativeBinary.EM_X86_64, platform);
        break;
      case "linux-aarch64":
      case "linux-aarch64-musl":
        assertElf(bin, NativeBinary.EM_AARCH64, platform);
        break;
      case "osx-x86_64":
        assertMachO(bin, NativeBinary.CPU_TYPE_X86_64, platform);
        break;
      case "osx-aarch64":
        assertMachO(bin, NativeBinary.CPU_TYPE_ARM64, platform);
        break;
      case "windows-x86_64":
        assertPe(bin, platform);
        break;
      default:
        fail("unknown platform " + platform);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "linux-x86_64", "linux-aarch64", "linux-x86_64-musl", "linux-aarch64-musl",
    "osx-x86_64", "osx-aarch64", "windows-x86_64"
  })
  void itsRegistrationTableNamesEveryNativeOfNativeJava(String platform) throws IOException {
    NativeBinary bin = NativeBinary.parse(libraryBytes(platform));
    List<String> missing = new ArrayList<>();
    int natives = 0;
    for (Method m : nativeMethods()) {
      natives++;
      // onload.c's JNINativeMethod rows: {"name", "descriptor", fn}, both C strings.
      if (!bin.containsCString(m.getName())) missing.add(m.getName());
      if (!bin.containsCString(descriptor(m))) missing.add(m.getName() + descriptor(m));
    }
    assertEquals(56, natives, "Native.java's native count changed: update onload.c too");
    assertTrue(missing.isEmpty(), platform + " lacks JNI table entries for " + missing);
  }

  private static void assertElf(NativeBinary bin, int machine, String platform) {
    assertEquals(NativeBinary.Format.ELF, bin.format, platform);
    assertEquals(machine, bin.machine, platform + ": ELF e_machine");
    assertEquals(JNI_ONLOAD_ONLY_ELF, bin.exported, platform + ": exported symbols");
    // The epoll backend is the one compiled in.
    assertTrue(bin.undefined.contains("epoll_wait"), platform + " does not call epoll_wait");
    assertTrue(bin.containsCString("epoll"), platform + ": backend name 'epoll' missing");
    assertFalse(bin.containsCString("kqueue"), platform + " carries the kqueue backend name");
  }

  private static void assertMachO(NativeBinary bin, int cputype, String platform) {
    assertEquals(NativeBinary.Format.MACH_O, bin.format, platform);
    assertEquals(cputype, bin.machine, platform + ": Mach-O cputype");
    // The symbol table's view (N_EXT without N_PEXT). zig 0.11's Mach-O linker also
    // lists the hidden (private extern) kq_* functions in the export trie, which this
    // does not read: harmless with RegisterNatives, noted in docs/limitations.md.
    assertEquals(JNI_ONLOAD_ONLY_MACHO, bin.exported, platform + ": exported symbols");
    // The kqueue backend is the one compiled in, and nothing of Linux's.
    assertTrue(bin.undefined.contains("_kevent"), platform + " does not call kevent");
    assertTrue(bin.undefined.contains("_kqueue"), platform + " does not call kqueue");
    assertFalse(bin.undefined.contains("_epoll_wait"), platform + " calls epoll_wait");
    assertTrue(bin.undefined.contains("_sendfile"), platform + ": BSD sendfile missing");
    assertTrue(bin.containsCString("kqueue"), platform + ": backend name 'kqueue' missing");
  }

  private static void assertPe(NativeBinary bin, String platform) {
    assertEquals(NativeBinary.Format.PE, bin.format, platform);
    assertEquals(NativeBinary.IMAGE_FILE_MACHINE_AMD64, bin.machine, platform + ": COFF Machine");
    assertEquals(JNI_ONLOAD_ONLY_ELF, bin.exported, platform + ": exported symbols");
    // The iocp backend with AFD polls is the one compiled in.
    assertTrue(bin.undefined.contains("GetQueuedCompletionStatusEx"), platform + ": no IOCP wait");
    assertTrue(bin.undefined.contains("NtDeviceIoControlFile"), platform + ": no AFD poll");
    assertTrue(bin.containsCString("iocp"), platform + ": backend name 'iocp' missing");
    assertFalse(bin.containsCString("epoll"), platform + " carries the epoll backend name");
    // Only DLLs every Windows has: no compiler runtime DLL to ship beside it.
    for (String dll : bin.importedLibraries) {
      assertTrue(
          Set.of("kernel32.dll", "ws2_32.dll", "ntdll.dll", "msvcrt.dll")
              .contains(dll.toLowerCase(Locale.ROOT)),
          platform + " imports " + dll);
    }
  }

  // ---- finding the libraries ----------------------------------------------------------

  /**
   * The library as the loader would find it (the class path: pekko-kq-native's classes
   * or jar), else in ../native/target/classes (a cross-build run after this module's
   * class path was resolved). Skips, or fails when all seven are required.
   */
  static byte[] libraryBytes(String platform) throws IOException {
    String resource =
        "META-INF/native/" + platform + "/" + NativeLibrary.libraryFileFor(platform);
    try (InputStream in = CrossBuiltLibrariesTest.class.getClassLoader().getResourceAsStream(resource)) {
      if (in != null) return in.readAllBytes();
    }
    Path sibling = Path.of("..", "native", "target", "classes").resolve(resource);
    if (Files.isRegularFile(sibling)) return Files.readAllBytes(sibling);
    String why =
        resource + " is neither on the class path nor in " + sibling.toAbsolutePath().normalize()
            + ": build it with `mvn -pl native -Pcross package` (Zig toolchain from npm)";
    if (crossRequired()) fail(why + " [required: KQ_CROSS_REQUIRED / kq.cross.required]");
    Assumptions.assumeTrue(false, "skipped, " + why);
    return null;
  }

  static boolean crossRequired() {
    return "true".equals(System.getenv("KQ_CROSS_REQUIRED"))
        || Boolean.getBoolean("kq.cross.required");
  }

  // ---- Native.java's natives ----------------------------------------------------------

  private static List<Method> nativeMethods() {
    try {
      // Not initialised: this test must not need the host library to be loadable.
      Class<?> cls = Class.forName("io.pekkokq.sys.Native", false, NativeBinary.class.getClassLoader());
      List<Method> natives = new ArrayList<>();
      for (Method m : cls.getDeclaredMethods()) {
        if (Modifier.isNative(m.getModifiers())) natives.add(m);
      }
      return natives;
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
  }

  /** The JNI method descriptor, as written in onload.c: "(IJI)I". */
  private static String descriptor(Method m) {
    StringBuilder sb = new StringBuilder("(");
    for (Class<?> p : m.getParameterTypes()) sb.append(typeDescriptor(p));
    return sb.append(')').append(typeDescriptor(m.getReturnType())).toString();
  }

  private static String typeDescriptor(Class<?> c) {
    if (c.isArray()) return "[" + typeDescriptor(c.getComponentType());
    if (c == int.class) return "I";
    if (c == long.class) return "J";
    if (c == boolean.class) return "Z";
    if (c == byte.class) return "B";
    if (c == short.class) return "S";
    if (c == char.class) return "C";
    if (c == float.class) return "F";
    if (c == double.class) return "D";
    if (c == void.class) return "V";
    return "L" + c.getName().replace('.', '/') + ";";
  }
}
