package io.pekkokq.metrics.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
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
  @Label("API")
  public String api;

  @Label("Descriptor")
  public String descriptor;

  /** Whether recording is on for this event now; cheap enough to ask once per connection. */
  public static boolean wanted() {
    return new ConnectionOpened().isEnabled();
  }

  public static void commit(String api, String descriptor) {
    ConnectionOpened e = new ConnectionOpened();
    if (!e.isEnabled()) return;
    e.api = api;
    e.descriptor = descriptor;
    e.commit();
  }
}
