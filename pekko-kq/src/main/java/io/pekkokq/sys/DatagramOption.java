package io.pekkokq.sys;

/** The options only UDP sockets have, by their portable ids (KQ_DGRAM_* in kq.h). */
public enum DatagramOption {
  /** SO_BROADCAST: 1 lets the socket send to a broadcast address. */
  BROADCAST(1),
  /** IP_TOS (and IPV6_TCLASS on an IPv6 socket): 0..255. */
  TRAFFIC_CLASS(2),
  /** IP(V6)_MULTICAST_LOOP: 1 (the kernel's default) delivers own multicast sends locally. */
  MULTICAST_LOOP(3);

  final int nativeId;

  DatagramOption(int nativeId) {
    this.nativeId = nativeId;
  }
}
