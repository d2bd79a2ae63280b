package io.pekkokq.sys;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Signals become SIGNAL events; the JVM's own signals are refused. */
class SignalsTest {
  @Test
  void namesMapToThePlatformsNumbers() {
    assertEquals(10, Signals.number("USR1"));
    assertEquals(10, Signals.number("SIGUSR1"));
    assertEquals(1, Signals.number("hup"));
    assertEquals(28, Signals.number("WINCH"));
    assertThrows(IllegalArgumentException.class, () -> Signals.number("NOPE"));
    assertThrows(NullPointerException.class, () -> Signals.number(null));
  }

  @Test
  void signalsTheJvmNeedsAreRefusedWithAClearError() {
    for (String name : new String[] {"SEGV", "BUS", "FPE", "ILL", "QUIT", "USR2", "TRAP", "KILL", "STOP"}) {
      int signo = Signals.number(name);
      assertTrue(Signals.isRefused(signo), name);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Signals.subscribe(signo));
      assertTrue(e.getMessage().contains("used by the JVM"), e.getMessage());
    }
    assertFalse(Signals.isRefused(Signals.number("USR1")));
    assertThrows(IllegalArgumentException.class, () -> Signals.subscribe(0));
    assertThrows(IllegalArgumentException.class, () -> Signals.subscribe(100000));
  }

  @Test
  void killUsr1ToThisJvmArrivesAsASignalEventAndTheJvmLivesOn() throws Exception {
    int usr1 = Signals.number("USR1");
    try (KernelQueue queue = KernelQueue.open(16)) {
      queue.watchSignals();
      Signals.subscribe(usr1);
      try {
        Process kill =
            new ProcessBuilder("kill", "-USR1", Long.toString(ProcessHandle.current().pid())).start();
        assertEquals(0, kill.waitFor());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        boolean seen = false;
        while (!seen && System.nanoTime() < deadline) {
          int n = queue.await(100);
          for (int i = 0; i < n; i++) {
            if ((queue.events().bits(i) & ReadyBits.SIGNAL) != 0) {
              assertEquals(usr1, queue.events().token(i));
              seen = true;
            }
          }
        }
        assertTrue(seen, "SIGUSR1 arrived as an event");
      } finally {
        Signals.unsubscribe(usr1);
      }
    }
    Signals.unsubscribe(usr1); // unsubscribing again is harmless
  }

  @Test
  void onlyOneQueuePerProcessWatchesSignals() throws Exception {
    try (KernelQueue first = KernelQueue.open(4);
        KernelQueue second = KernelQueue.open(4)) {
      first.watchSignals();
      java.io.IOException e = assertThrows(java.io.IOException.class, second::watchSignals);
      assertTrue(e.getMessage().contains("busy"), e.getMessage());
    }
    try (KernelQueue third = KernelQueue.open(4)) {
      third.watchSignals(); // the role was released when the first queue closed
    }
  }
}
