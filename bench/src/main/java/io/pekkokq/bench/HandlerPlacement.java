package io.pekkokq.bench;

/**
 * Where the pekko-kq servers run their handlers: {@code -Dbench.handlers=poller} (on the
 * connection's poller thread) or {@code pool} (Pekko's default dispatcher, as the Pekko
 * servers do). bench/run.sh sets it per server name.
 */
final class HandlerPlacement {
  private HandlerPlacement() {}

  static boolean onPoller() {
    String placement = System.getProperty("bench.handlers", "poller");
    switch (placement) {
      case "poller":
        return true;
      case "pool":
        return false;
      default:
        System.err.println("bench.handlers must be poller or pool, was " + placement);
        System.exit(2);
        return false;
    }
  }
}
