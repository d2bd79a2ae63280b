package io.pekkokq.io.internal;

import java.util.ArrayDeque;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * INTERNAL API. The one write a connection holds (Pekko's model: no queue), flattened
 * into its simple parts so that every part's ack can be sent the moment its last byte is
 * handed to the kernel, and consecutive byte parts can go out in one system call.
 */
final class PendingWrite {
  final ActorRef commander;
  /** Parts not yet fully written; the head may be partly written. */
  final ArrayDeque<Tcp.SimpleWriteCommand> parts;
  /** The unwritten bytes of the head part when it is a Write. */
  ByteString headRemaining;

  PendingWrite(ActorRef commander, Tcp.WriteCommand command) {
    this.commander = commander;
    // One per write on the data path: a plain Write needs one slot, not the default 16.
    this.parts = new ArrayDeque<>(command instanceof Tcp.CompoundWrite ? 16 : 1);
    flatten(command);
    headRemaining = headData();
  }

  private void flatten(Tcp.WriteCommand command) {
    while (command instanceof Tcp.CompoundWrite) {
      Tcp.CompoundWrite compound = (Tcp.CompoundWrite) command;
      flatten(compound.head());
      command = compound.tailCommand();
    }
    if (command instanceof Tcp.SimpleWriteCommand) parts.add((Tcp.SimpleWriteCommand) command);
  }

  boolean isDone() {
    return parts.isEmpty();
  }

  Tcp.SimpleWriteCommand head() {
    return parts.peekFirst();
  }

  /** Drops the head part, acking it when it wants an ack, and moves to the next one. */
  void completeHead(ActorRef self) {
    Tcp.SimpleWriteCommand done = parts.pollFirst();
    if (done != null && done.wantsAck()) commander.tell(done.ack(), self);
    headRemaining = headData();
  }

  private ByteString headData() {
    Tcp.SimpleWriteCommand head = parts.peekFirst();
    return head instanceof Tcp.Write ? ((Tcp.Write) head).data() : null;
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
