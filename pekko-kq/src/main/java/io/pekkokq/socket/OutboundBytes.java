package io.pekkokq.socket;

import org.apache.pekko.util.ByteString;

/**
 * The bytes waiting to be written, as the {@link WriteEngine} sees them: consecutive
 * parts, the first possibly partly sent already. A connection actor's pending write
 * (parts of a CompoundWrite, files between them) and a stage's buffered elements both
 * present themselves this way.
 */
public interface OutboundBytes {
  /**
   * The {@code i}-th part still to send, from 0, or null where the consecutive bytes end
   * (no more parts, or a part that is not bytes, such as a file).
   */
  ByteString bytePart(int i);
}
