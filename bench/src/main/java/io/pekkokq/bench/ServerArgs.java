package io.pekkokq.bench;

import java.nio.file.Path;

/**
 * Command line shared by the benchmark servers: {@code <port>|unix:<path> [echo|http]}. A
 * {@code unix:} endpoint is a Unix domain stream socket at that path (servers that have
 * none exit with a message); {@code port} is then -1.
 */
public record ServerArgs(int port, Path unixPath, boolean http) {

  public static ServerArgs parse(String[] args, String name) {
    if (args.length < 1 || args.length > 2) {
      usage(name);
    }
    String mode = args.length > 1 ? args[1] : "echo";
    if (!mode.equals("echo") && !mode.equals("http")) {
      usage(name);
    }
    if (args[0].startsWith(UNIX_PREFIX) && args[0].length() > UNIX_PREFIX.length()) {
      return new ServerArgs(-1, Path.of(args[0].substring(UNIX_PREFIX.length())), mode.equals("http"));
    }
    int port;
    try {
      port = Integer.parseInt(args[0]);
    } catch (NumberFormatException e) {
      usage(name);
      return null;
    }
    return new ServerArgs(port, null, mode.equals("http"));
  }

  /** The address every benchmark server binds: loopback only. */
  public static final String HOST = "127.0.0.1";

  /** Listen backlog used by every server (the C server too). */
  public static final int BACKLOG = 1024;

  private static final String UNIX_PREFIX = "unix:";

  /** Whether the endpoint is a Unix domain socket path rather than a TCP port. */
  public boolean unix() {
    return unixPath != null;
  }

  /** For servers with no Unix domain sockets: says so and exits (bench/run.sh records the failure). */
  public void requireTcp(String name) {
    if (unix()) {
      System.err.println(name + " has no Unix domain sockets: give it a port");
      System.exit(2);
    }
  }

  /** The line bench/run.sh waits for: {@code READY <port>} or {@code READY unix:<path>}. */
  public void ready() {
    System.out.println("READY " + (unix() ? UNIX_PREFIX + unixPath : String.valueOf(port)));
    System.out.flush();
  }

  private static void usage(String name) {
    System.err.println("usage: java -cp pekko-kq-bench.jar " + name + " <port>|unix:<path> [echo|http]");
    System.exit(2);
  }
}
