package io.pekkokq;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * For tests of listener sharding: how many TCP sockets of this network namespace listen on
 * a port, from Linux's /proc/net/tcp and tcp6 (state 0A is LISTEN). The kernel's own
 * count, so a test sees the shards themselves, not what the library says of them.
 */
public final class ListeningSockets {
  private ListeningSockets() {}

  /** Whether this platform has /proc/net/tcp (Linux). */
  public static boolean available() {
    return Files.isReadable(Path.of("/proc/net/tcp"));
  }

  public static int on(int port) throws IOException {
    String hexPort = String.format(Locale.ROOT, "%04X", port);
    int n = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path path = Path.of(table);
      if (!Files.isReadable(path)) continue;
      for (String line : Files.readAllLines(path)) {
        String[] f = line.trim().split("\\s+");
        // sl local_address rem_address st ...; local_address is ADDR:PORT in hex
        if (f.length > 3 && f[1].endsWith(":" + hexPort) && f[3].equals("0A")) n++;
      }
    }
    return n;
  }
}
