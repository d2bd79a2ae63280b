package io.pekkokq.poll;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class SlotTableTest {
  private static Registration registration(long token) {
    return new Registration(null, token, null, bits -> {});
  }

  @Test
  void tokensPackSlotAndGeneration() {
    long token = Token.of(5, 7);
    assertEquals(5, Token.slot(token));
    assertEquals(7, Token.generation(token));
    assertEquals(Integer.MAX_VALUE, Token.generation(Token.of(0, Integer.MAX_VALUE)));
    assertEquals(1, Token.nextGeneration(Integer.MAX_VALUE), "wraps to 1, never 0");
    assertThrows(IllegalArgumentException.class, () -> Token.of(1, 0));
    assertThrows(IllegalArgumentException.class, () -> Token.of(-1, 1));
  }

  @Test
  void aReleasedTokenFindsNothingAndItsSlotComesBackWithANewGeneration() {
    SlotTable table = new SlotTable(100);
    long first = table.allocate();
    Registration r = registration(first);
    table.publish(r);
    assertSame(r, table.lookup(first));
    table.release(first);
    assertNull(table.lookup(first), "stale after release");

    long second = table.allocate();
    assertEquals(Token.slot(first), Token.slot(second), "the slot is reused");
    assertNotEquals(Token.generation(first), Token.generation(second));
    table.publish(registration(second));
    assertNull(table.lookup(first), "the old token never reaches the slot's new owner");
    assertNotNull(table.lookup(second));
    table.release(first); // stale release is ignored
    assertNotNull(table.lookup(second));
  }

  @Test
  void growsAcrossChunksUpToItsCapacity() {
    SlotTable table = new SlotTable(10_000);
    long[] tokens = new long[10_000];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = table.allocate();
      table.publish(registration(tokens[i]));
    }
    assertEquals(10_000, table.liveCount());
    for (long t : tokens) assertNotNull(table.lookup(t));
    IllegalStateException full = assertThrows(IllegalStateException.class, table::allocate);
    assertTrue(full.getMessage().contains("max-registrations"));
    for (long t : tokens) table.release(t);
    assertEquals(0, table.liveCount());
    assertNull(table.lookup(Token.of(20_000, 1)), "unknown slot");
  }
}
