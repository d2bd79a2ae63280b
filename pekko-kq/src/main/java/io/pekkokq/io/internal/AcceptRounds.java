package io.pekkokq.io.internal;

import io.pekkokq.poll.Poller;
import io.pekkokq.socket.Acceptor;
import io.pekkokq.sys.Errno;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.event.LoggingAdapter;

/**
 * INTERNAL API. How one actor accepts from some listening sockets of a Bind (every shard
 * of a pull-mode or unsharded listener, or the one shard of a {@link ListenerShard}), the
 * one place of this rule: each READ edge marks its shard pending; a round takes up to
 * {@code batch-accept-limit} (or the pull-mode credit left) over the pending shards,
 * starting each round at the next shard so that none waits behind another, and continues
 * with a message to its actor while connections may be pending. A failed accept (e.g.
 * EMFILE) is retried shortly: the connections stay queued in the kernel, and no new edge
 * comes for them. Used by its actor's thread only.
 */
final class AcceptRounds {
  /** How long after a failed accept the next try comes. */
  private static final long ACCEPT_RETRY_MILLIS = 100;

  private final Acceptor[] shards;
  /** Per shard: where its accepted sockets go (made once, not per accept). */
  private final Acceptor.Target[] targets;
  private final int batch;
  private final boolean pullMode;
  private final ActorRef self;
  /** Whose timer fires the retry. */
  private final Poller poller;
  private final SocketAddress address;
  private final LoggingAdapter log;
  private int firstShard;
  private boolean retryScheduled;
  /** Pull mode: how many more connections may be accepted. */
  private int credit;

  AcceptRounds(
      Acceptor[] shards,
      Acceptor.Target[] targets,
      int batch,
      boolean pullMode,
      ActorRef self,
      Poller poller,
      SocketAddress address,
      LoggingAdapter log) {
    this.shards = shards;
    this.targets = targets;
    this.batch = batch;
    this.pullMode = pullMode;
    this.self = self;
    this.poller = poller;
    this.address = address;
    this.log = log;
  }

  /** The READ edge of shard {@code index}: connections are pending there. */
  void onReady(int index) {
    shards[index].onReady();
    acceptPending();
  }

  /** The retry after a failed accept: every shard may have connections pending. */
  void onRetry() {
    retryScheduled = false;
    for (Acceptor a : shards) a.onReady();
    acceptPending();
  }

  /** Pull mode's ResumeAccepting: up to {@code batchSize} more connections, over all shards. */
  void resume(int batchSize) {
    credit = batchSize;
    acceptPending();
  }

  /** One round: up to a batch (or the credit left) over the shards with pending connections. */
  void acceptPending() {
    if (!anyAcceptable()) return;
    int limit = pullMode ? Math.min(credit, batch) : batch;
    int count = shards.length;
    for (int k = 0; k < count && limit > 0; k++) {
      int i = (firstShard + k) % count;
      Acceptor shard = shards[i];
      if (!shard.acceptable()) continue;
      int n = shard.accept(limit, targets[i]);
      if (n < 0) {
        log.warning("accept on {} failed: {}", address, Errno.message(n));
        scheduleRetry();
        continue;
      }
      limit -= n;
      if (pullMode) credit -= n;
    }
    firstShard = (firstShard + 1) % count;
    if (anyAcceptable() && (!pullMode || credit > 0)) {
      // Maybe more are pending: continue after other actors had their turn.
      self.tell(IoMessages.CONTINUE_ACCEPTING, ActorRef.noSender());
    }
  }

  private boolean anyAcceptable() {
    for (Acceptor a : shards) if (a.acceptable()) return true;
    return false;
  }

  private void scheduleRetry() {
    if (retryScheduled) return;
    retryScheduled = true;
    ActorRef s = self;
    poller.schedule(
        ACCEPT_RETRY_MILLIS, TimeUnit.MILLISECONDS, () -> s.tell(IoMessages.RETRY_ACCEPTING, ActorRef.noSender()));
  }
}
