package io.pekkokq.stream.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.Test;

/** The Streams defaults are read from the system's configuration, once per system. */
class StreamDefaultsTest {
  @Test
  void writeBufferSizeIsTheConfiguredOneReadOncePerSystem() {
    ActorSystem configured =
        ActorSystem.create(
            "StreamDefaultsTest",
            ConfigFactory.parseString("pekko.stream.materializer.io.tcp.write-buffer-size = 3 KiB")
                .withFallback(ConfigFactory.load()));
    ActorSystem plain = ActorSystem.create("StreamDefaultsTestPlain");
    try {
      assertEquals(3 * 1024, StreamDefaults.get(configured).writeBufferSize);
      assertSame(StreamDefaults.get(configured), StreamDefaults.get(configured));
      long pekkoDefault =
          plain.settings().config().getBytes("pekko.stream.materializer.io.tcp.write-buffer-size");
      assertEquals(pekkoDefault, StreamDefaults.get(plain).writeBufferSize);
    } finally {
      TestKit.shutdownActorSystem(configured);
      TestKit.shutdownActorSystem(plain);
    }
  }
}
