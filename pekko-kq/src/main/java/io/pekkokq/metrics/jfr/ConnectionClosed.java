package io.pekkokq.metrics.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A connection socket closed. The event begins when the socket opens and is committed
 * when it closes, so its duration is the connection's lifetime and JFR's own {@code
 * threshold} setting keeps only connections that lived at least that long (e.g. {@code
 * io.pekkokq.ConnectionClosed#threshold=1 s}). Off by default; when it is off as a connection
 * opens, that connection carries no event object.
 */
@Name("io.pekkokq.ConnectionClosed")
@Label("Connection Closed")
@Category({"pekko-kq", "Connections"})
@Description("A connection socket, from open to close, with the bytes it moved")
@Enabled(false)
@StackTrace(false)
public final class ConnectionClosed extends Event {
  /**
   * Asked before making an event: an event object made only to ask {@code isEnabled()} was
   * garbage of every connection setup (bench/conn-cost.sh). Set up when the class is
   * initialised, which {@link JfrSupport} does off the pollers.
   */
  private static final EventType TYPE = EventType.getEventType(ConnectionClosed.class);

  @Label("API")
  public String api;

  @Label("Descriptor")
  public String descriptor;

  @Label("Bytes Read")
  @DataAmount
  public long bytesRead;

  @Label("Bytes Written")
  @DataAmount
  public long bytesWritten;

  @Label("Aborted")
  @Description("Closed with a reset (RST) instead of a FIN")
  public boolean aborted;

  /** An event begun now when recording wants it, else null (then the connection costs nothing). */
  public static ConnectionClosed beginIfWanted(String api, Object descriptor) {
    if (!TYPE.isEnabled()) return null; // no event object either: this runs for every connection
    ConnectionClosed e = new ConnectionClosed();
    e.api = api;
    e.descriptor = String.valueOf(descriptor);
    e.begin();
    return e;
  }

  /** Commits the event; its owner added the bytes to {@link #bytesRead} and {@link #bytesWritten} as they moved. */
  public void end(boolean aborted) {
    this.aborted = aborted;
    commit();
  }
}
