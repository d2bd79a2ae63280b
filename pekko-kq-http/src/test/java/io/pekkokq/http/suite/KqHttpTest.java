package io.pekkokq.http.suite;

import io.pekkokq.http.javadsl.KqClientTransport;
import io.pekkokq.http.javadsl.KqHttp;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;

/** Pekko HTTP on pekko-kq: KqHttp's server, KqClientTransport's client. */
class KqHttpTest extends HttpSuite {
  @Override
  protected HttpDriver driver() {
    return new HttpDriver() {
      @Override
      public String config() {
        return "";
      }

      @Override
      public ServerBuilder newServerAt(ActorSystem system, String host, int port) {
        return KqHttp.get(system).newServerAt(host, port);
      }

      @Override
      public ClientConnectionSettings clientSettings(ActorSystem system) {
        return ClientConnectionSettings.create(system).withTransport(KqClientTransport.tcp());
      }
    };
  }
}
