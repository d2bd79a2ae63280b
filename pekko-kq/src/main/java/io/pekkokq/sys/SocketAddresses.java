package io.pekkokq.sys;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes socket addresses as the 24-byte {@code kq_addr} record of {@code kq.h}, so no
 * kernel struct crosses the JNI boundary:
 *
 * <pre>
 * offset 0  u8   family   4 or 6
 * offset 1  u8   reserved
 * offset 2  u16  port     host byte order
 * offset 4  u32  scope id IPv6 scope, else 0
 * offset 8  u8[16] bytes  4 or 16 address bytes, network order
 * </pre>
 *
 * IMPORTANT: this must stay consistent with {@code struct kq_addr} in native/include/kq.h.
 * Addresses are a connection-setup concern, so the records are plain byte arrays.
 */
public final class SocketAddresses {
  public static final int RECORD_SIZE = 24;
  static final int FAMILY_INET4 = 4;
  static final int FAMILY_INET6 = 6;

  /**
   * The record's port and scope id read in place: decoding runs for every accepted
   * connection (twice, its two ends) and every received datagram's sender, and a
   * ByteBuffer view per decode was garbage of each (bench/conn-cost.sh).
   */
  private static final VarHandle U16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.nativeOrder());
  private static final VarHandle U32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());

  private SocketAddresses() {}

  /** The family (4 or 6) a socket needs to reach or bind this address. */
  public static int familyOf(InetSocketAddress address) {
    requireResolved(address);
    return address.getAddress() instanceof Inet6Address ? FAMILY_INET6 : FAMILY_INET4;
  }

  /** The record for a resolved address; throws IllegalArgumentException for unresolved ones. */
  public static byte[] encode(InetSocketAddress address) {
    requireResolved(address);
    InetAddress ip = address.getAddress();
    byte[] raw = ip.getAddress();
    byte[] record = new byte[RECORD_SIZE];
    ByteBuffer fields = ByteBuffer.wrap(record).order(ByteOrder.nativeOrder());
    fields.put(0, (byte) (ip instanceof Inet6Address ? FAMILY_INET6 : FAMILY_INET4));
    fields.putShort(2, (short) address.getPort()); // host byte order, as the C struct
    if (ip instanceof Inet6Address) fields.putInt(4, ((Inet6Address) ip).getScopeId());
    System.arraycopy(raw, 0, record, 8, raw.length);
    return record;
  }

  /**
   * The record for sending to {@code address} from a socket of {@code socketFamily}: an
   * IPv4 address becomes IPv4-mapped ({@code ::ffff:a.b.c.d}) for an IPv6 socket, which
   * then reaches it over its dual stack (Java's channels do the same).
   */
  public static byte[] encodeFor(InetSocketAddress address, int socketFamily) {
    byte[] record = encode(address);
    if (socketFamily != FAMILY_INET6 || record[0] != FAMILY_INET4) return record;
    record[0] = FAMILY_INET6;
    System.arraycopy(record, 8, record, 20, 4);
    java.util.Arrays.fill(record, 8, 20, (byte) 0);
    record[18] = (byte) 0xff;
    record[19] = (byte) 0xff;
    return record;
  }

  /** The address in a record the native side filled in. */
  public static InetSocketAddress decode(byte[] record) {
    int family = record[0];
    int port = (short) U16.get(record, 2) & 0xffff;
    try {
      if (family == FAMILY_INET4) {
        byte[] raw = new byte[4];
        System.arraycopy(record, 8, raw, 0, 4);
        return new InetSocketAddress(InetAddress.getByAddress(raw), port);
      }
      if (family == FAMILY_INET6) {
        byte[] raw = new byte[16];
        System.arraycopy(record, 8, raw, 0, 16);
        int scope = (int) U32.get(record, 4);
        InetAddress ip =
            scope == 0
                ? InetAddress.getByAddress(raw) // may come back as Inet4Address if v4-mapped
                : Inet6Address.getByAddress(null, raw, scope);
        return new InetSocketAddress(ip, port);
      }
    } catch (UnknownHostException impossible) {
      throw new IllegalStateException(impossible);
    }
    throw new IllegalArgumentException("unknown address family " + family + " in kq_addr record");
  }

  private static void requireResolved(InetSocketAddress address) {
    if (address == null) throw new NullPointerException("address");
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("unresolved address: " + address.getHostString());
    }
    if (!(address.getAddress() instanceof Inet4Address || address.getAddress() instanceof Inet6Address)) {
      throw new IllegalArgumentException("not an IP address: " + address);
    }
  }
}
