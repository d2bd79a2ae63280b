package io.pekkokq.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which C library this Linux JVM runs on: glibc or musl (Alpine). The loader needs it
 * because a library linked against one does not load under the other.
 *
 * <p>The JVM's own memory map is the authority: a musl JVM maps {@code ld-musl-*.so.1}
 * (musl's libc and dynamic loader are one file). Only when the map cannot be read is the
 * presence of {@code /lib/ld-musl-*.so.1} taken as the answer; that guess alone would be
 * wrong on a glibc system that merely has the musl package installed.
 */
final class Libc {
  private Libc() {}

  /** True when this JVM runs on musl. Linux only; reads /proc/self/maps and /lib. */
  static boolean isMusl() {
    return isMusl(read(Path.of("/proc/self/maps")), list(Path.of("/lib")));
  }

  /**
   * The decision, from its inputs: the text of /proc/self/maps (null when unreadable) and
   * the file names in /lib (null when unreadable).
   */
  static boolean isMusl(String procSelfMaps, List<String> libFileNames) {
    if (procSelfMaps != null && procSelfMaps.contains("/")) {
      return procSelfMaps.contains("/ld-musl-") || procSelfMaps.contains("/libc.musl-");
    }
    if (libFileNames == null) return false;
    for (String name : libFileNames) {
      if (name.startsWith("ld-musl-") && name.endsWith(".so.1")) return true;
    }
    return false;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException | RuntimeException e) {
      return null; // not Linux, or no /proc: fall back to /lib
    }
  }

  private static List<String> list(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).collect(Collectors.toList());
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
