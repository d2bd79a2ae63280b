package io.pekkokq.http.impl;

import java.net.InetSocketAddress;
import org.apache.pekko.NotUsed;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.http.scaladsl.HttpExt;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;
import scala.Option;
import scala.concurrent.duration.Duration;
import scala.concurrent.duration.FiniteDuration;

/**
 * The protocol stack Pekko HTTP puts on every accepted connection, built from its public
 * pieces over a pekko-kq connection, for one server binding:
 *
 * <pre>
 *   handler  <->  GracefulTerminatorStage      (drains on ServerBinding.terminate)
 *            <->  Http().serverLayer           (parse, render, request timeout, pipelining)
 *            <->  TLS or a pass-through        (the binding's ConnectionContext)
 *            <->  idle timeout                 (pekko.http.server.idle-timeout)
 *            <->  the accepted connection     (KqTcp or KqUnixDomainSocket, by ServerEndpoint)
 * </pre>
 *
 * As in Pekko HTTP, the TCP layer itself has no idle timeout (the HTTP one counts bytes
 * both ways) and never half-closes; each TCP connection carries the remote address
 * attribute when the settings ask for it (a Unix socket's peer has no IP address, so its
 * requests carry none), and Pekko HTTP's cancellation delay.
 */
public final class HttpServerStack {
  private final HttpExt http;
  private final ServerSettings settings;
  private final ConnectionContext context;
  private final LoggingAdapter log;
  private final ServerTerminator terminator;
  private final Attributes connectionAttributes;

  public HttpServerStack(
      HttpExt http, ServerSettings settings, ConnectionContext context, LoggingAdapter log, ServerTerminator terminator) {
    this.http = http;
    this.settings = settings;
    this.context = context;
    this.log = log;
    this.terminator = terminator;
    FiniteDuration delay = settings.getStreamCancellationDelay();
    var fail = Attributes.CancellationStrategy$.MODULE$.failStage();
    this.connectionAttributes =
        Attributes.apply(
            Attributes.CancellationStrategy$.MODULE$.apply(
                delay.toNanos() == 0
                    ? fail
                    : Attributes.CancellationStrategy$.MODULE$.afterDelay(
                        java.time.Duration.ofNanos(delay.toNanos()), fail)));
  }

  /** The server's terminator: every connection over this stack registers with it. */
  public ServerTerminator terminator() {
    return terminator;
  }

  /**
   * Requests out, responses in, over one accepted connection; materialize it once. It
   * materializes to the connection's terminator.
   */
  @SuppressWarnings("deprecation") // remote-address-header: deprecated, still honoured by Pekko HTTP
  public Flow<HttpResponse, HttpRequest, ServerTerminator.Connection> over(ServerEndpoint.Accepted connection) {
    InetSocketAddress remote = connection.remote();
    boolean wantsRemote = settings.getRemoteAddressHeader() || settings.getRemoteAddressAttribute();
    BidiFlow<HttpResponse, HttpResponse, HttpRequest, HttpRequest, ServerTerminator.Connection> terminating =
        BidiFlow.fromGraph(new GracefulTerminatorStage(terminator, settings.getTerminationDeadlineExceededResponse()));
    BidiFlow<HttpResponse, ByteString, ByteString, HttpRequest, ServerTerminator.Connection> stack =
        terminating
            .atop(
                PekkoHttpShapes.serverLayer(
                    http,
                    settings,
                    wantsRemote && connection.peer().isPresent() ? Option.apply(connection.peer().get()) : Option.empty(),
                    log,
                    context.isSecure()))
            .atop(PekkoHttpShapes.serverTls(http, context))
            .atop(idleTimeout(settings.getTimeouts().idleTimeout(), remote));
    return stack.join(connection.flow()).addAttributes(connectionAttributes);
  }

  /**
   * Fails a connection on which no byte passed either way for {@code timeout}, with the
   * message Pekko HTTP gives; identity when the timeout is infinite. One stage ({@link
   * HttpIdleTimeoutStage}) where Pekko HTTP has five.
   */
  private static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> idleTimeout(
      Duration timeout, InetSocketAddress remote) {
    if (!timeout.isFinite()) return BidiFlow.identity();
    FiniteDuration finite = (FiniteDuration) timeout;
    String message =
        "HTTP idle-timeout encountered on connection to [" + remote + "], no bytes passed in the last "
            + finite + ". This is configurable by pekko.http.[server|client].idle-timeout.";
    return BidiFlow.fromGraph(new HttpIdleTimeoutStage(java.time.Duration.ofNanos(finite.toNanos()), message));
  }
}
