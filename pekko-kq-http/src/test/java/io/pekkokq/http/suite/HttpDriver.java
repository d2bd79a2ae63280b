package io.pekkokq.http.suite;

import java.util.function.Function;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;

/**
 * What {@link HttpSuite} runs on: how a server is built and how a client connects. The
 * reference is Pekko HTTP on Pekko's own Tcp; every other driver must behave the same.
 *
 * @param config HOCON this driver's actor system needs on top of the suite's
 * @param servers the driver's {@code newServerAt}
 * @param clients client connection settings whose transport is the driver's
 */
record HttpDriver(String config, Servers servers, Function<ActorSystem, ClientConnectionSettings> clients) {
  interface Servers {
    ServerBuilder newServerAt(ActorSystem system, String host, int port);
  }

  ServerBuilder newServerAt(ActorSystem system, String host, int port) {
    return servers.newServerAt(system, host, port);
  }

  ClientConnectionSettings clientSettings(ActorSystem system) {
    return clients.apply(system);
  }
}
