package io.pekkokq.examples;

import static org.junit.jupiter.api.Assertions.*;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The routing-DSL example started as a child JVM, talked to by the JDK client and curl. */
class PekkoHttpServerTest {
  @Test
  void servesHelloAndEchoesJson() throws Exception {
    try (ExampleProcess server = ExampleProcess.start(PekkoHttpServer.class, "0")) {
      int port = Integer.parseInt(server.awaitLine("READY ").substring(6).trim());
      String base = "http://127.0.0.1:" + port;
      HttpClient client = HttpClient.newHttpClient();

      HttpResponse<String> hello = client.send(HttpRequest.newBuilder(URI.create(base + "/hello")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, hello.statusCode());
      assertEquals("Hello, World!", hello.body());

      HttpResponse<String> echo = client.send(HttpRequest.newBuilder(URI.create(base + "/echo"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{ \"name\": \"kq\", \"n\": [1, 2, 3] }")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, echo.statusCode());
      assertEquals("{\"name\":\"kq\",\"n\":[1,2,3]}", echo.body());
      assertTrue(echo.headers().firstValue("content-type").orElse("").startsWith("application/json"));

      HttpResponse<String> notJson = client.send(HttpRequest.newBuilder(URI.create(base + "/echo"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{ not json")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(400, notJson.statusCode());

      String curled = Curl.run("-s", "-H", "Content-Type: application/json", "-d", "{\"a\":true}", base + "/echo");
      if (curled != null) assertEquals("{\"a\":true}", curled);
    }
  }

}
