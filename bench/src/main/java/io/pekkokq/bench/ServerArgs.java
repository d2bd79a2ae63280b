package io.pekkokq.bench;

/** Command line shared by the benchmark servers: {@code <port> [echo|http]}. */
public record ServerArgs(int port, boolean http) {

  public static ServerArgs parse(String[] args, String name) {
    if (args.length < 1 || args.length > 2) {
      usage(name);
    }
    int port;
    try {
      port = Integer.parseInt(args[0]);
    } catch (NumberFormatException e) {
      usage(name);
      return null;
    }
    String mode = args.length > 1 ? args[1] : "echo";
    if (!mode.equals("echo") && !mode.equals("http")) {
      usage(name);
    }
    return new ServerArgs(port, mode.equals("http"));
  }

  /** The address every benchmark server binds: loopback only. */
  public static final String HOST = "127.0.0.1";

  /** Listen backlog used by every server (the C server too). */
  public static final int BACKLOG = 1024;

  /** The line bench/run.sh waits for. */
  public void ready() {
    System.out.println("READY " + port);
    System.out.flush();
  }

  private static void usage(String name) {
    System.err.println("usage: java -cp pekko-kq-bench.jar " + name + " <port> [echo|http]");
    System.exit(2);
  }
}
