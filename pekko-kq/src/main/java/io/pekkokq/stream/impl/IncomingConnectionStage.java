package io.pekkokq.stream.impl;

import io.pekkokq.poll.ScheduledTimer;
import io.pekkokq.runtime.ChannelBudget;
import io.pekkokq.runtime.SocketsInTransit;
import io.pekkokq.socket.Channel;
import io.pekkokq.stream.ByteDescriptor;
import java.time.Duration;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * INTERNAL API. An accepted connection (or any descriptor handed to a Flow): it may be
 * materialized once, as in Pekko. A second materialization throws
 * IllegalStateException; a connection never materialized is reset by {@link #expire}
 * (scheduled by the listener after register-timeout), so its descriptor cannot leak. An
 * accepted one is also {@link #sendThrough sent through} the runtime's {@link
 * SocketsInTransit}, which resets it when the runtime shuts down unmaterialized (its
 * expiry timer would never fire on a stopped poller). Materialization, expiry and that
 * sweep all claim the same {@link SocketsInTransit.Handoff}: exactly one of them wins.
 */
public final class IncomingConnectionStage extends GraphStage<FlowShape<ByteString, ByteString>> {
  private final Inlet<ByteString> in = Inlet.create("KqIncomingConnection.in");
  private final Outlet<ByteString> out = Outlet.create("KqIncomingConnection.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final Channel channel;
  /** The max-channels place {@link #channel} holds (an accepted socket), or null. */
  private final ChannelBudget placeHeld;
  private final boolean halfClose;
  private final Duration idleTimeout;
  /**
   * Claimed by the first of materialization, expiry and the runtime's sweep; null once
   * claimed, so that a materialized stage, which lives as long as its connection, holds no
   * dead object.
   */
  private volatile SocketsInTransit.Handoff handoff = new Unmaterialized();

  private volatile ScheduledTimer expiry;
  /** The poller of the listener shard that accepted it, or null ({@link FdStreamLogic#homePoller}). */
  private io.pekkokq.poll.Poller homePoller;

  /** A descriptor handed to a Flow (FdStreams): it holds no max-channels place. */
  public IncomingConnectionStage(ByteDescriptor channel, boolean halfClose, Duration idleTimeout) {
    this(new ByteDescriptorChannel(channel), null, halfClose, idleTimeout);
  }

  /** An accepted socket that holds a place of {@code placeHeld}, given back when it closes. */
  public IncomingConnectionStage(
      Channel channel, ChannelBudget placeHeld, boolean halfClose, Duration idleTimeout) {
    this.channel = channel;
    this.placeHeld = placeHeld;
    this.halfClose = halfClose;
    this.idleTimeout = idleTimeout;
  }

  /** The poller it registers with unless materialized on a poller's thread; null: any. */
  public IncomingConnectionStage homePoller(io.pekkokq.poll.Poller poller) {
    this.homePoller = poller;
    return this;
  }

  /** Arms the reset of a connection nobody materializes. */
  public void expireAfter(ScheduledTimer timer) {
    expiry = timer;
  }

  /**
   * Records this accepted connection in {@code inTransit} until a stream takes it (or it
   * expires): before it is emitted.
   */
  public IncomingConnectionStage sendThrough(SocketsInTransit inTransit) {
    SocketsInTransit.Handoff h = handoff;
    if (h != null) inTransit.send(h);
    return this;
  }

  /** Resets the descriptor unless a stream has taken it; true when it did so. */
  public boolean expire() {
    SocketsInTransit.Handoff h = handoff;
    return h != null && h.claimAndDiscard();
  }

  /** The claim of a connection not materialized yet; its discard resets it. */
  private final class Unmaterialized extends SocketsInTransit.Handoff {
    @Override
    protected void discard() {
      handoff = null;
      ScheduledTimer t = expiry;
      if (t != null) {
        t.cancel();
        expiry = null;
      }
      try {
        channel.abort();
      } finally {
        if (placeHeld != null) placeHeld.release();
      }
    }
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public Attributes initialAttributes() {
    return Attributes.name("KqIncomingConnection");
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    SocketsInTransit.Handoff h = handoff;
    if (h == null || !h.claim()) {
      throw new IllegalStateException(
          "Cannot materialize an incoming connection Flow twice (or after it expired unmaterialized).");
    }
    handoff = null;
    ScheduledTimer t = expiry;
    if (t != null) {
      t.cancel();
      expiry = null; // the stage lives as long as the connection: hold no dead timer
    }
    return new FdStreamLogic(
        shape, in, out, channel, placeHeld, halfClose, idleTimeout, null, inheritedAttributes)
        .homePoller(homePoller);
  }

  @Override
  public String toString() {
    return "KqIncomingConnection(" + channel + ")";
  }
}
