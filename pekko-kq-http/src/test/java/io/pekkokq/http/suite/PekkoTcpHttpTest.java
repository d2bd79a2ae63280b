package io.pekkokq.http.suite;

import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;

/** The reference: Pekko HTTP on Pekko's own Tcp, unchanged. */
class PekkoTcpHttpTest extends HttpSuite {
  @Override
  protected HttpDriver driver() {
    return new HttpDriver() {
      @Override
      public String config() {
        return "";
      }

      @Override
      public ServerBuilder newServerAt(ActorSystem system, String host, int port) {
        return Http.get(system).newServerAt(host, port);
      }

      @Override
      public ClientConnectionSettings clientSettings(ActorSystem system) {
        return ClientConnectionSettings.create(system);
      }
    };
  }
}
