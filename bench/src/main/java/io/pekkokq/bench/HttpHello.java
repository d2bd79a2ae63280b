package io.pekkokq.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The minimal HTTP/1.1 "hello" logic every benchmark server shares (the C server has the same
 * state machine): a request ends at {@code \r\n\r\n} (requests carry no body), each request gets
 * the same fixed response, connections stay open, and pipelined requests are answered in order.
 *
 * <p>A {@link RequestCounter} per connection remembers how much of the terminator the previous
 * chunk ended with, so requests split across reads are counted exactly once.
 */
public final class HttpHello {
  private HttpHello() {}

  /** The response to every request; 13-byte body. Identical bytes in the C server. */
  public static final byte[] RESPONSE =
      ("HTTP/1.1 200 OK\r\n"
              + "Content-Type: text/plain\r\n"
              + "Content-Length: 13\r\n"
              + "\r\n"
              + "Hello, World!")
          .getBytes(StandardCharsets.US_ASCII);

  private static final int CACHED = 32;
  private static final byte[][] RESPONSES = new byte[CACHED + 1][];

  static {
    for (int n = 1; n <= CACHED; n++) {
      RESPONSES[n] = build(n);
    }
  }

  /** {@code n} responses back to back, for {@code n} pipelined requests. Do not modify. */
  public static byte[] responses(int n) {
    return n <= CACHED ? RESPONSES[n] : build(n);
  }

  private static byte[] build(int n) {
    byte[] out = new byte[n * RESPONSE.length];
    for (int i = 0; i < n; i++) {
      System.arraycopy(RESPONSE, 0, out, i * RESPONSE.length, RESPONSE.length);
    }
    return out;
  }

  /**
   * Advances the end-of-request matcher by one byte. States: 0 nothing, 1 "\r", 2 "\r\n",
   * 3 "\r\n\r"; returns 4 when "\r\n\r\n" completes (the caller counts and resets to 0).
   */
  public static int step(int state, byte b) {
    if (b == '\r') {
      return state == 2 ? 3 : 1;
    }
    if (b == '\n') {
      if (state == 1) {
        return 2;
      }
      return state == 3 ? 4 : 0;
    }
    return 0;
  }

  /** Per-connection request counter. Not thread-safe; one per connection. */
  public static final class RequestCounter {
    private int state;

    /** Counts requests completed by {@code bytes[off, off+len)}. */
    public int count(byte[] bytes, int off, int len) {
      int s = state;
      int n = 0;
      for (int i = off, end = off + len; i < end; i++) {
        s = step(s, bytes[i]);
        if (s == 4) {
          n++;
          s = 0;
        }
      }
      state = s;
      return n;
    }

    /** Counts requests completed by the remaining bytes of {@code buf}; does not move its position. */
    public int count(ByteBuffer buf) {
      int s = state;
      int n = 0;
      for (int i = buf.position(), end = buf.limit(); i < end; i++) {
        s = step(s, buf.get(i));
        if (s == 4) {
          n++;
          s = 0;
        }
      }
      state = s;
      return n;
    }

    /** Counts requests completed by {@code bytes}. */
    public int count(org.apache.pekko.util.ByteString bytes) {
      int s = state;
      int n = 0;
      for (int i = 0, end = bytes.length(); i < end; i++) {
        s = step(s, bytes.apply(i));
        if (s == 4) {
          n++;
          s = 0;
        }
      }
      state = s;
      return n;
    }

    /** Counts requests completed by the readable bytes of {@code buf}; indices unchanged. */
    public int count(io.netty.buffer.ByteBuf buf) {
      int s = state;
      int n = 0;
      for (int i = buf.readerIndex(), end = buf.writerIndex(); i < end; i++) {
        s = step(s, buf.getByte(i));
        if (s == 4) {
          n++;
          s = 0;
        }
      }
      state = s;
      return n;
    }
  }
}
