package io.pekkokq.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpHelloTest {
  private static final String REQ = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

  private static int count(HttpHello.RequestCounter c, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    return c.count(b, 0, b.length);
  }

  @Test
  void countsPipelinedRequests() {
    assertEquals(3, count(new HttpHello.RequestCounter(), REQ + REQ + REQ));
  }

  @Test
  void countsRequestsSplitAtEveryByte() {
    String all = REQ + REQ;
    for (int cut = 0; cut <= all.length(); cut++) {
      HttpHello.RequestCounter c = new HttpHello.RequestCounter();
      assertEquals(2, count(c, all.substring(0, cut)) + count(c, all.substring(cut)), "cut " + cut);
    }
  }

  @Test
  void ignoresLoneNewlinesAndExtraCarriageReturns() {
    HttpHello.RequestCounter c = new HttpHello.RequestCounter();
    assertEquals(0, count(c, "GET / HTTP/1.1\n\n\r\n"));
    assertEquals(1, count(c, "\r\r\n\r\n"));
  }

  @Test
  void responseHasThirteenByteBody() {
    String r = new String(HttpHello.RESPONSE, StandardCharsets.US_ASCII);
    assertEquals(13, r.substring(r.indexOf("\r\n\r\n") + 4).length());
    assertEquals(2 * HttpHello.RESPONSE.length, HttpHello.responses(2).length);
  }
}
