package io.pekkokq.runtime;

import com.typesafe.config.Config;
import io.pekkokq.sys.SocketOption;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Reads {@code pekko.io.kq.tcp.socket-options}: one key an option, each {@code unset}
 * (the socket keeps the kernel's value) or a value in the unit its key names. Every key
 * is read, so a misspelt value fails the actor system's start with the key named; a key
 * this class does not know is refused too, as it would otherwise be silently ignored.
 */
final class TcpSocketOptionDefaults {
  private static final String SECTION = "pekko.io.kq.tcp.socket-options.";
  private static final String UNSET = "unset";

  private enum Unit {
    BOOLEAN, BYTES, MILLISECONDS, SECONDS, NUMBER
  }

  private static final class Key {
    final String name;
    final SocketOption option;
    final Unit unit;

    Key(String name, SocketOption option, Unit unit) {
      this.name = name;
      this.option = option;
      this.unit = unit;
    }
  }

  /** The keys, in the order the options are set (documented in docs/socket-options.md). */
  private static final Key[] KEYS = {
    new Key("tcp-no-delay", SocketOption.TCP_NO_DELAY, Unit.BOOLEAN),
    new Key("keep-alive", SocketOption.KEEP_ALIVE, Unit.BOOLEAN),
    new Key("keep-alive-idle", SocketOption.TCP_KEEPIDLE, Unit.SECONDS),
    new Key("keep-alive-interval", SocketOption.TCP_KEEPINTVL, Unit.SECONDS),
    new Key("keep-alive-count", SocketOption.TCP_KEEPCNT, Unit.NUMBER),
    new Key("user-timeout", SocketOption.TCP_USER_TIMEOUT, Unit.MILLISECONDS),
    new Key("receive-buffer-size", SocketOption.RECEIVE_BUFFER_SIZE, Unit.BYTES),
    new Key("send-buffer-size", SocketOption.SEND_BUFFER_SIZE, Unit.BYTES),
    new Key("not-sent-low-watermark", SocketOption.TCP_NOTSENT_LOWAT, Unit.BYTES),
    new Key("traffic-class", SocketOption.TRAFFIC_CLASS, Unit.NUMBER),
    new Key("quick-ack", SocketOption.TCP_QUICKACK, Unit.BOOLEAN),
    new Key("fast-open", SocketOption.TCP_FASTOPEN, Unit.NUMBER),
  };

  private TcpSocketOptionDefaults() {}

  /** @param c the {@code socket-options} section */
  static Map<SocketOption, Integer> read(Config c) {
    for (String key : c.root().keySet()) {
      if (java.util.Arrays.stream(KEYS).noneMatch(k -> k.name.equals(key))) {
        throw new IllegalArgumentException(
            SECTION + key + " is not a socket option pekko-kq knows (docs/socket-options.md)");
      }
    }
    Map<SocketOption, Integer> defaults = new EnumMap<>(SocketOption.class);
    for (Key k : KEYS) {
      if (!c.hasPath(k.name) || UNSET.equals(c.getValue(k.name).unwrapped())) continue;
      defaults.put(k.option, k.option.checked(value(c, k), SECTION + k.name));
    }
    return Collections.unmodifiableMap(defaults);
  }

  private static long value(Config c, Key k) {
    switch (k.unit) {
      case BOOLEAN:
        return c.getBoolean(k.name) ? 1 : 0;
      case BYTES:
        return c.getBytes(k.name);
      case MILLISECONDS:
        return c.getDuration(k.name).toMillis();
      case SECONDS:
        Duration d = c.getDuration(k.name);
        if (d.getNano() != 0) {
          throw new IllegalArgumentException(SECTION + k.name + " must be whole seconds, was " + d);
        }
        return d.getSeconds();
      default:
        return c.getLong(k.name);
    }
  }
}
