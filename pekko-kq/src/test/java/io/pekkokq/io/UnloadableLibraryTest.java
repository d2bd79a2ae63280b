package io.pekkokq.io;

import static org.junit.jupiter.api.Assertions.*;

import io.pekkokq.sys.NativeLibrary;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.junit.jupiter.api.Test;
import scala.Option;

/**
 * The JVM survives a native library that cannot load, even when the first KqTcp call is
 * made inside an actor (where a LinkageError would make Pekko exit the JVM): each case
 * runs {@link FirstCallInAnActor} in a child JVM whose library is made unloadable, and
 * asserts what the actor saw and that the child exited normally after its marker line.
 */
class UnloadableLibraryTest {
  private static final String MISSING = "-D" + NativeLibrary.LIBRARY_PATH_PROPERTY + "=/nonexistent/libpekkokq.so";

  @Test
  void withFallbackNioTheActorGetsPekkosTcpAndTheSchedulerAndOneWarning() throws Exception {
    String out = child(List.of(MISSING), "nio");
    assertTrue(out.contains("BOUND native=false"), out);
    assertTrue(out.contains("CONNECTED"), out);
    assertTrue(out.contains("TICK"), "a timer on Pekko's scheduler:\n" + out);
    assertTrue(out.contains("USER EVENT"), out);
    assertTrue(out.contains("SIGNALS refused: UNIX signals need pekko-kq's native library"), out);
    String warning = "pekko-kq falls back to Pekko's NIO Tcp (pekko.io.kq.fallback = nio)";
    assertEquals(1, occurrences(out, warning), "one warning:\n" + out);
    assertTrue(out.contains("/nonexistent/libpekkokq.so"), "the warning carries the cause:\n" + out);
    assertTrue(out.contains("ALIVE"), out);
  }

  @Test
  void withFallbackFailTheActorGetsAClearExceptionAndTheJvmLives() throws Exception {
    String out = child(List.of(MISSING), "fail");
    assertTrue(
        out.contains(
            "FAILED io.pekkokq.sys.NativeUnavailableException: pekko-kq native library unavailable "
                + "(and pekko.io.kq.fallback = fail): cannot load /nonexistent/libpekkokq.so"),
        out);
    assertFalse(out.contains("LinkageError"), out);
    assertTrue(out.contains("ALIVE"), out);
  }

  @Test
  void anUnwritableTempDirectoryFallsBackWithItsCauseNamed() throws Exception {
    String out = child(List.of("-Djava.io.tmpdir=/nonexistent/tmp"), "nio");
    assertTrue(out.contains("BOUND native=false"), out);
    assertTrue(out.contains("java.io.tmpdir=/nonexistent/tmp"), out);
    assertTrue(out.contains("ALIVE"), out);
  }

  private static int occurrences(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) n++;
    return n;
  }

  private static String child(List<String> jvmOptions, String fallback) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.addAll(jvmOptions);
    command.add(FirstCallInAnActor.class.getName());
    command.add(fallback);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), "the child JVM must exit normally:\n" + out);
    return out;
  }

  /** Run in the child JVM: args[0] is the fallback setting. */
  public static final class FirstCallInAnActor {
    static final CompletableFuture<String> outcome = new CompletableFuture<>();

    public static void main(String[] args) throws Exception {
      ActorSystem system =
          ActorSystem.create(
              "child",
              com.typesafe.config.ConfigFactory.parseString(
                      "pekko.io.kq.fallback = " + args[0] + "\npekko.loglevel = INFO\npekko.stdout-loglevel = INFO")
                  .withFallback(com.typesafe.config.ConfigFactory.load()));
      try {
        system.actorOf(Props.create(FirstCaller.class)).tell("go", ActorRef.noSender());
        System.out.println(outcome.get(30, TimeUnit.SECONDS));
        // The actor system still works after whatever the actor went through.
        CompletableFuture<Object> echo = new CompletableFuture<>();
        system.actorOf(Props.create(Echo.class, () -> new Echo(echo))).tell("ping", ActorRef.noSender());
        echo.get(10, TimeUnit.SECONDS);
        System.out.println("ALIVE");
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Its first action is the JVM's first KqTcp call; it does not catch what that throws. */
  public static final class FirstCaller extends AbstractActor {
    private final StringBuilder seen = new StringBuilder();
    private java.net.Socket client;

    @Override
    public void preRestart(Throwable reason, Option<Object> message) {
      FirstCallInAnActor.outcome.complete("FAILED " + reason);
    }

    @Override
    public void postStop() throws Exception {
      if (client != null) client.close();
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .matchEquals(
              "go",
              m -> {
                KqTcpExt ext = KqTcp.get(getContext().getSystem());
                seen.append("BOUND native=").append(ext.isNative());
                ext.manager().tell(TcpMessage.bind(getSelf(), new InetSocketAddress("127.0.0.1", 0), 10), getSelf());
              })
          .match(
              Tcp.Bound.class,
              b -> {
                client = new java.net.Socket("127.0.0.1", b.localAddress().getPort());
              })
          .match(
              Tcp.Connected.class,
              c -> {
                seen.append(" CONNECTED");
                KqTcpExt ext = KqTcp.get(getContext().getSystem());
                ext.events().scheduleOnce(java.time.Duration.ofMillis(10), getSelf(), "tick");
              })
          .matchEquals(
              "tick",
              t -> {
                seen.append(" TICK");
                KqTcp.get(getContext().getSystem()).events().userEvent(getSelf(), "user").trigger();
              })
          .matchEquals(
              "user",
              u -> {
                seen.append(" USER EVENT");
                try {
                  KqTcp.get(getContext().getSystem()).events().subscribeSignal("HUP", getSelf());
                  seen.append(" SIGNALS subscribed?!");
                } catch (RuntimeException e) {
                  seen.append(" SIGNALS refused: ").append(e.getMessage());
                }
                FirstCallInAnActor.outcome.complete(seen.toString());
              })
          .build();
    }
  }

  /** Proves the actor system still runs actors. */
  public static final class Echo extends AbstractActor {
    private final CompletableFuture<Object> got;

    Echo(CompletableFuture<Object> got) {
      this.got = got;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder().matchAny(got::complete).build();
    }
  }
}
