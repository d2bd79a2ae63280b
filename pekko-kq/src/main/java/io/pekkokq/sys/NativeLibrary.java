package io.pekkokq.sys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

/**
 * Finds, extracts and loads libpekkokq once per class loader, and says exactly why when
 * it cannot.
 *
 * <p>The library travels inside the jar as {@code META-INF/native/<platform>/<file>}, with
 * platform one of {@code linux-x86_64}, {@code linux-aarch64}, {@code osx-x86_64},
 * {@code osx-aarch64}. It is copied into a fresh private directory (mode 0700, unique
 * name), loaded, and the copy is deleted at once: the loaded mapping outlives the file, and
 * nothing is left in the temporary directory after a crash or a kill.
 *
 * <p>Set the system property {@value #LIBRARY_PATH_PROPERTY} to the path of an installed
 * library to load that instead.
 */
public final class NativeLibrary {
  /** System property naming an already-installed libpekkokq to load instead of the jar's. */
  public static final String LIBRARY_PATH_PROPERTY = "pekko.kq.native.library";

  private static final Throwable UNAVAILABILITY_CAUSE = load();

  private NativeLibrary() {}

  /** True when the native library is loaded and its layout matches this Java code. */
  public static boolean isAvailable() {
    return UNAVAILABILITY_CAUSE == null;
  }

  /** Why the library is unavailable, or null when it is available. */
  public static Throwable unavailabilityCause() {
    return UNAVAILABILITY_CAUSE;
  }

  /** Throws an {@link UnsatisfiedLinkError} carrying the cause when the library is unavailable. */
  public static void ensureAvailable() {
    if (UNAVAILABILITY_CAUSE != null) {
      UnsatisfiedLinkError error =
          new UnsatisfiedLinkError(
              "pekko-kq native library unavailable: " + UNAVAILABILITY_CAUSE.getMessage());
      error.initCause(UNAVAILABILITY_CAUSE);
      throw error;
    }
  }

  /** The kernel queue the library was built for: "epoll" or "kqueue". */
  public static String backendName() {
    ensureAvailable();
    return Native.backendName0();
  }

  /**
   * The platform directory name for an os.name / os.arch pair, or null when there is no
   * build for it. Public so the choice can be tested for every platform on any machine.
   */
  public static String platformFor(String osName, String osArch) {
    String os = osName.toLowerCase(Locale.ROOT);
    String arch = osArch.toLowerCase(Locale.ROOT);
    String osPart;
    if (os.startsWith("linux")) osPart = "linux";
    else if (os.startsWith("mac") || os.startsWith("darwin")) osPart = "osx";
    else return null;
    String archPart;
    switch (arch) {
      case "amd64":
      case "x86_64":
      case "x64":
        archPart = "x86_64";
        break;
      case "aarch64":
      case "arm64":
        archPart = "aarch64";
        break;
      default:
        return null;
    }
    return osPart + "-" + archPart;
  }

  /** The library's file name on a platform: libpekkokq.so or libpekkokq.dylib. */
  public static String libraryFileFor(String platform) {
    return platform.startsWith("osx") ? "libpekkokq.dylib" : "libpekkokq.so";
  }

  private static Throwable load() {
    try {
      String installed = System.getProperty(LIBRARY_PATH_PROPERTY);
      if (installed != null && !installed.isEmpty()) {
        System.load(Path.of(installed).toAbsolutePath().toString());
      } else {
        loadFromJar();
      }
      checkLayout();
      return null;
    } catch (Throwable t) {
      return t;
    }
  }

  private static void loadFromJar() throws IOException {
    String osName = System.getProperty("os.name", "");
    String osArch = System.getProperty("os.arch", "");
    String platform = platformFor(osName, osArch);
    if (platform == null) {
      throw new UnsupportedOperationException(
          "no pekko-kq native library for os.name=" + osName + ", os.arch=" + osArch
              + " (supported: Linux and macOS on x86_64 and aarch64)");
    }
    String file = libraryFileFor(platform);
    String resource = "META-INF/native/" + platform + "/" + file;
    ClassLoader loader = NativeLibrary.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException(
            "resource " + resource + " not found on the class path (is pekko-kq-native on it?)");
      }
      Path dir =
          Files.createTempDirectory(
              "pekkokq-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path target = dir.resolve(file);
      try {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        System.load(target.toString());
      } finally {
        // Once loaded the mapping stays valid; deleting now leaves nothing behind.
        Files.deleteIfExists(target);
        Files.deleteIfExists(dir);
      }
    }
  }

  private static void checkLayout() {
    int eventSize = Native.sizeofEvent0();
    int addrSize = Native.sizeofAddr0();
    if (eventSize != EventArray.EVENT_SIZE || addrSize != SocketAddresses.RECORD_SIZE) {
      throw new IllegalStateException(
          "native layout mismatch: kq_event is " + eventSize + " bytes (Java expects "
              + EventArray.EVENT_SIZE + "), kq_addr is " + addrSize + " bytes (Java expects "
              + SocketAddresses.RECORD_SIZE + "); the jar and the library are from different builds");
    }
  }
}
