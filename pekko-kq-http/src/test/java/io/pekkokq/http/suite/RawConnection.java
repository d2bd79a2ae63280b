package io.pekkokq.http.suite;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A plain socket speaking HTTP/1.1 by hand, for what the JDK client hides (pipelining, 100-continue, closes). */
final class RawConnection implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;

  RawConnection(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(30_000);
    in = new BufferedInputStream(socket.getInputStream());
  }

  RawConnection send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  RawConnection send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return this;
  }

  void timeout(int millis) throws SocketException {
    socket.setSoTimeout(millis);
  }

  /** One response: status line, headers (names lower-cased), body by Content-Length or chunked. */
  Response read() throws IOException {
    String status = line();
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line; !(line = line()).isEmpty(); ) {
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      for (int size; (size = Integer.parseInt(line().split(";")[0].trim(), 16)) > 0; ) {
        body.write(in.readNBytes(size));
        line();
      }
      while (!line().isEmpty()) {} // trailer
    } else if (headers.containsKey("content-length")) {
      int length = Integer.parseInt(headers.get("content-length"));
      byte[] bytes = in.readNBytes(length);
      if (bytes.length < length) throw new IOException("body ended after " + bytes.length + " of " + length);
      body.write(bytes);
    }
    return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
  }

  /** The status line of an interim response such as 100 Continue, with its empty header block. */
  String readInterim() throws IOException {
    String status = line();
    while (!line().isEmpty()) {}
    return status;
  }

  /** True once the server has closed (EOF or reset) within the socket timeout; false if it is still open. */
  boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (SocketException reset) {
      return true;
    }
  }

  /** Whether a byte arrives within {@code millis} (left unread); the timeout stays {@code millis}. */
  boolean answersWithin(int millis) throws IOException {
    socket.setSoTimeout(millis);
    in.mark(1);
    try {
      return in.read() >= 0;
    } catch (SocketTimeoutException notYet) {
      return false;
    } finally {
      in.reset();
    }
  }

  /** True if nothing arrives within the socket timeout. */
  boolean silent() throws IOException {
    try {
      int b = in.read();
      throw new AssertionError(b < 0 ? "the server closed the connection" : "the server answered");
    } catch (SocketTimeoutException expected) {
      return true;
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) throw new IOException("connection closed in the middle of a line: " + line);
      if (b != '\r') line.write(b);
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  record Response(String status, Map<String, String> headers, String body) {
    int code() {
      return Integer.parseInt(status.split(" ")[1]);
    }
  }
}
