package io.pekkokq.io.internal;

import io.pekkokq.socket.OutboundBytes;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * INTERNAL API. The one write a connection holds (Pekko's model: no queue), flattened
 * into its simple parts so that every part's ack can be sent the moment its last byte is
 * handed to the kernel, and consecutive byte parts can go out in one system call
 * ({@link OutboundBytes}).
 *
 * <p>One per connection, reused from write to write ({@link #start}, {@link #clear}): on
 * the data path every Write passes through here, and a JFR allocation profile of the echo
 * server under ping-pong counted this bookkeeping (an object and its parts array per
 * Write) as 13% of all allocation pressure (issue 18).
 */
final class PendingWrite implements OutboundBytes {
  /** Enough for a plain Write and short CompoundWrites; grows, and stays grown. */
  private static final int INITIAL_PARTS = 4;

  ActorRef commander;
  /** The simple parts; those before {@link #head} are done. */
  private Tcp.SimpleWriteCommand[] parts = new Tcp.SimpleWriteCommand[INITIAL_PARTS];
  private int count;
  private int head;
  /** The unwritten bytes of the head part when it is a Write. */
  ByteString headRemaining;

  /** Takes {@code command} from {@code commander} as the write now pending; returns this. */
  PendingWrite start(ActorRef commander, Tcp.WriteCommand command) {
    this.commander = commander;
    count = 0;
    head = 0;
    flatten(command);
    headRemaining = headData();
    return this;
  }

  /** Forgets the write (the parts done are null already), so nothing it held stays reachable. */
  void clear() {
    for (int i = head; i < count; i++) parts[i] = null;
    count = 0;
    head = 0;
    commander = null;
    headRemaining = null;
  }

  private void flatten(Tcp.WriteCommand command) {
    while (command instanceof Tcp.CompoundWrite) {
      Tcp.CompoundWrite compound = (Tcp.CompoundWrite) command;
      flatten(compound.head());
      command = compound.tailCommand();
    }
    if (command instanceof Tcp.SimpleWriteCommand) {
      if (count == parts.length) parts = java.util.Arrays.copyOf(parts, 2 * count);
      parts[count++] = (Tcp.SimpleWriteCommand) command;
    }
  }

  /** The bytes of all byte parts (files not included): what this write queues, for the metrics. */
  long byteCount() {
    long n = 0;
    for (int i = head; i < count; i++) {
      if (parts[i] instanceof Tcp.Write) n += ((Tcp.Write) parts[i]).data().size();
    }
    return n;
  }

  Tcp.SimpleWriteCommand head() {
    return head < count ? parts[head] : null;
  }

  /** Drops the head part, acking it when it wants an ack, and moves to the next one. */
  void completeHead(ActorRef self) {
    Tcp.SimpleWriteCommand done = head();
    if (done == null) return;
    parts[head++] = null;
    if (done.wantsAck()) commander.tell(done.ack(), self);
    headRemaining = headData();
  }

  /** Marks {@code n} bytes as handed to the kernel, acking every part they complete. */
  void consume(long n, ActorRef self) {
    while (n > 0) {
      if (n >= headRemaining.size()) {
        n -= headRemaining.size();
        completeHead(self);
        // Empty parts right behind a completed one are done too (acks in order).
        while (head() instanceof Tcp.Write && headRemaining.isEmpty()) completeHead(self);
      } else {
        headRemaining = headRemaining.drop((int) n);
        n = 0;
      }
    }
  }

  @Override
  public ByteString bytePart(int i) {
    int index = head + i;
    if (index >= count || !(parts[index] instanceof Tcp.Write)) return null;
    return i == 0 ? headRemaining : ((Tcp.Write) parts[index]).data();
  }

  private ByteString headData() {
    Tcp.SimpleWriteCommand h = head();
    return h instanceof Tcp.Write ? ((Tcp.Write) h).data() : null;
  }

  /** True when a write of nothing that wants no ack: Pekko treats it as no write at all. */
  static boolean isEmptyNoAck(Tcp.WriteCommand command) {
    if (command instanceof Tcp.Write) {
      Tcp.Write w = (Tcp.Write) command;
      return w.data().isEmpty() && !w.wantsAck();
    }
    return false;
  }
}
