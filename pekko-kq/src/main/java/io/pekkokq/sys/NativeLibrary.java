package io.pekkokq.sys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
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
 * platform one of {@code linux-x86_64}, {@code linux-aarch64} (glibc), {@code
 * linux-x86_64-musl}, {@code linux-aarch64-musl} (musl: Alpine), {@code osx-x86_64},
 * {@code osx-aarch64}, {@code windows-x86_64} (file {@code pekkokq.dll}). It is copied into a
 * fresh private directory (mode 0700, unique name) under {@code java.io.tmpdir}, loaded, and
 * the copy is deleted at once: the loaded mapping outlives the file, and nothing is left in
 * the temporary directory after a crash or a kill. On Windows (no POSIX permissions: the
 * directory is in the user's own temporary directory) a loaded DLL cannot be deleted, so
 * its copy stays there; the Windows library has never been loaded by a JVM in this
 * project's tests (docs/limitations.md), so the jar's copy is loaded there only when the
 * JVM opts in with {@value #WINDOWS_OPT_IN_PROPERTY}{@code =true}: until then Windows runs
 * on Pekko's NIO through the fallback, and an untried library can never take a JVM down.
 *
 * <p>Set the system property {@value #LIBRARY_PATH_PROPERTY} to the path of an installed
 * library to load that instead.
 *
 * <p>Loading never throws: a failure is kept ({@link #unavailabilityCause()}), and every
 * entry point that needs the library calls {@link #ensureAvailable()}, which throws a
 * {@link NativeUnavailableException}, never a {@link LinkageError}. Every failure's message
 * names what failed and the override property.
 */
public final class NativeLibrary {
  /** System property naming an already-installed libpekkokq to load instead of the jar's. */
  public static final String LIBRARY_PATH_PROPERTY = "pekko.kq.native.library";

  /** System property that lets the jar's untried Windows library load ({@code true}). */
  public static final String WINDOWS_OPT_IN_PROPERTY = "pekko.kq.native.windows";

  private static final String OVERRIDE_HINT =
      "; to use an installed library instead, start the JVM with -D" + LIBRARY_PATH_PROPERTY
          + "=/path/to/libpekkokq.so (.dylib on macOS, pekkokq.dll on Windows)";

  private static final Throwable UNAVAILABILITY_CAUSE = load();

  private NativeLibrary() {}

  /** True when the native library is loaded and its layout matches this Java code. */
  public static boolean isAvailable() {
    return UNAVAILABILITY_CAUSE == null;
  }

  /**
   * Why the library is unavailable (its message says what failed and names {@value
   * #LIBRARY_PATH_PROPERTY}; its cause is the original error), or null when it is available.
   */
  public static Throwable unavailabilityCause() {
    return UNAVAILABILITY_CAUSE;
  }

  /**
   * Loads the library on first use; throws a {@link NativeUnavailableException} carrying
   * the cause when it is unavailable.
   */
  public static void ensureAvailable() {
    if (UNAVAILABILITY_CAUSE != null) {
      throw new NativeUnavailableException(
          "pekko-kq native library unavailable: " + UNAVAILABILITY_CAUSE.getMessage(), UNAVAILABILITY_CAUSE);
    }
  }

  /** The kernel queue the library was built for: "epoll", "kqueue" or "iocp" (Windows). */
  public static String backendName() {
    ensureAvailable();
    return Native.backendName0();
  }

  /**
   * The platform directory name for an os.name / os.arch pair on a glibc system, or null
   * when there is no build for it. Public so the choice can be tested for every platform
   * on any machine.
   */
  public static String platformFor(String osName, String osArch) {
    return platformFor(osName, osArch, false);
  }

  /**
   * The platform directory name for an os.name / os.arch pair, or null when there is no
   * build for it; {@code musl} picks the musl build on Linux (ignored elsewhere).
   */
  public static String platformFor(String osName, String osArch, boolean musl) {
    String os = osName.toLowerCase(Locale.ROOT);
    String arch = osArch.toLowerCase(Locale.ROOT);
    String osPart;
    if (os.startsWith("linux")) osPart = "linux";
    else if (os.startsWith("mac") || os.startsWith("darwin")) osPart = "osx";
    else if (os.startsWith("windows")) osPart = "windows";
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
    if (osPart.equals("windows") && !archPart.equals("x86_64")) return null; // not built
    return osPart + "-" + archPart + (musl && osPart.equals("linux") ? "-musl" : "");
  }

  /**
   * The library's file name on a platform: libpekkokq.so, libpekkokq.dylib, or pekkokq.dll
   * (Windows names libraries without the "lib" prefix, as System.mapLibraryName does).
   */
  /**
   * Why the jar's library for {@code platform} is not loaded, or null when it may be: a
   * platform whose library no JVM in this project's tests has loaded (windows-x86_64: its C
   * tests run under wine only) needs {@code optIn} ({@value #WINDOWS_OPT_IN_PROPERTY}) to be
   * "true".
   */
  public static String untriedPlatformRefusal(String platform, String optIn) {
    if (!platform.startsWith("windows") || "true".equalsIgnoreCase(optIn)) return null;
    return "the " + platform + " library has not been run by a JVM yet (its C tests run under wine"
        + " only, docs/limitations.md), so it is loaded only with -D" + WINDOWS_OPT_IN_PROPERTY
        + "=true; without it pekko-kq runs on Pekko's NIO here (pekko.io.kq.fallback = nio)";
  }

  public static String libraryFileFor(String platform) {
    if (platform.startsWith("osx")) return "libpekkokq.dylib";
    if (platform.startsWith("windows")) return "pekkokq.dll";
    return "libpekkokq.so";
  }

  private static Throwable load() {
    String installed = System.getProperty(LIBRARY_PATH_PROPERTY);
    try {
      if (installed != null && !installed.isEmpty()) {
        loadInstalled(installed);
      } else {
        loadFromJar();
      }
      checkLayout();
      return null;
    } catch (Throwable t) { // UnsatisfiedLinkError included: kept, and reported on use
      return t instanceof NativeUnavailableException
          ? t
          : new NativeUnavailableException(describe(installed, t), t);
    }
  }

  private static void loadInstalled(String installed) {
    String path = Path.of(installed).toAbsolutePath().toString();
    try {
      System.load(path);
    } catch (Throwable t) {
      throw new NativeUnavailableException(
          "cannot load " + path + " (named by -D" + LIBRARY_PATH_PROPERTY + "): " + t, t);
    }
  }

  private static void loadFromJar() {
    String osName = System.getProperty("os.name", "");
    String osArch = System.getProperty("os.arch", "");
    boolean musl = osName.toLowerCase(Locale.ROOT).startsWith("linux") && Libc.isMusl();
    String platform = platformFor(osName, osArch, musl);
    if (platform == null) {
      throw new NativeUnavailableException(
          "no pekko-kq native library is packaged for os.name=" + osName + ", os.arch=" + osArch
              + " (packaged: Linux and macOS on x86_64 and aarch64, Windows on x86_64)"
              + OVERRIDE_HINT, null);
    }
    String untried = untriedPlatformRefusal(platform, System.getProperty(WINDOWS_OPT_IN_PROPERTY));
    if (untried != null) throw new NativeUnavailableException(untried, null);
    String file = libraryFileFor(platform);
    String resource = "META-INF/native/" + platform + "/" + file;
    ClassLoader loader = NativeLibrary.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new NativeUnavailableException(
            "resource " + resource + " not found on the class path (a jar built without the "
                + platform + " library?)" + OVERRIDE_HINT, null);
      }
      Path dir = privateDirectory(resource);
      Path target = dir.resolve(file);
      try {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        System.load(target.toString());
      } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
        throw new NativeUnavailableException(
            "cannot load " + resource + " extracted to " + target + " (a corrupt library, one "
                + "built for another C library, or a java.io.tmpdir mounted noexec?): " + e
                + OVERRIDE_HINT, e);
      } finally {
        // Once loaded the mapping stays valid; deleting now leaves nothing behind.
        deleteQuietly(target);
        deleteQuietly(dir);
      }
    } catch (IOException e) { // closing the resource stream
      throw new NativeUnavailableException(
          "cannot read " + resource + " from the class path: " + e + OVERRIDE_HINT, e);
    }
  }

  /**
   * A fresh directory only this user can enter, under java.io.tmpdir: mode 0700 where the
   * file system has POSIX permissions; elsewhere (Windows) the temporary directory is the
   * user's own and the new directory inherits its access list.
   */
  private static Path privateDirectory(String resource) {
    try {
      if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        return Files.createTempDirectory("pekkokq-");
      }
      return Files.createTempDirectory(
          "pekkokq-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException | RuntimeException e) {
      throw new NativeUnavailableException(
          "cannot extract " + resource + ": no private directory can be created in java.io.tmpdir="
              + System.getProperty("java.io.tmpdir") + " (" + e + "); point -Djava.io.tmpdir at a "
              + "writable directory" + OVERRIDE_HINT, e);
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // a leftover private file in the temporary directory; the library is loaded or not anyway
    }
  }

  /** Says what failed for a cause that did not say it itself. */
  private static String describe(String installed, Throwable t) {
    String source =
        installed != null && !installed.isEmpty()
            ? installed + " (named by -D" + LIBRARY_PATH_PROPERTY + ")"
            : "the library packaged in the jar";
    return "cannot use " + source + ": " + t + OVERRIDE_HINT;
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
    int dgramSize = Native.sizeofDgram0();
    if (dgramSize != DatagramBatch.RECORD_SIZE) {
      throw new IllegalStateException(
          "native layout mismatch: kq_dgram is " + dgramSize + " bytes (Java expects "
              + DatagramBatch.RECORD_SIZE + "); the jar and the library are from different builds");
    }
  }
}
