package io.pekkokq.http.suite;

import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/** Deterministic test data: block i of 64 KiB is what {@code new Random(i)} gives, so both ends can compute it. */
final class Bytes {
  static final int BLOCK = 64 * 1024;

  private Bytes() {}

  static byte[] block(long index, int length) {
    byte[] bytes = new byte[length];
    new Random(index).nextBytes(bytes);
    return bytes;
  }

  /** {@code size} bytes as a stream of blocks. */
  static Source<ByteString, NotUsed> source(long size) {
    long blocks = (size + BLOCK - 1) / BLOCK;
    return Source.range(0, (int) blocks - 1)
        .map(i -> ByteString.fromArrayUnsafe(block(i, (int) Math.min(BLOCK, size - (long) i * BLOCK))));
  }

  /** The same bytes as an InputStream, for the JDK client. */
  static InputStream stream(long size) {
    return new InputStream() {
      private long position;
      private byte[] current = new byte[0];
      private int offset;

      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] into, int off, int len) {
        if (offset == current.length) {
          if (position >= size) return -1;
          int length = (int) Math.min(BLOCK, size - position);
          current = block(position / BLOCK, length);
          offset = 0;
          position += length;
        }
        int n = Math.min(len, current.length - offset);
        System.arraycopy(current, offset, into, off, n);
        offset += n;
        return n;
      }
    };
  }

  static String sha256(long size) {
    MessageDigest digest = newDigest();
    for (long at = 0, i = 0; at < size; at += BLOCK, i++) digest.update(block(i, (int) Math.min(BLOCK, size - at)));
    return HexFormat.of().formatHex(digest.digest());
  }

  static String sha256(InputStream in) throws Exception {
    MessageDigest digest = newDigest();
    byte[] buffer = new byte[BLOCK];
    for (int n; (n = in.read(buffer)) >= 0; ) digest.update(buffer, 0, n);
    return HexFormat.of().formatHex(digest.digest());
  }

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
