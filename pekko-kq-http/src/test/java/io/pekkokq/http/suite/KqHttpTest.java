package io.pekkokq.http.suite;

import io.pekkokq.http.javadsl.KqClientTransport;
import io.pekkokq.http.javadsl.KqHttp;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;

/** Pekko HTTP on pekko-kq: KqHttp's server, KqClientTransport's client. */
class KqHttpTest extends HttpSuite {
  @Override
  protected HttpDriver driver() {
    return new HttpDriver(
        "",
        (system, host, port) -> KqHttp.get(system).newServerAt(host, port),
        system -> ClientConnectionSettings.create(system).withTransport(KqClientTransport.tcp()));
  }
}
