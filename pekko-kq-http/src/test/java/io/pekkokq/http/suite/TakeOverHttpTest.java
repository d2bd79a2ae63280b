package io.pekkokq.http.suite;

import io.pekkokq.io.PekkoTcpTakeOver;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;

/**
 * Pekko HTTP unchanged (its own newServerAt and client transport) on a system with
 * {@code pekko.io.kq.take-over-pekko-tcp = on}: Pekko's Tcp is pekko-kq's underneath.
 */
class TakeOverHttpTest extends HttpSuite {
  @Override
  protected HttpDriver driver() {
    return new HttpDriver(
        "pekko.io.kq.take-over-pekko-tcp = on",
        (system, host, port) -> Http.get(requireTakeOver(system)).newServerAt(host, port),
        system -> ClientConnectionSettings.create(requireTakeOver(system)));
  }

  /** Without it this suite would only test Pekko's own Tcp a second time. */
  private static ActorSystem requireTakeOver(ActorSystem system) {
    PekkoTcpTakeOver takeOver = PekkoTcpTakeOver.get(system);
    if (!takeOver.active()) throw new AssertionError("the take-over did not happen: " + takeOver.reason());
    return system;
  }
}
