package io.pekkokq.poll;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Maps tokens to live registrations; the one place that compares generations.
 *
 * <p>Lookups run on the poller thread with two volatile reads and no lock: the table is a
 * fixed top array of lazily created chunks that never move, so a reader can never see a
 * half-copied array. A slot holds one immutable {@link Registration} whose token carries
 * the generation; a lookup matches the whole token, so an event for a released slot, or
 * for a slot since reused by a new descriptor, finds nothing and is dropped.
 *
 * <p>Allocation and release come from the owners' threads and are serialised by a lock:
 * they happen once per descriptor, not per event.
 */
final class SlotTable {
  private static final int CHUNK_BITS = 12;
  private static final int CHUNK_SIZE = 1 << CHUNK_BITS;
  private static final int CHUNK_MASK = CHUNK_SIZE - 1;

  private final AtomicReferenceArray<AtomicReferenceArray<Registration>> chunks;
  private final int capacity;

  // Guarded by this.
  private int[] generations = new int[CHUNK_SIZE];
  private int[] free = new int[CHUNK_SIZE];
  private int freeCount;
  private int nextUnused;
  private int live;

  SlotTable(int capacity) {
    if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
    this.capacity = capacity;
    this.chunks = new AtomicReferenceArray<>((capacity + CHUNK_SIZE - 1) >>> CHUNK_BITS);
  }

  /** The live registration for {@code token}, or null when the token is stale or unknown. */
  Registration lookup(long token) {
    int slot = Token.slot(token);
    int chunkIndex = slot >>> CHUNK_BITS;
    if (slot < 0 || chunkIndex >= chunks.length()) return null;
    AtomicReferenceArray<Registration> chunk = chunks.get(chunkIndex);
    if (chunk == null) return null;
    Registration registration = chunk.get(slot & CHUNK_MASK);
    return registration != null && registration.token() == token ? registration : null;
  }

  /** A fresh token for a new registration; publish it with {@link #publish}. */
  synchronized long allocate() {
    int slot;
    if (freeCount > 0) {
      slot = free[--freeCount];
    } else {
      if (nextUnused >= capacity) {
        throw new IllegalStateException(
            "slot table full: " + capacity + " registrations (raise pekko.io.kq.max-registrations)");
      }
      slot = nextUnused++;
      if (slot >= generations.length) {
        generations = java.util.Arrays.copyOf(generations, Math.min(capacity, generations.length * 2));
      }
      generations[slot] = 1;
    }
    live++;
    return Token.of(slot, generations[slot]);
  }

  /** Makes a registration visible to the poller thread, before its descriptor is added. */
  void publish(Registration registration) {
    int slot = Token.slot(registration.token());
    chunkFor(slot).set(slot & CHUNK_MASK, registration);
  }

  /**
   * Ends a registration: from now on its token finds nothing, and the slot's next owner
   * gets a new generation. Idempotent for a given token.
   */
  synchronized void release(long token) {
    int slot = Token.slot(token);
    if (slot >= nextUnused || generations[slot] != Token.generation(token)) return;
    AtomicReferenceArray<Registration> chunk = chunks.get(slot >>> CHUNK_BITS);
    if (chunk != null) chunk.set(slot & CHUNK_MASK, null);
    generations[slot] = Token.nextGeneration(generations[slot]);
    if (freeCount == free.length) free = java.util.Arrays.copyOf(free, free.length * 2);
    free[freeCount++] = slot;
    live--;
  }

  synchronized int liveCount() {
    return live;
  }

  private synchronized AtomicReferenceArray<Registration> chunkFor(int slot) {
    int index = slot >>> CHUNK_BITS;
    AtomicReferenceArray<Registration> chunk = chunks.get(index);
    if (chunk == null) {
      chunk = new AtomicReferenceArray<>(CHUNK_SIZE);
      chunks.set(index, chunk);
    }
    return chunk;
  }
}
