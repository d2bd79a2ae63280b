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

  /** Commits one event when recording wants it; {@code descriptor} is made a string only then. */
  public static void commit(String api, Object descriptor) {
    ConnectionOpened e = new ConnectionOpened();
    if (!e.isEnabled()) return;
    e.api = api;
    e.descriptor = String.valueOf(descriptor);
    e.commit();
  }
}
