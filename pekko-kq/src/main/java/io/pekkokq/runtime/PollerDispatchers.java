package io.pekkokq.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pekkokq.poll.Poller;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.dispatch.Dispatcher;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.Dispatchers;
import org.apache.pekko.dispatch.ExecutorServiceFactoryProvider;
import org.apache.pekko.dispatch.MessageDispatcher;
import org.apache.pekko.dispatch.MessageDispatcherConfigurator;
import scala.concurrent.duration.Duration;
import scala.concurrent.duration.FiniteDuration;

/**
 * INTERNAL API. One Pekko dispatcher per poller, whose executor is the poller's own loop:
 * an actor on it runs on the poller thread, between kernel waits, the way Netty runs a
 * channel's handlers on its event loop. A readiness event then reaches the socket's actor
 * with no thread woken, and the actor's writes go out on the same thread.
 *
 * <p>The dispatchers are registered with the actor system under {@code
 * pekko.io.kq.poller-0}, {@code pekko.io.kq.poller-1}, ..., so {@code
 * Props.withDispatcher} and {@code ActorAttributes.dispatcher} find them like any other.
 * Work on them must not block: it holds up every socket of that poller.
 */
public final class PollerDispatchers {
  static final String ID_PREFIX = "pekko.io.kq.poller-";

  private PollerDispatchers() {}

  /** The dispatcher id of poller {@code index}. */
  public static String id(int index) {
    return ID_PREFIX + index;
  }

  /**
   * Registers a dispatcher for each poller of {@code group}. Pollers that stop hand their
   * remaining tasks to the system's default dispatcher, so no actor is left unrun.
   */
  public static void register(ExtendedActorSystem system, PollerGroup group, int throughput) {
    Dispatchers dispatchers = system.dispatchers();
    for (int i = 0; i < group.size(); i++) {
      Poller poller = group.get(i);
      poller.fallbackTo(dispatchers.defaultGlobalDispatcher());
      String id = id(i);
      Config config =
          ConfigFactory.parseMap(Map.of("id", id, "throughput", throughput))
              .withFallback(dispatchers.defaultDispatcherConfig());
      if (!dispatchers.registerConfigurator(
          id, new Configurator(config, dispatchers.prerequisites(), id, poller, throughput))) {
        throw new IllegalStateException("dispatcher " + id + " is already registered");
      }
    }
  }

  /** Hands out the one dispatcher of a poller. */
  private static final class Configurator extends MessageDispatcherConfigurator {
    private final Dispatcher dispatcher;

    Configurator(Config config, DispatcherPrerequisites prerequisites, String id, Poller poller, int throughput) {
      super(config, prerequisites);
      ExecutorServiceFactoryProvider executor =
          (ignoredId, ignoredThreadFactory) -> () -> new PollerExecutorService(poller);
      this.dispatcher =
          new Dispatcher(
              this,
              id,
              throughput,
              Duration.Zero(),
              executor,
              FiniteDuration.create(
                  config.getDuration("shutdown-timeout", TimeUnit.MILLISECONDS), TimeUnit.MILLISECONDS));
    }

    @Override
    public MessageDispatcher dispatcher() {
      return dispatcher;
    }
  }

  /**
   * The poller seen as an ExecutorService. The poller's life belongs to the extension, not
   * to the dispatcher (which shuts its executor down whenever it has been idle a while and
   * makes a new one later), so shutting this view down never stops or refuses anything.
   */
  private static final class PollerExecutorService extends AbstractExecutorService {
    private final Poller poller;
    private volatile boolean shutdown;

    PollerExecutorService(Poller poller) {
      this.poller = poller;
    }

    @Override
    public void execute(Runnable task) {
      poller.execute(task);
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      return Collections.emptyList();
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return shutdown;
    }
  }
}
