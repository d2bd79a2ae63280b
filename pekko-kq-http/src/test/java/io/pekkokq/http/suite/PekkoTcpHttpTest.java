package io.pekkokq.http.suite;

import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;

/** The reference: Pekko HTTP on Pekko's own Tcp, unchanged. */
class PekkoTcpHttpTest extends HttpSuite {
  @Override
  protected HttpDriver driver() {
    return new HttpDriver(
        "", (system, host, port) -> Http.get(system).newServerAt(host, port), ClientConnectionSettings::create);
  }
}
