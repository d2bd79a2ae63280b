package io.pekkokq.io;

import io.pekkokq.io.internal.KqManagedTcpExt;
import java.lang.reflect.Field;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionId;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.io.Tcp$;
import org.apache.pekko.io.TcpExt;

/**
 * {@code pekko.io.kq.take-over-pekko-tcp = on}: at actor-system start, before anything
 * used Pekko's {@code Tcp}, puts a {@link TcpExt} whose {@code manager()} is pekko-kq's
 * into the system's extension registry in place of Pekko's own. Code nobody can edit
 * then runs on pekko-kq unchanged: {@code IO(Tcp)}, Pekko Streams' {@code Tcp} (which asks
 * {@code IO(Tcp)} for every bind and connection), and so Pekko HTTP's server and client
 * pools, and any library built on them.
 *
 * <p>Runs once per actor system, from {@code pekko.library-extensions} (reference.conf),
 * and does nothing unless the setting is on. It never fails the system: if Pekko's
 * {@code Tcp} already exists (Artery TCP remoting binds during system start, before any
 * extension loads), or the registry is not the {@code ConcurrentHashMap} field it expects
 * (another Pekko version), or pekko-kq is not native here (its NIO fallback, {@code
 * pekko.io.kq.native = off}) or cannot start, it leaves Pekko's
 * {@code Tcp} in place and logs why, once; {@link #reason()} says the same.
 * {@code PekkoTcpTakeOverTest} fails if a Pekko version changes what this relies on.
 */
public final class PekkoTcpTakeOver implements Extension {
  /** The extension id. */
  public static final Id ID = new Id();

  private final boolean active;
  private final String reason;

  private PekkoTcpTakeOver(boolean active, String reason) {
    this.active = active;
    this.reason = reason;
  }

  /** This system's outcome. */
  public static PekkoTcpTakeOver get(ActorSystem system) {
    return ID.apply(system);
  }

  /** Whether Pekko's {@code Tcp} of this system is pekko-kq's. */
  public boolean active() {
    return active;
  }

  /** Why it is, or is not. */
  public String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return "PekkoTcpTakeOver(" + (active ? "active" : "inactive") + ": " + reason + ")";
  }

  private static PekkoTcpTakeOver install(ExtendedActorSystem system) {
    if (!system.settings().config().getBoolean("pekko.io.kq.take-over-pekko-tcp"))
      return new PekkoTcpTakeOver(false, "pekko.io.kq.take-over-pekko-tcp is off");
    LoggingAdapter log = Logging.getLogger(system, PekkoTcpTakeOver.class);
    try {
      if (system.hasExtension(Tcp$.MODULE$)) {
        return refused(log, "Pekko's Tcp extension already existed when pekko-kq started "
            + "(something used it during actor-system start, e.g. Artery TCP remoting)");
      }
      ConcurrentHashMap<ExtensionId<?>, Object> registry = registryOf(system);
      if (registry == null) {
        return refused(log, "the actor system's extension registry is not the "
            + "ConcurrentHashMap field 'extensions' pekko-kq expects (another Pekko version?)");
      }
      KqTcpExt kq = KqTcp.get(system);
      if (!kq.isNative()) {
        // its manager is then Pekko's own (the nio fallback): nothing to take over with
        return refused(log, "pekko-kq runs on Pekko's NIO Tcp here ("
            + kq.whyNotNative().map(Throwable::toString).orElse("native = off") + ")");
      }
      KqManagedTcpExt replacement = new KqManagedTcpExt(system, kq.manager());
      Object previous = registry.putIfAbsent(Tcp$.MODULE$, replacement);
      if (previous != null) {
        replacement.stopPekkosManager();
        return refused(log, "Pekko's Tcp extension was created at the same moment by another thread");
      }
      replacement.stopPekkosManager();
      String reason = "Pekko's Tcp manager is pekko-kq's (" + replacement.manager().path() + ")";
      log.info("pekko.io.kq.take-over-pekko-tcp: {}", reason);
      return new PekkoTcpTakeOver(true, reason);
    } catch (RuntimeException | LinkageError | ReflectiveOperationException e) {
      return refused(log, "it failed: " + e);
    }
  }

  private static PekkoTcpTakeOver refused(LoggingAdapter log, String why) {
    String reason = "Pekko's own Tcp left in place: " + why;
    log.warning("pekko.io.kq.take-over-pekko-tcp = on, but {}", reason);
    return new PekkoTcpTakeOver(false, reason);
  }

  /** ActorSystemImpl's private {@code extensions} map, or null if it is not there as expected. */
  @SuppressWarnings("unchecked")
  static ConcurrentHashMap<ExtensionId<?>, Object> registryOf(ExtendedActorSystem system)
      throws ReflectiveOperationException {
    for (Class<?> c = system.getClass(); c != null; c = c.getSuperclass()) {
      Field field;
      try {
        field = c.getDeclaredField("extensions");
      } catch (NoSuchFieldException notHere) {
        continue;
      }
      if (field.getType() != ConcurrentHashMap.class) return null;
      field.setAccessible(true);
      return (ConcurrentHashMap<ExtensionId<?>, Object>) field.get(system);
    }
    return null;
  }

  /** The {@code ExtensionId}. */
  public static final class Id extends AbstractExtensionId<PekkoTcpTakeOver> implements ExtensionIdProvider {
    private Id() {}

    @Override
    public PekkoTcpTakeOver createExtension(ExtendedActorSystem system) {
      return install(system);
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }

  /** What {@code pekko.library-extensions} names: Pekko creates it reflectively, with no arguments. */
  public static final class Provider implements ExtensionIdProvider {
    public Provider() {}

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
