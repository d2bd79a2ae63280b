package io.pekkokq.socket;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.io.KqTcp;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.Actor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Status;
import org.apache.pekko.io.DnsExt;
import org.apache.pekko.io.DnsProvider;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.io.dns.ARecord;
import org.apache.pekko.io.dns.CachePolicy;
import org.apache.pekko.io.dns.DnsProtocol;
import org.apache.pekko.io.dns.ResourceRecord;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Host names of outgoing connections are resolved through Pekko's {@code Dns} extension,
 * in both APIs: the actor system is configured with a resolver of its own ({@code
 * pekko.io.dns.resolver = kq-test-dns}) that knows one made-up name under {@code .invalid}
 * (a top-level domain no real resolver answers), so a connection that reaches the server
 * by that name can only have been resolved by it; the resolver also records every name it
 * was asked. A name it does not know fails clearly in both APIs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PekkoDnsResolutionTest {
  static final String KNOWN = "kq-dns-test.invalid";
  static final String UNKNOWN = "nowhere-kq-dns-test.invalid";
  static final ConcurrentLinkedQueue<String> asked = new ConcurrentLinkedQueue<>();

  private ActorSystem system;
  private ServerSocket server;
  private Thread acceptor;

  @BeforeAll
  void start() throws Exception {
    system =
        ActorSystem.create(
            "PekkoDnsResolutionTest",
            ConfigFactory.parseString(
                    "pekko.loglevel = WARNING\n"
                        + "pekko.io.dns.resolver = kq-test-dns\n"
                        + "pekko.io.dns.kq-test-dns.provider-object = \""
                        + FixedDnsProvider.class.getName() + "\"\n")
                .withFallback(ConfigFactory.load()));
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::echoForever, "dns-test-echo");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
    TestKit.shutdownActorSystem(system);
  }

  /** Echoes each connection's bytes back until the peer closes. */
  private void echoForever() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> {
          try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            in.transferTo(out);
          } catch (Exception ignored) {
            // the peer went away
          }
        });
        t.setDaemon(true);
        t.start();
      } catch (Exception closed) {
        return;
      }
    }
  }

  private InetSocketAddress byName(String host) {
    return InetSocketAddress.createUnresolved(host, server.getLocalPort());
  }

  @Test
  void actorApiResolvesThroughPekkosDns() {
    TestKit probe = new TestKit(system);
    probe.send(KqTcp.get(system).manager(), TcpMessage.connect(byName(KNOWN)));
    Tcp.Connected connected = probe.expectMsgClass(Duration.ofSeconds(30), Tcp.Connected.class);
    assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), connected.remoteAddress());
    assertTrue(asked.contains(KNOWN), "the configured resolver was asked: " + asked);
    probe.reply(TcpMessage.register(probe.getRef()));
    probe.reply(TcpMessage.write(ByteString.fromString("ping")));
    assertEquals("ping", probe.expectMsgClass(Duration.ofSeconds(30), Tcp.Received.class).data().utf8String());
    probe.reply(TcpMessage.close());
    probe.expectMsgClass(Duration.ofSeconds(30), Tcp.Closed$.class);
  }

  @Test
  void streamsResolveThroughPekkosDns() throws Exception {
    CompletionStage<ByteString> echoed =
        Source.single(ByteString.fromString("pong"))
            .via(io.pekkokq.stream.javadsl.KqTcp.get(system).outgoingConnection(byName(KNOWN), Optional.empty(),
                List.of(), true, Optional.of(Duration.ofSeconds(30)), Optional.empty()))
            .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system);
    assertEquals("pong", echoed.toCompletableFuture().get(30, TimeUnit.SECONDS).utf8String());
    assertTrue(asked.contains(KNOWN), "the configured resolver was asked: " + asked);
  }

  @Test
  void anUnknownNameFailsTheActorApiConnectNamingTheHost() {
    TestKit probe = new TestKit(system);
    Tcp.Command connect = TcpMessage.connect(byName(UNKNOWN));
    probe.send(KqTcp.get(system).manager(), connect);
    Tcp.CommandFailed failed = probe.expectMsgClass(Duration.ofSeconds(30), Tcp.CommandFailed.class);
    assertEquals(connect, failed.cmd());
    Throwable cause = failed.cause().get();
    assertInstanceOf(UnknownHostException.class, cause);
    assertTrue(cause.getMessage().contains(UNKNOWN) && cause.getMessage().contains("kq-test-dns"), cause.getMessage());
    assertTrue(asked.contains(UNKNOWN), "the configured resolver was asked: " + asked);
  }

  @Test
  void anUnknownNameFailsTheStreamNamingTheHost() {
    CompletableFuture<ByteString> result =
        Source.single(ByteString.fromString("x"))
            .via(io.pekkokq.stream.javadsl.KqTcp.get(system).outgoingConnection(byName(UNKNOWN), Optional.empty(),
                List.of(), true, Optional.of(Duration.ofSeconds(30)), Optional.empty()))
            .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system)
            .toCompletableFuture();
    ExecutionException failed = assertThrows(ExecutionException.class, () -> result.get(30, TimeUnit.SECONDS));
    UnknownHostException cause = findCause(failed, UnknownHostException.class);
    assertNotNull(cause, "an UnknownHostException in the cause chain of " + failed);
    assertTrue(cause.getMessage().contains(UNKNOWN), cause.getMessage());
  }

  private static <T extends Throwable> T findCause(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause()) if (type.isInstance(c)) return type.cast(c);
    return null;
  }

  /** A Pekko DNS provider ({@code provider-object}) whose manager is {@link FixedDnsManager}. */
  public static final class FixedDnsProvider implements DnsProvider {
    @Override
    public Class<? extends Actor> actorClass() {
      return FixedDnsManager.class;
    }

    @Override
    public Class<? extends Actor> managerClass() {
      return FixedDnsManager.class;
    }
  }

  /**
   * Answers {@link DnsProtocol.Resolve} for {@link #KNOWN} with 127.0.0.1 (never cached,
   * so every lookup reaches it) and fails every other name, recording each name asked.
   */
  public static final class FixedDnsManager extends AbstractActor {
    public FixedDnsManager(DnsExt ext) {}

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(
              DnsProtocol.Resolve.class,
              r -> {
                asked.add(r.name());
                if (r.name().equals(KNOWN)) {
                  ResourceRecord record =
                      new ARecord(r.name(), CachePolicy.Ttl$.MODULE$.never(), InetAddress.getLoopbackAddress());
                  getSender()
                      .tell(
                          new DnsProtocol.Resolved(
                              r.name(),
                              scala.jdk.javaapi.CollectionConverters.asScala(List.of(record)).toList(),
                              scala.collection.immutable.List$.MODULE$.empty()),
                          getSelf());
                } else {
                  getSender().tell(new Status.Failure(new UnknownHostException(r.name())), getSelf());
                }
              })
          .build();
    }
  }
}
