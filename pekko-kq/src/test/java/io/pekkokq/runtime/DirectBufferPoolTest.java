package io.pekkokq.runtime;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-thread buffer in front of the shared stack, and the stack's limit. */
class DirectBufferPoolTest {
  @Test
  void aThreadGetsBackTheBufferItReleasedWithoutTheSharedStack() {
    DirectBufferPool pool = new DirectBufferPool(64, 4);
    NativeBuffer a = pool.acquire();
    a.buffer.put((byte) 1);
    pool.release(a);
    assertEquals(0, pool.shared(), "the thread's own slot took it");
    NativeBuffer again = pool.acquire();
    assertSame(a, again);
    assertEquals(0, again.buffer.position(), "released buffers come back cleared");
    pool.release(again);
  }

  @Test
  void buffersBeyondTheThreadsOwnGoToTheSharedStackUpToItsLimit() {
    DirectBufferPool pool = new DirectBufferPool(64, 2);
    NativeBuffer[] held = new NativeBuffer[4];
    for (int i = 0; i < held.length; i++) held[i] = pool.acquire();
    for (int i = 0; i < held.length; i++) {
      for (int j = 0; j < i; j++) assertNotSame(held[j], held[i], "a held buffer is never handed out twice");
    }
    for (NativeBuffer b : held) pool.release(b);
    // one in this thread's slot, two in the stack, the fourth left to the collector
    assertEquals(2, pool.shared());
  }

  @Test
  void anotherThreadReusesWhatTheSharedStackHolds() throws Exception {
    DirectBufferPool pool = new DirectBufferPool(64, 2);
    NativeBuffer first = pool.acquire();
    NativeBuffer second = pool.acquire();
    pool.release(first); // this thread's slot
    pool.release(second); // the shared stack
    NativeBuffer other = CompletableFuture.supplyAsync(pool::acquire).get(10, TimeUnit.SECONDS);
    assertSame(second, other);
    assertEquals(0, pool.shared());
    assertSame(first, pool.acquire(), "this thread's own buffer stayed with it");
  }
}
