package io.pekkokq.stream.impl;

import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * INTERNAL API. The Streams defaults of one actor system that each connection needs, read
 * from the configuration once. Reading them per connection was the largest part of a
 * Streams connection's setup garbage: {@code Config.getBytes} of the write buffer size
 * parses its path and, for a value such as "128 KiB", throws and catches two exceptions
 * with their stack traces inside the config library, about 6 KiB per connection (bench/
 * conn-cost.sh with an allocation histogram; docs/benchmarks.md, "Cheaper connections").
 */
public final class StreamDefaults implements Extension {
  /** {@code pekko.stream.materializer.io.tcp.write-buffer-size}, as Pekko's Tcp stages use it. */
  public final int writeBufferSize;

  private StreamDefaults(ActorSystem system) {
    long v = system.settings().config().getBytes("pekko.stream.materializer.io.tcp.write-buffer-size");
    this.writeBufferSize = (int) Math.max(1, Math.min(v, 1 << 24));
  }

  public static StreamDefaults get(ActorSystem system) {
    return ID.apply(system);
  }

  private static final Id ID = new Id();

  private static final class Id extends AbstractExtensionId<StreamDefaults> implements ExtensionIdProvider {
    @Override
    public StreamDefaults createExtension(ExtendedActorSystem system) {
      return new StreamDefaults(system);
    }

    @Override
    public Id lookup() {
      return this;
    }
  }
}
