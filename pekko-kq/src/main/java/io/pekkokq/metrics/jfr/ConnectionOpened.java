package io.pekkokq.metrics.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A connection socket opened (accepted, or opened to connect). Off by default: one event
 * per connection is too many for an always-on recording; switch it on with {@code jfr
 * configure} or a .jfc file ({@code io.pekkokq.ConnectionOpened#enabled=true}).
 */
@Name("io.pekkokq.ConnectionOpened")
@Label("Connection Opened")
@Category({"pekko-kq", "Connections"})
@Description("A connection socket was accepted or opened to connect")
@Enabled(false)
@StackTrace(false)
public final class ConnectionOpened extends Event {
  /**
   * Asked before making an event: an event object made only to ask {@code isEnabled()} was
   * garbage of every connection setup (bench/conn-cost.sh). Set up when the class is
   * initialised, which {@link JfrSupport} does off the pollers.
   */
  private static final EventType TYPE = EventType.getEventType(ConnectionOpened.class);

  @Label("API")
  public String api;

  @Label("Descriptor")
  public String descriptor;

  /** Commits one event when recording wants it; {@code descriptor} is made a string only then. */
  public static void commit(String api, Object descriptor) {
    if (!TYPE.isEnabled()) return; // no event object either: this runs for every connection
    ConnectionOpened e = new ConnectionOpened();
    e.api = api;
    e.descriptor = String.valueOf(descriptor);
    e.commit();
  }
}
