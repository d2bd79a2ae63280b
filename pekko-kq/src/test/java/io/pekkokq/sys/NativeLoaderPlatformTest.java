package io.pekkokq.sys;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The loader's choice for every os.name / os.arch a JVM reports, on any machine: which
 * META-INF/native/&lt;platform&gt;/ directory and file it would load. NativeLibraryTest has
 * the common names; this covers the rest and the refusals.
 */
class NativeLoaderPlatformTest {
  /** What the JDKs report (os.name, os.arch) on each supported platform, and aliases. */
  @ParameterizedTest(name = "{0} / {1} -> {2}")
  @CsvSource({
    "Linux, amd64, linux-x86_64",
    "Linux, x86_64, linux-x86_64",
    "Linux, x64, linux-x86_64",
    "LINUX, AMD64, linux-x86_64",
    "Linux, aarch64, linux-aarch64",
    "Linux, arm64, linux-aarch64",
    "Mac OS X, x86_64, osx-x86_64",
    "Mac OS X, amd64, osx-x86_64",
    "Mac OS X, aarch64, osx-aarch64",
    "Mac OS X, arm64, osx-aarch64",
    "mac os x, AARCH64, osx-aarch64",
    "Darwin, x86_64, osx-x86_64",
    "Darwin, aarch64, osx-aarch64",
    "Windows 11, amd64, windows-x86_64",
    "Windows 10, amd64, windows-x86_64",
    "Windows Server 2022, amd64, windows-x86_64",
    "windows 11, x86_64, windows-x86_64",
  })
  void picksTheDirectoryOfItsPlatform(String osName, String osArch, String platform) {
    assertEquals(platform, NativeLibrary.platformFor(osName, osArch));
  }

  /** On musl, Linux picks the musl build; other systems have no musl variant. */
  @ParameterizedTest(name = "{0} / {1} on musl -> {2}")
  @CsvSource({
    "Linux, amd64, linux-x86_64-musl",
    "Linux, x86_64, linux-x86_64-musl",
    "Linux, aarch64, linux-aarch64-musl",
    "Linux, arm64, linux-aarch64-musl",
    "Mac OS X, aarch64, osx-aarch64",
    "Darwin, x86_64, osx-x86_64",
    "Windows 11, amd64, windows-x86_64",
  })
  void picksTheMuslDirectoryOnMusl(String osName, String osArch, String platform) {
    assertEquals(platform, NativeLibrary.platformFor(osName, osArch, true));
    assertEquals("libpekkokq.so".equals(NativeLibrary.libraryFileFor(platform)), platform.startsWith("linux"));
  }

  @Test
  void muslChangesNothingForPlatformsWithoutABuild() {
    assertNull(NativeLibrary.platformFor("Linux", "s390x", true));
    assertNull(NativeLibrary.platformFor("FreeBSD", "amd64", true));
  }

  /** No build for these: the loader must say so (null), not load a wrong library. */
  @ParameterizedTest(name = "{0} / {1} -> none")
  @CsvSource({
    "FreeBSD, amd64", // the kqueue backend compiles for FreeBSD, but no library is packaged
    "FreeBSD, aarch64",
    "Windows 11, aarch64", // only x86_64 is built for Windows
    "Windows 10, x86",
    "SunOS, sparcv9",
    "AIX, ppc64",
    "Linux, x86",
    "Linux, i386",
    "Linux, arm",
    "Linux, ppc64le",
    "Linux, s390x",
    "Linux, riscv64",
    "Mac OS X, ppc",
    "'', ''",
  })
  void refusesPlatformsWithoutALibrary(String osName, String osArch) {
    assertNull(NativeLibrary.platformFor(osName, osArch));
  }

  @Test
  void theFileNameFollowsTheOs() {
    assertEquals("libpekkokq.so", NativeLibrary.libraryFileFor("linux-x86_64"));
    assertEquals("libpekkokq.so", NativeLibrary.libraryFileFor("linux-aarch64"));
    assertEquals("libpekkokq.dylib", NativeLibrary.libraryFileFor("osx-x86_64"));
    assertEquals("libpekkokq.dylib", NativeLibrary.libraryFileFor("osx-aarch64"));
    // System.mapLibraryName("pekkokq") on Windows: no "lib" prefix.
    assertEquals("pekkokq.dll", NativeLibrary.libraryFileFor("windows-x86_64"));
  }

  /** The loader's choices (glibc) are exactly the five directories the build produces. */
  @Test
  void everyChoiceIsOneOfTheFivePackagedPlatforms() {
    Set<String> chosen = new TreeSet<>();
    for (String os : new String[] {"Linux", "Mac OS X", "Darwin", "Windows 11"}) {
      for (String arch : new String[] {"amd64", "x86_64", "x64", "aarch64", "arm64"}) {
        String platform = NativeLibrary.platformFor(os, arch);
        if (platform != null) chosen.add(platform);
      }
    }
    assertEquals(
        Set.of("linux-x86_64", "linux-aarch64", "osx-x86_64", "osx-aarch64", "windows-x86_64"),
        chosen);
  }

  /** On this machine the loader's choice is on the class path (the host build). */
  @Test
  void thisMachinesChoiceIsOnTheClassPath() throws IOException {
    String platform =
        NativeLibrary.platformFor(System.getProperty("os.name"), System.getProperty("os.arch"));
    assertNotNull(platform, "this test machine should be a supported platform");
    String resource = "META-INF/native/" + platform + "/" + NativeLibrary.libraryFileFor(platform);
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {
      assertNotNull(in, resource + " missing from the class path");
    }
  }
}
