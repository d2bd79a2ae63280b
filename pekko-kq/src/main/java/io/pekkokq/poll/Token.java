package io.pekkokq.poll;

/**
 * The 64-bit user data of every registration: a slot index in the low 32 bits and the
 * slot's generation in the high 32 bits (the guide's "low bit" trick, generalised).
 *
 * <p>Releasing a slot bumps its generation, so an event fetched for a descriptor that has
 * since been closed, or whose number the kernel has since reused, carries a generation
 * that no longer matches and is dropped. Generations start at 1: a token whose upper half
 * is 0 is reserved for the poller's own sources (wake-up, timer, signals). Tokens are
 * plain {@code long}s; this class only builds and takes them apart.
 */
public final class Token {
  /** Generations count 1 .. 2^31-1 and then wrap back to 1, never to 0. */
  static final int MAX_GENERATION = Integer.MAX_VALUE;

  private Token() {}

  public static long of(int slot, int generation) {
    if (slot < 0) throw new IllegalArgumentException("slot " + slot);
    if (generation < 1) throw new IllegalArgumentException("generation " + generation);
    return ((long) generation << 32) | (slot & 0xffffffffL);
  }

  public static int slot(long token) {
    return (int) token;
  }

  public static int generation(long token) {
    return (int) (token >>> 32);
  }

  static int nextGeneration(int generation) {
    return generation == MAX_GENERATION ? 1 : generation + 1;
  }

  public static String toString(long token) {
    return "Token(slot=" + slot(token) + ", generation=" + generation(token) + ")";
  }
}
