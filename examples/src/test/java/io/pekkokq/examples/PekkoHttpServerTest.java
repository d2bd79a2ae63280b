package io.pekkokq.examples;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

      String curled = curl("-s", "-H", "Content-Type: application/json", "-d", "{\"a\":true}", base + "/echo");
      if (curled != null) assertEquals("{\"a\":true}", curled);
    }
  }

  /** curl's output, or null when curl is not installed. */
  private static String curl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("curl", "--max-time", "30"));
    command.addAll(List.of(args));
    Process curl;
    try {
      curl = new ProcessBuilder(command).start();
    } catch (IOException notInstalled) {
      return null;
    }
    String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(curl.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, curl.exitValue());
    return out;
  }
}
