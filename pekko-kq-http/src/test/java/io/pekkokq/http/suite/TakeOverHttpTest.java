package io.pekkokq.http.suite;

import io.pekkokq.io.PekkoTcpTakeOver;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;

/**
 * Pekko HTTP unchanged (its own newServerAt and client transport) on a system with
 * {@code pekko.io.kq.take-over-pekko-tcp = on}: Pekko's Tcp is pekko-kq's underneath.
 */
class TakeOverHttpTest extends HttpSuite {
  @Override
  protected HttpDriver driver() {
    return new HttpDriver() {
      @Override
      public String config() {
        return "pekko.io.kq.take-over-pekko-tcp = on";
      }

      @Override
      public ServerBuilder newServerAt(ActorSystem system, String host, int port) {
        requireTakeOver(system);
        return Http.get(system).newServerAt(host, port);
      }

      @Override
      public ClientConnectionSettings clientSettings(ActorSystem system) {
        requireTakeOver(system);
        return ClientConnectionSettings.create(system);
      }
    };
  }

  /** Without it this suite would only test Pekko's own Tcp a second time. */
  private static void requireTakeOver(ActorSystem system) {
    PekkoTcpTakeOver takeOver = PekkoTcpTakeOver.get(system);
    if (!takeOver.active()) throw new AssertionError("the take-over did not happen: " + takeOver.reason());
  }
}
