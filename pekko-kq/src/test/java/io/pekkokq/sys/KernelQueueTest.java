package io.pekkokq.sys;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kernel queue on real descriptors: readiness, edges, wake-ups, the timer. */
class KernelQueueTest {
  private static final long CLIENT = (1L << 32) | 1;
  private static final long SERVER = (1L << 32) | 2;
  private static final int READ_WRITE = 3;

  private KernelQueue queue;
  private Loopback pair;

  @BeforeEach
  void open() throws Exception {
    queue = KernelQueue.open(64);
    pair = Loopback.open();
  }

  @AfterEach
  void close() {
    pair.close();
    queue.close();
  }

  /** The events of one wait as (token, bits) pairs. */
  private List<long[]> await(int timeoutMillis) {
    int n = queue.await(timeoutMillis);
    assertTrue(n >= 0, "wait failed: " + n);
    List<long[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(new long[] {queue.events().token(i), queue.events().bits(i)});
    return out;
  }

  private static int bitsFor(List<long[]> events, long token) {
    int bits = 0;
    for (long[] e : events) if (e[0] == token) bits |= (int) e[1];
    return bits;
  }

  @Test
  void reportsWritableOnAConnectedSocketAndReadableWhenDataArrives() throws Exception {
    queue.add(pair.client, CLIENT, READ_WRITE);
    queue.add(pair.server, SERVER, READ_WRITE);
    List<long[]> first = await(1000);
    assertNotEquals(0, bitsFor(first, CLIENT) & ReadyBits.WRITABLE, "client writable");
    assertEquals(0, bitsFor(first, SERVER) & ReadyBits.READABLE, "nothing to read yet");

    Loopback.send(pair.client, "ping");
    List<long[]> second = await(1000);
    assertNotEquals(0, bitsFor(second, SERVER) & ReadyBits.READABLE, "server readable");
    assertEquals("ping", Loopback.receive(pair.server));
  }

  @Test
  void edgeTriggeredReportsNoSecondReadWithoutNewData() throws Exception {
    queue.add(pair.server, SERVER, ReadyBits.READABLE);
    Loopback.send(pair.client, "one");
    assertNotEquals(0, bitsFor(await(1000), SERVER) & ReadyBits.READABLE);
    // Not drained yet, and still no second edge: the owner must remember it is readable.
    assertEquals(0, bitsFor(await(50), SERVER) & ReadyBits.READABLE, "no edge without new data");
    assertEquals("one", Loopback.receive(pair.server));
    assertNull(Loopback.receive(pair.server), "drained: EAGAIN");
    assertEquals(0, bitsFor(await(50), SERVER) & ReadyBits.READABLE);
    Loopback.send(pair.client, "two");
    assertNotEquals(0, bitsFor(await(1000), SERVER) & ReadyBits.READABLE, "new data, new edge");
  }

  @Test
  void reportsHangUpWhenThePeerShutsDownItsOutput() throws Exception {
    queue.add(pair.server, SERVER, READ_WRITE);
    await(100);
    pair.client.shutdownOutput();
    int bits = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while ((bits & ReadyBits.HANGUP) == 0 && System.nanoTime() < deadline) bits |= bitsFor(await(100), SERVER);
    assertNotEquals(0, bits & ReadyBits.HANGUP);
    assertEquals("", Loopback.receive(pair.server), "end of stream");
  }

  @Test
  void aWakeFromAnotherThreadEndsAWaitWithoutTimeout() throws Exception {
    CountDownLatch waiting = new CountDownLatch(1);
    Thread waker =
        new Thread(
            () -> {
              try {
                waiting.await();
                Thread.sleep(50);
              } catch (InterruptedException e) {
                return;
              }
              queue.wake();
            });
    waker.start();
    waiting.countDown();
    List<long[]> events = await(-1); // blocks forever unless the wake arrives
    assertEquals(1, events.size());
    assertEquals(0L, events.get(0)[0]);
    assertEquals(ReadyBits.WAKEUP, events.get(0)[1]);
    waker.join();
    assertTrue(await(0).isEmpty(), "the wake-up was drained by the wait");
  }

  @Test
  void theTimerFiresAndNeverBeforeItsDeadline() throws Exception {
    long delay = TimeUnit.MILLISECONDS.toNanos(30);
    long start = System.nanoTime();
    queue.setTimer(delay);
    List<long[]> events = await(-1);
    long elapsed = System.nanoTime() - start;
    assertEquals(ReadyBits.TIMER, events.get(0)[1]);
    assertTrue(elapsed >= delay, "fired after " + elapsed + " ns, deadline was " + delay);
  }

  @Test
  void aDisarmedTimerDoesNotFireAndReArmingReplacesTheDeadline() throws Exception {
    queue.setTimer(TimeUnit.MILLISECONDS.toNanos(20));
    queue.setTimer(-1);
    assertTrue(await(80).isEmpty(), "disarmed");
    queue.setTimer(TimeUnit.SECONDS.toNanos(30));
    long start = System.nanoTime();
    queue.setTimer(TimeUnit.MILLISECONDS.toNanos(10));
    assertEquals(ReadyBits.TIMER, await(5000).get(0)[1]);
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30));
  }

  @Test
  void reservedTokensAreRefused() {
    IOException e = assertThrows(IOException.class, () -> queue.add(pair.client, 7L, READ_WRITE));
    assertTrue(e.getMessage().contains("Invalid argument"), e.getMessage());
  }

  @Test
  void callsAfterCloseFailCleanlyInsteadOfTouchingFreedMemory() throws Exception {
    queue.close();
    assertEquals(-Errno.EBADF, queue.await(0));
    assertThrows(IOException.class, () -> queue.add(pair.client, CLIENT, READ_WRITE));
    assertThrows(IOException.class, () -> queue.setTimer(1));
    queue.wake(); // ignored
    queue.close(); // idempotent
  }

  @Test
  void closingWhileAnotherThreadWaitsWakesItAndFreesTheQueue() throws Exception {
    CountDownLatch returned = new CountDownLatch(1);
    int[] result = new int[1];
    Thread waiter =
        new Thread(
            () -> {
              result[0] = queue.await(-1);
              returned.countDown();
            });
    waiter.start();
    Thread.sleep(50);
    queue.close();
    assertTrue(returned.await(5, TimeUnit.SECONDS), "the blocked wait returned");
    assertTrue(result[0] >= 0);
    assertFalse(queue.isOpen());
  }
}
