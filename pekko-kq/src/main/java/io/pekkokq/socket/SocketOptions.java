package io.pekkokq.socket;

import io.pekkokq.sys.Socket;
import io.pekkokq.sys.SocketOption;
import io.pekkokq.sys.UnsupportedSocketOptionException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.TcpSO;

/**
 * INTERNAL API. The socket options of one Bind or Connect, of either API, resolved once:
 * the configured defaults ({@code pekko.io.kq.tcp.socket-options}) for every option the
 * command does not name, then the command's own options in its order. The one place
 * where options reach sockets:
 *
 * <ul>
 *   <li>{@link #beforeBindOrConnect}: every option, on the listener before bind or the
 *       client before connect, so one the platform or the socket refuses fails the Bind
 *       or Connect with an {@link UnsupportedSocketOptionException} naming it;
 *   <li>{@link #configureConnected}: the connection options again on each established
 *       connection, accepted or connected (the kernel does not promise that an accepted
 *       socket inherits them).
 * </ul>
 *
 * <p>Pekko's option objects act on {@code java.net.Socket} views a native descriptor does
 * not have, so each of Pekko's kinds is translated here; an option object of any other
 * kind fails the command, as nothing may be silently ignored. A Unix domain socket gets
 * no defaults and no connection options (none of TCP's apply); its command's options are
 * set before bind or connect, where a TCP-only one fails.
 */
public final class SocketOptions {
  /** Set before bind or connect only: they shape the socket's setup, not the connection. */
  private static final EnumSet<SocketOption> SETUP_ONLY =
      EnumSet.of(
          SocketOption.REUSE_ADDRESS, SocketOption.REUSE_PORT, SocketOption.RECEIVE_BUFFER_SIZE,
          SocketOption.TCP_FASTOPEN, SocketOption.IPV6_V6ONLY, SocketOption.LINGER);
  /** A listening socket's only: a default of these does not reach clients. */
  private static final EnumSet<SocketOption> LISTENER_ONLY = EnumSet.of(SocketOption.TCP_FASTOPEN);

  // Pekko's option classes are nested in Scala objects, which Java cannot name; take the
  // classes from Pekko's Java factories and read the single field through scala.Product.
  private static final Class<?> REUSE_ADDRESS = TcpSO.reuseAddress(true).getClass();
  private static final Class<?> RECEIVE_BUFFER_SIZE = TcpSO.receiveBufferSize(1).getClass();
  private static final Class<?> SEND_BUFFER_SIZE = TcpSO.sendBufferSize(1).getClass();
  private static final Class<?> KEEP_ALIVE = TcpSO.keepAlive(true).getClass();
  private static final Class<?> OOB_INLINE = TcpSO.oobInline(true).getClass();
  private static final Class<?> TCP_NO_DELAY = TcpSO.tcpNoDelay(true).getClass();
  private static final Class<?> TRAFFIC_CLASS = TcpSO.trafficClass(0).getClass();

  /** No options at all (a Unix socket without any, or a test). */
  public static final SocketOptions NONE = new SocketOptions(new SocketOption[0], new int[0], false);

  /** In the order they are set; a later one of the same option wins. */
  private final SocketOption[] options;
  private final int[] values;
  /** Whether {@link #configureConnected} sets anything (TCP sockets). */
  private final boolean onConnections;

  private SocketOptions(SocketOption[] options, int[] values, boolean onConnections) {
    this.options = options;
    this.values = values;
    this.onConnections = onConnections;
  }

  /**
   * The options of a Bind: the defaults (for a TCP listener) and the command's.
   *
   * @param defaults the configured defaults ({@code KqSettings.tcpSocketOptions})
   * @param tcp false for a Unix domain listener
   * @throws UnsupportedSocketOptionException for an option object of a kind pekko-kq
   *     cannot set on a native socket
   */
  public static SocketOptions forListener(
      Map<SocketOption, Integer> defaults, Iterable<Inet.SocketOption> command, boolean tcp)
      throws UnsupportedSocketOptionException {
    return resolve(defaults, command, tcp, true);
  }

  /** The options of a Connect: as {@link #forListener}, without listener-only defaults. */
  public static SocketOptions forClient(
      Map<SocketOption, Integer> defaults, Iterable<Inet.SocketOption> command, boolean tcp)
      throws UnsupportedSocketOptionException {
    return resolve(defaults, command, tcp, false);
  }

  /** Pekko's Scala option list as a Java Iterable; null is none. */
  public static Iterable<Inet.SocketOption> java(scala.collection.Iterable<Inet.SocketOption> options) {
    if (options == null) return List.of();
    return scala.jdk.javaapi.CollectionConverters.asJava(options);
  }

  private static SocketOptions resolve(
      Map<SocketOption, Integer> defaults, Iterable<Inet.SocketOption> command, boolean tcp, boolean listener)
      throws UnsupportedSocketOptionException {
    List<SocketOption> named = new ArrayList<>();
    List<Integer> values = new ArrayList<>();
    if (command != null) {
      for (Inet.SocketOption o : command) {
        named.add(optionOf(o));
        values.add(valueOf(o));
      }
    }
    SocketOption[] all = new SocketOption[named.size() + (tcp ? defaults.size() : 0)];
    int[] allValues = new int[all.length];
    int n = 0;
    if (tcp) {
      for (Map.Entry<SocketOption, Integer> d : defaults.entrySet()) {
        if (named.contains(d.getKey()) || (!listener && LISTENER_ONLY.contains(d.getKey()))) continue;
        all[n] = d.getKey();
        allValues[n++] = d.getValue();
      }
    }
    for (int i = 0; i < named.size(); i++) {
      all[n] = named.get(i);
      allValues[n++] = values.get(i);
    }
    return new SocketOptions(
        java.util.Arrays.copyOf(all, n), java.util.Arrays.copyOf(allValues, n), tcp);
  }

  /** Every option, on a listener before bind or a client before connect. */
  public void beforeBindOrConnect(Socket socket) throws IOException {
    for (int i = 0; i < options.length; i++) socket.setOption(options[i], values[i]);
  }

  /** The connection options, on an established TCP connection (accepted or connected). */
  public void configureConnected(Socket socket) throws IOException {
    if (!onConnections) return;
    for (int i = 0; i < options.length; i++) {
      if (!SETUP_ONLY.contains(options[i])) socket.setOption(options[i], values[i]);
    }
  }

  /** The value this resolves {@code option} to (the last one set), or null: not set. */
  public Integer valueOf(SocketOption option) {
    Integer value = null;
    for (int i = 0; i < options.length; i++) {
      if (options[i] == option) value = values[i];
    }
    return value;
  }

  private static SocketOption optionOf(Inet.SocketOption o) throws UnsupportedSocketOptionException {
    if (o instanceof NativeSocketOption) return ((NativeSocketOption) o).socketOption();
    if (REUSE_ADDRESS.isInstance(o)) return SocketOption.REUSE_ADDRESS;
    if (RECEIVE_BUFFER_SIZE.isInstance(o)) return SocketOption.RECEIVE_BUFFER_SIZE;
    if (SEND_BUFFER_SIZE.isInstance(o)) return SocketOption.SEND_BUFFER_SIZE;
    if (KEEP_ALIVE.isInstance(o)) return SocketOption.KEEP_ALIVE;
    if (OOB_INLINE.isInstance(o)) return SocketOption.OOB_INLINE;
    if (TCP_NO_DELAY.isInstance(o)) return SocketOption.TCP_NO_DELAY;
    if (TRAFFIC_CLASS.isInstance(o)) return SocketOption.TRAFFIC_CLASS;
    throw new UnsupportedSocketOptionException(
        o + " (" + o.getClass().getName() + ")",
        "is not one pekko-kq can set on a native socket: it acts on java.net sockets, which"
            + " pekko-kq's sockets are not (use Pekko's Inet.SO / Tcp.SO or KqSO options)");
  }

  private static int valueOf(Inet.SocketOption o) {
    if (o instanceof NativeSocketOption) return ((NativeSocketOption) o).socketOptionValue();
    Object field = ((scala.Product) o).productElement(0);
    return field instanceof Boolean ? ((Boolean) field ? 1 : 0) : (Integer) field;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("SocketOptions(");
    for (int i = 0; i < options.length; i++) s.append(i == 0 ? "" : ", ").append(options[i]).append('=').append(values[i]);
    return s.append(')').toString();
  }
}
