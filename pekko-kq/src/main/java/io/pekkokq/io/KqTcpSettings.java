package io.pekkokq.io;

import com.typesafe.config.Config;
import io.pekkokq.runtime.KqSettings;

/**
 * The {@code pekko.io.kq} settings under the name the IO extension has always given them
 * ({@link KqTcpExt#settings()}); the values and their checks are {@link KqSettings}'s,
 * which the Streams API shares. See docs/configuration.md.
 */
public final class KqTcpSettings extends KqSettings {
  private KqTcpSettings(Config section) {
    super(section);
  }

  /** Reads {@code pekko.io.kq} from an actor system's configuration. */
  public static KqTcpSettings from(Config systemConfig) {
    return new KqTcpSettings(systemConfig.getConfig("pekko.io.kq"));
  }
}
