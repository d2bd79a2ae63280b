package io.pekkokq.bench;

import io.pekkokq.io.unix.KqUnix;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.util.ByteString;

/**
 * Echo / HTTP hello on Pekko classic {@code Tcp} (the actor API), the way its documentation's
 * simple echo handler does it: push-mode reads and writes without acknowledgement. That is safe
 * for the loads bench/ applies (every client bounds its bytes in flight per connection, so a
 * write never meets a still-pending one); if one is ever refused, the handler closes the
 * connection and the load generator counts the error.
 */
public final class PekkoClassicTcpServer {
  private PekkoClassicTcpServer() {}

  /** Each handler on Pekko's default dispatcher, where an actor lands unless told otherwise. */
  static final BiFunction<ActorSystem, ActorRef, String> DEFAULT_DISPATCHER =
      (system, connection) -> "pekko.actor.default-dispatcher";

  public static void main(String[] args) {
    run(args, PekkoClassicTcpServer.class.getName(), system -> Tcp.get(system).manager(), DEFAULT_DISPATCHER);
  }

  /**
   * Starts the server on the Tcp manager {@code manager} picks, with each connection's
   * handler on the dispatcher {@code handlerDispatcher} names for it ({@link #DEFAULT_DISPATCHER}: Pekko's default
   * dispatcher): the only differences between runs.
   */
  static void run(
      String[] args,
      String name,
      Function<ActorSystem, ActorRef> manager,
      BiFunction<ActorSystem, ActorRef, String> handlerDispatcher) {
    run(args, name, manager, handlerDispatcher, null);
  }

  /**
   * As above; {@code unixBind} makes the bind command for a {@code unix:} endpoint (null: the
   * server has no Unix domain sockets and refuses one). Its Bound and Connected events
   * are pekko-kq's {@code KqUnix} ones; everything else is Pekko's Tcp protocol.
   */
  static void run(
      String[] args,
      String name,
      Function<ActorSystem, ActorRef> manager,
      BiFunction<ActorSystem, ActorRef, String> handlerDispatcher,
      BiFunction<ServerArgs, ActorRef, Object> unixBind) {
    ServerArgs a = ServerArgs.parse(args, name);
    if (unixBind == null) a.requireTcp(name);
    ActorSystem system = ActorSystem.create("bench");
    system.actorOf(
        Props.create(Listener.class, () -> new Listener(a, manager, handlerDispatcher, unixBind)), "listener");
  }

  static final class Listener extends AbstractActor {
    private final ServerArgs args;
    private final Function<ActorSystem, ActorRef> manager;
    private final BiFunction<ActorSystem, ActorRef, String> handlerDispatcher;
    private final BiFunction<ServerArgs, ActorRef, Object> unixBind;

    Listener(
        ServerArgs args,
        Function<ActorSystem, ActorRef> manager,
        BiFunction<ActorSystem, ActorRef, String> handlerDispatcher,
        BiFunction<ServerArgs, ActorRef, Object> unixBind) {
      this.args = args;
      this.unixBind = unixBind;
      this.manager = manager;
      this.handlerDispatcher = handlerDispatcher;
    }

    private Props onDispatcher(Props props, ActorRef connection) {
      return props.withDispatcher(handlerDispatcher.apply(getContext().getSystem(), connection));
    }

    @Override
    public void preStart() {
      Object bind =
          args.unix()
              ? unixBind.apply(args, getSelf())
              : TcpMessage.bind(
                  getSelf(), new InetSocketAddress(ServerArgs.HOST, args.port()), ServerArgs.BACKLOG, List.of(), false);
      manager.apply(getContext().getSystem()).tell(bind, getSelf());
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Bound.class, b -> args.ready())
          .match(KqUnix.Bound.class, b -> args.ready())
          .match(
              Tcp.CommandFailed.class,
              f -> {
                System.err.println("bind failed: " + f);
                getContext().getSystem().terminate();
                System.exit(1);
              })
          .match(Tcp.Connected.class, c -> connected())
          .match(KqUnix.Connected.class, c -> connected())
          .build();
    }

    /** A connection (TCP or Unix): its handler, on the dispatcher chosen for it. */
    private void connected() {
      ActorRef connection = getSender();
      ActorRef handler =
          getContext()
              .actorOf(
                  onDispatcher(
                      args.http()
                          ? Props.create(HttpHandler.class, () -> new HttpHandler(connection))
                          : Props.create(EchoHandler.class, () -> new EchoHandler(connection)),
                      connection));
      connection.tell(TcpMessage.register(handler), getSelf());
    }
  }

  static final class EchoHandler extends AbstractActor {
    private final ActorRef connection;

    EchoHandler(ActorRef connection) {
      this.connection = connection;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Tcp.Received.class, r -> connection.tell(TcpMessage.write(r.data()), getSelf()))
          .match(Tcp.CommandFailed.class, f -> refused(connection, f))
          .match(Tcp.ConnectionClosed.class, c -> getContext().stop(getSelf()))
          .build();
    }
  }

  static final class HttpHandler extends AbstractActor {
    private static final ByteString ONE = ByteString.fromArrayUnsafe(HttpHello.RESPONSE);
    private final ActorRef connection;
    private final HttpHello.RequestCounter counter = new HttpHello.RequestCounter();

    HttpHandler(ActorRef connection) {
      this.connection = connection;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(
              Tcp.Received.class,
              r -> {
                int n = counter.count(r.data());
                if (n > 0) {
                  ByteString out = n == 1 ? ONE : ByteString.fromArrayUnsafe(HttpHello.responses(n));
                  connection.tell(TcpMessage.write(out), getSelf());
                }
              })
          .match(Tcp.CommandFailed.class, f -> refused(connection, f))
          .match(Tcp.ConnectionClosed.class, c -> getContext().stop(getSelf()))
          .build();
    }
  }

  private static void refused(ActorRef connection, Tcp.CommandFailed f) {
    System.err.println("command refused, closing the connection: " + f);
    connection.tell(TcpMessage.abort(), ActorRef.noSender());
  }
}
