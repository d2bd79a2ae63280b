package io.pekkokq.sys;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A batch of datagrams in native memory, moved by one {@link DatagramSocket#receive} or
 * {@link DatagramSocket#send} call (one recvmmsg/sendmmsg on Linux), and read and
 * written in place: no Java object per datagram except the sender's address, and that
 * only when it differs from the previous datagram's (a one-entry cache).
 *
 * <p>It holds {@link #capacity()} records and one payload slot of {@link #slotSize()}
 * bytes per record. Each record is a {@code struct kq_dgram} of {@code kq.h}:
 *
 * <pre>
 * offset 0  u64 data      the slot's native address (set once here)
 * offset 8  u32 capacity  receive: the slot size; send: the datagram's length
 * offset 12 u32 length    out: bytes received or sent
 * offset 16 u32 flags     out: 1 = truncated (the datagram was longer than the slot)
 * offset 20 u32 reserved
 * offset 24 kq_addr       receive: the sender; send: the destination, family 0 if connected
 * </pre>
 *
 * IMPORTANT: must stay consistent with {@code struct kq_dgram}; {@link NativeLibrary}
 * checks the size at load. A batch belongs to one thread at a time: nothing here is
 * synchronised.
 */
public final class DatagramBatch {
  public static final int RECORD_SIZE = 48;
  /** KQ_DGRAM_BATCH_MAX: the most datagrams one call moves. */
  public static final int MAX_CAPACITY = 64;
  /** The largest UDP payload over IPv4 (65,535 minus the IPv4 and UDP headers). */
  public static final int MAX_IPV4_PAYLOAD = 65_507;
  /** The largest UDP payload over IPv6 (65,535 minus the UDP header). */
  public static final int MAX_IPV6_PAYLOAD = 65_527;
  /** 64 KiB: more than any datagram, so a larger slot would never be filled. */
  public static final int MAX_SLOT_SIZE = 65_536;

  private static final int DATA = 0;
  private static final int CAPACITY = 8;
  private static final int LENGTH = 12;
  private static final int FLAGS = 16;
  private static final int ADDR = 24;
  private static final int TRUNCATED = 1;

  private final int capacity;
  private final int slotSize;
  private final ByteBuffer records;
  private final ByteBuffer payloads;
  private final ByteBuffer[] slots;
  private final long address;

  // The last sender decoded, by its 24-byte record (three longs), and the last destination
  // encoded: consecutive datagrams from or to one peer cost no allocation.
  private long senderA, senderB, senderC;
  private InetSocketAddress sender;
  private InetSocketAddress destination;
  private byte[] destinationRecord;
  private int destinationFamily;

  /**
   * @param capacity records, 1..{@link #MAX_CAPACITY}
   * @param slotSize bytes of payload room per record: the largest datagram received
   *     whole (longer ones are truncated) or sent
   */
  public DatagramBatch(int capacity, int slotSize) {
    if (capacity < 1 || capacity > MAX_CAPACITY) {
      throw new IllegalArgumentException("capacity must be 1.." + MAX_CAPACITY + ": " + capacity);
    }
    if (slotSize < 1 || slotSize > MAX_SLOT_SIZE) {
      throw new IllegalArgumentException("slot size must be 1.." + MAX_SLOT_SIZE + ": " + slotSize);
    }
    this.capacity = capacity;
    this.slotSize = slotSize;
    this.records = ByteBuffer.allocateDirect(capacity * RECORD_SIZE).order(ByteOrder.nativeOrder());
    this.payloads = ByteBuffer.allocateDirect(capacity * slotSize);
    this.address = NativeMemory.address(records);
    long payloadAddress = NativeMemory.address(payloads);
    this.slots = new ByteBuffer[capacity];
    for (int i = 0; i < capacity; i++) {
      records.putLong(i * RECORD_SIZE + DATA, payloadAddress + (long) i * slotSize);
      slots[i] = payloads.slice(i * slotSize, slotSize);
    }
  }

  public int capacity() {
    return capacity;
  }

  public int slotSize() {
    return slotSize;
  }

  /** The native address of the first record, for the native call. */
  long address() {
    return address;
  }

  // ---- receiving ----------------------------------------------------------------------

  /** Offers each of the first {@code count} slots whole to the next receive. */
  void armForReceive(int count) {
    for (int i = 0; i < count; i++) records.putInt(i * RECORD_SIZE + CAPACITY, slotSize);
  }

  /** Bytes of datagram {@code i} held in its slot (at most the slot size). */
  public int length(int i) {
    return records.getInt(check(i) * RECORD_SIZE + LENGTH);
  }

  /** True when datagram {@code i} was longer than its slot and its tail was lost. */
  public boolean truncated(int i) {
    return (records.getInt(check(i) * RECORD_SIZE + FLAGS) & TRUNCATED) != 0;
  }

  /** Copies datagram {@code i}'s bytes into {@code target} at {@code offset}. */
  public void copyPayload(int i, byte[] target, int offset) {
    payloads.get(check(i) * slotSize, target, offset, length(i));
  }

  /**
   * Who sent datagram {@code i}: the same object as for the previous call when the
   * sender is the same. Null when the kernel gave no IP address.
   */
  public InetSocketAddress sender(int i) {
    int at = check(i) * RECORD_SIZE + ADDR;
    long a = records.getLong(at), b = records.getLong(at + 8), c = records.getLong(at + 16);
    if (sender != null && a == senderA && b == senderB && c == senderC) return sender;
    if (records.get(at) == 0) return null;
    byte[] record = new byte[SocketAddresses.RECORD_SIZE];
    records.get(at, record);
    sender = SocketAddresses.decode(record);
    senderA = a;
    senderB = b;
    senderC = c;
    return sender;
  }

  // ---- sending ------------------------------------------------------------------------

  /**
   * Slot {@code i}, cleared, for the caller to fill with one datagram's bytes from
   * position 0; then {@link #setSend}. The same buffer object every time.
   */
  public ByteBuffer slot(int i) {
    return slots[check(i)].clear();
  }

  /**
   * Makes record {@code i} send the first {@code length} bytes of its slot to {@code
   * target}, or to the connected peer when {@code target} is null.
   */
  public void setSend(int i, int length, InetSocketAddress target) {
    setSend(i, length, target, SocketAddresses.FAMILY_INET4);
  }

  /**
   * As {@link #setSend(int, int, InetSocketAddress)} from a socket of family {@code
   * socketFamily} (4 or 6): an IPv4 target is written IPv4-mapped for an IPv6 socket.
   */
  public void setSend(int i, int length, InetSocketAddress target, int socketFamily) {
    if (length < 0 || length > slotSize) {
      throw new IllegalArgumentException("length " + length + " outside slot of " + slotSize);
    }
    int at = check(i) * RECORD_SIZE;
    records.putInt(at + CAPACITY, length);
    records.putInt(at + LENGTH, 0);
    if (target == null) {
      records.put(at + ADDR, (byte) 0);
      return;
    }
    if (!target.equals(destination) || socketFamily != destinationFamily) {
      destinationRecord = SocketAddresses.encodeFor(target, socketFamily);
      destination = target;
      destinationFamily = socketFamily;
    }
    records.put(at + ADDR, destinationRecord);
  }

  private int check(int i) {
    if (i < 0 || i >= capacity) throw new IndexOutOfBoundsException("record " + i + " of " + capacity);
    return i;
  }
}
