package io.pekkokq.socket;

import io.pekkokq.sys.ReadyBits;

/**
 * What the kernel said about one descriptor and has not been used up yet. Registrations
 * are edge-triggered: an edge is reported once, so its owner must remember it until a
 * read or write proves it spent (EAGAIN, or a short read/write, after which the kernel
 * reports the next edge). The one definition of "readable" and "writable" for every
 * socket owner.
 */
public final class Readiness {
  /**
   * Bits that make a descriptor worth reading: data, the peer's FIN (a hang-up: the read
   * returns the rest, then end of stream), or an error (the read returns it).
   */
  public static final int READ_BITS = ReadyBits.READABLE | ReadyBits.HANGUP | ReadyBits.ERROR;
  /** Bits that make it worth writing: room in the send buffer, or an error to collect. */
  public static final int WRITE_BITS = ReadyBits.WRITABLE | ReadyBits.ERROR;

  private boolean readable;
  private boolean writable;
  private boolean hangUp;

  public static boolean isReadable(int bits) {
    return (bits & READ_BITS) != 0;
  }

  public static boolean isWritable(int bits) {
    return (bits & WRITE_BITS) != 0;
  }

  /** Adds one edge's bits. */
  public void remember(int bits) {
    if (isReadable(bits)) readable = true;
    if (isWritable(bits)) writable = true;
    if ((bits & ReadyBits.HANGUP) != 0) hangUp = true;
  }

  /**
   * A connect just completed (or a descriptor was just attached): the edges that said so
   * were consumed on the way, so assume both directions; EAGAIN corrects it at no cost.
   */
  public void assumeBoth() {
    readable = true;
    writable = true;
  }

  /**
   * A descriptor that can take data from birth (a new UDP socket): writable until EAGAIN
   * says otherwise, without waiting for the poller's first edge.
   */
  public void assumeWritable() {
    writable = true;
  }

  public boolean readable() {
    return readable;
  }

  public boolean writable() {
    return writable;
  }

  /** The peer's FIN was reported: a short read no longer means "drained". */
  public boolean hangUpSeen() {
    return hangUp;
  }

  /** A read returned EAGAIN, end of stream, or less than asked without a hang-up. */
  void readSpent() {
    readable = false;
  }

  /** A write returned EAGAIN or took less than offered. */
  void writeSpent() {
    writable = false;
  }

  @Override
  public String toString() {
    return "Readiness(" + (readable ? "r" : "-") + (writable ? "w" : "-") + (hangUp ? "h" : "-") + ")";
  }
}
