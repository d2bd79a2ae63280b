package io.pekkokq.sys;

/**
 * The pekko-kq native library could not be loaded, so a call that needs it cannot run.
 * Its message says what failed (missing resource, unwritable temporary directory, a
 * library that does not load, a build mismatch) and how to point the loader at an
 * installed library ({@value NativeLibrary#LIBRARY_PATH_PROPERTY}); its cause is the
 * original failure.
 *
 * <p>A plain runtime exception on purpose: the JVM's own {@link UnsatisfiedLinkError} is a
 * {@link LinkageError}, which Pekko treats as fatal and answers by exiting the JVM when an
 * actor throws it. Nothing in pekko-kq lets a LinkageError escape; this is thrown instead.
 */
public final class NativeUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NativeUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
