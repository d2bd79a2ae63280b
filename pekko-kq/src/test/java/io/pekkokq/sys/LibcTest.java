package io.pekkokq.sys;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The glibc / musl decision from its inputs, so no musl system is needed to test it. */
class LibcTest {
  private static final String GLIBC_MAPS =
      "55d0c0a00000-55d0c0a01000 r--p 00000000 08:01 1048 /usr/lib/jvm/java-17/bin/java\n"
          + "7f2a1c000000-7f2a1c028000 r--p 00000000 08:01 2091 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
          + "7f2a1c3f0000-7f2a1c3f2000 r--p 00000000 08:01 2080 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n";
  private static final String MUSL_MAPS =
      "55d0c0a00000-55d0c0a01000 r--p 00000000 08:01 1048 /usr/lib/jvm/java-17-openjdk/bin/java\n"
          + "7f8e9a000000-7f8e9a014000 r--p 00000000 08:01 3001 /lib/ld-musl-x86_64.so.1\n";
  private static final String MUSL_AARCH64_MAPS =
      "ffff8e000000-ffff8e014000 r-xp 00000000 fd:00 3001 /lib/ld-musl-aarch64.so.1\n";

  @Test
  void aJvmThatMapsMuslsLoaderRunsOnMusl() {
    assertTrue(Libc.isMusl(MUSL_MAPS, List.of("ld-musl-x86_64.so.1", "libz.so.1")));
    assertTrue(Libc.isMusl(MUSL_AARCH64_MAPS, null));
  }

  @Test
  void aGlibcJvmIsGlibcEvenWhereMuslIsInstalledBesideIt() {
    assertFalse(Libc.isMusl(GLIBC_MAPS, List.of("libc.so.6")));
    assertFalse(Libc.isMusl(GLIBC_MAPS, List.of("ld-musl-x86_64.so.1")), "the map decides");
  }

  @Test
  void withoutAReadableMapTheMuslLoaderInLibDecides() {
    assertTrue(Libc.isMusl(null, List.of("apk", "ld-musl-aarch64.so.1")));
    assertFalse(Libc.isMusl(null, List.of("ld-linux-x86-64.so.2", "libc.so.6")));
    assertFalse(Libc.isMusl("", List.of("libc.so.6")));
    assertFalse(Libc.isMusl(null, null), "nothing known: glibc, the common case");
  }

  @Test
  void thisMachineIsDetectedAsWhatItsJvmMaps() throws Exception {
    String maps = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/maps"));
    assertEquals(maps.contains("/ld-musl-"), Libc.isMusl());
  }
}
