package io.pekkokq.http.suite;

import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;

/**
 * What {@link HttpSuite} runs on: how a server is built and how a client connects. The
 * reference is Pekko HTTP on Pekko's own Tcp; every other driver must behave the same.
 */
interface HttpDriver {
  /** HOCON this driver's actor system needs on top of the suite's. */
  String config();

  ServerBuilder newServerAt(ActorSystem system, String host, int port);

  /** Client connection settings whose transport is this driver's. */
  ClientConnectionSettings clientSettings(ActorSystem system);
}
