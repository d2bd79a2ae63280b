package io.pekkokq.runtime;

import io.pekkokq.sys.NativeLibrary;
import io.pekkokq.sys.NativeUnavailableException;
import io.pekkokq.sys.SocketOption;
import java.util.Map;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.event.Logging;

/**
 * INTERNAL API. Whether an actor system drives its sockets with the native library or
 * falls back to Pekko's NIO Tcp, decided once per actor system (so both front-ends agree
 * and the warning is logged once):
 *
 * <ul>
 *   <li>native when the library loaded and {@code pekko.io.kq.native = on};
 *   <li>the NIO fallback when {@code native = off}, or when the library is unavailable and
 *       {@code fallback = nio} (one warning, with the cause);
 *   <li>with {@code fallback = fail} and no library, {@link #get} throws {@link
 *       NativeUnavailableException}.
 * </ul>
 *
 * Never a LinkageError: Pekko treats one thrown by an actor as fatal.
 */
public final class NativeChoice implements Extension {
  /** Null when native. */
  private final Throwable whyNotNative;

  private NativeChoice(ExtendedActorSystem system) {
    KqSettings settings = KqSettings.from(system.settings().config());
    this.whyNotNative = whyNotNative(settings);
    if (whyNotNative == null) return;
    if (settings.nativeEnabled) {
      Logging.getLogger(system, NativeChoice.class)
          .warning(
              "pekko-kq falls back to Pekko's NIO Tcp (pekko.io.kq.fallback = nio): {}",
              whyNotNative.getMessage());
    } else {
      Logging.getLogger(system, NativeChoice.class).info("pekko.io.kq.native = off: KqTcp runs on Pekko's NIO Tcp");
    }
    if (!settings.tcpSocketOptions.equals(Map.of(SocketOption.TCP_NO_DELAY, 1))) {
      // Pekko's Tcp sets TCP_NODELAY and each command's options; these it does not know.
      Logging.getLogger(system, NativeChoice.class)
          .warning(
              "pekko.io.kq.tcp.socket-options {} do not apply: KqTcp runs on Pekko's NIO Tcp, which sets"
                  + " only each command's options (docs/socket-options.md)",
              settings.tcpSocketOptions);
    }
  }

  /**
   * The choice of this actor system.
   *
   * @throws NativeUnavailableException when the library is unavailable and {@code fallback = fail}
   */
  public static NativeChoice get(ActorSystem system) {
    return ID.apply(system);
  }

  /** True when the native library drives this actor system's sockets. */
  public boolean isNative() {
    return whyNotNative == null;
  }

  /** Why this actor system runs on Pekko's NIO Tcp; null when it is native. */
  public Throwable whyNotNative() {
    return whyNotNative;
  }

  /** Throws a {@link NativeUnavailableException} with the reason unless native. */
  public void requireNative() {
    if (whyNotNative != null) {
      throw new NativeUnavailableException(
          "this actor system runs pekko-kq on Pekko's NIO Tcp and has no native pollers: "
              + whyNotNative.getMessage(),
          whyNotNative);
    }
  }

  private static Throwable whyNotNative(KqSettings settings) {
    if (!settings.nativeEnabled) {
      return new NativeUnavailableException("pekko.io.kq.native = off in this actor system", null);
    }
    Throwable cause = NativeLibrary.unavailabilityCause();
    if (cause != null && !settings.fallBackToNio) {
      throw new NativeUnavailableException(
          "pekko-kq native library unavailable (and pekko.io.kq.fallback = fail): " + cause.getMessage(),
          cause);
    }
    return cause;
  }

  private static final Id ID = new Id();

  private static final class Id extends AbstractExtensionId<NativeChoice> implements ExtensionIdProvider {
    @Override
    public NativeChoice createExtension(ExtendedActorSystem system) {
      return new NativeChoice(system);
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
