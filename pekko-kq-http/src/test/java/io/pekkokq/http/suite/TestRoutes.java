package io.pekkokq.http.suite;

import static org.apache.pekko.http.javadsl.server.Directives.*;
import static org.apache.pekko.http.javadsl.server.PathMatchers.*;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/** The routes every driver serves in {@link HttpSuite}, on the routing DSL. */
final class TestRoutes {
  /** Requests to /slow wait here until the test completes them. */
  final LinkedBlockingQueue<CompletableFuture<HttpResponse>> slow = new LinkedBlockingQueue<>();

  Route route(ActorSystem system) {
    return concat(
        path("hello", () -> get(() -> complete("Hello, World!"))),
        path("echo", () -> post(() -> extractDataBytes(bytes -> onSuccess(
            bytes.runFold(ByteString.emptyByteString(), ByteString::concat, system),
            all -> complete(HttpResponse.create().withEntity(ContentTypes.APPLICATION_OCTET_STREAM, all)))))),
        // size and SHA-256 of the body, read as a stream
        path("digest", () -> post(() -> extractDataBytes(bytes -> onSuccess(
            bytes.runFold(new Sum(), Sum::add, system).thenApply(Sum::toString),
            TestRoutes::text)))),
        path(segment("download").slash(longSegment()), size -> get(() -> complete(
            HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, size, Bytes.source(size)))))),
        path(segment("chunked").slash(integerSegment()), parts -> get(() -> complete(
            HttpResponse.create().withEntity(HttpEntities.createChunked(ContentTypes.TEXT_PLAIN_UTF8,
                Source.range(1, parts).map(i -> ByteString.fromString("part " + i + "\n"))))))),
        path("scheme", () -> extractUri(uri -> complete(uri.getScheme()))),
        // the client's port, so a test can count the connections a pool opened
        path("port", () -> extractClientIP(ip -> complete(String.valueOf(ip.getPort())))),
        path("slow", () -> extractRequest(request -> {
          CompletableFuture<HttpResponse> response = new CompletableFuture<>();
          slow.add(response);
          return completeWithFuture(response);
        })));
  }

  /** The next request that reached /slow, waiting for its response. */
  CompletableFuture<HttpResponse> nextSlow() throws InterruptedException {
    CompletableFuture<HttpResponse> next = slow.poll(30, TimeUnit.SECONDS);
    if (next == null) throw new AssertionError("no request reached /slow within 30 s");
    return next;
  }

  private static Route text(String body) {
    return complete(body);
  }

  /** Size and digest of a body, folded over its chunks. */
  private static final class Sum {
    private final MessageDigest digest = Bytes.newDigest();
    private long size;

    Sum add(ByteString chunk) {
      digest.update(chunk.toArrayUnsafe());
      size += chunk.size();
      return this;
    }

    @Override
    public String toString() {
      return size + " " + HexFormat.of().formatHex(digest.digest());
    }
  }
}
