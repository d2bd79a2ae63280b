package io.pekkokq.socket;

import io.pekkokq.sys.Descriptors;
import io.pekkokq.sys.Errno;
import io.pekkokq.sys.FileDescriptor;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One file going out of a socket with sendfile(2), in steps: each {@link #step} runs on
 * the blocking pool (the disk may block), its result comes back to the owner's thread
 * ({@link #stepEnded}), which decides whether the next step runs now, after the next
 * WRITABLE edge, or never.
 */
public final class FileTransfer {
  /** {@link #stepEnded}: every byte asked for is sent; the transfer is over. */
  public static final int DONE = 0;
  /** {@link #stepEnded}: the socket is writable still, run the next step. */
  public static final int CONTINUE = 1;
  /** {@link #stepEnded}: the socket is full; run the next step after a WRITABLE edge. */
  public static final int WAIT_FOR_WRITABLE = 2;
  /** {@link #stepEnded}: it failed ({@link #failure()}); the file is closed. */
  public static final int FAILED = 3;

  private final Path path;
  private final long chunkLimit;
  private FileDescriptor file;
  private long position;
  private long remaining;
  private long asked;
  private IOException failure;

  /** @param chunkLimit the most one step sends ({@code file-io-transferTo-limit}) */
  public FileTransfer(Path path, long position, long count, long chunkLimit) {
    this.path = path;
    this.position = position;
    this.remaining = count;
    this.chunkLimit = chunkLimit;
  }

  /**
   * One step, on the blocking pool: opens the file the first time, sends one chunk.
   *
   * @return bytes sent, or -errno
   * @throws IOException when the file cannot be opened
   */
  public long step(SocketDriver driver) throws IOException {
    asked = Math.min(remaining, chunkLimit);
    if (file == null) file = Descriptors.openForReading(path);
    long n = driver.sendFile(file, position, asked);
    // The connection may have ended meanwhile; then nobody else closes the file.
    if (!driver.isOpen()) closeFile();
    return n;
  }

  /** Accounts a step's result (from {@link #step}, or its exception), on the owner's thread. */
  public int stepEnded(SocketDriver driver, long result, Throwable stepFailure) {
    if (stepFailure != null || (result < 0 && result != -Errno.EAGAIN) || result == 0) {
      closeFile();
      failure =
          stepFailure instanceof IOException
              ? (IOException) stepFailure
              : stepFailure != null
                  ? new IOException(stepFailure)
                  : result == 0
                      ? new IOException("file " + path + " ended before the requested count was sent")
                      : Errno.exception("sendfile", (int) result);
      return FAILED;
    }
    driver.fileStepEnded(result, asked);
    if (result == -Errno.EAGAIN) return WAIT_FOR_WRITABLE;
    position += result;
    remaining -= result;
    if (remaining == 0) {
      closeFile();
      return DONE;
    }
    return driver.writable() ? CONTINUE : WAIT_FOR_WRITABLE;
  }

  public IOException failure() {
    return failure;
  }

  /** Closes the file, if open. Idempotent. */
  public void closeFile() {
    if (file != null) file.close();
  }

  @Override
  public String toString() {
    return "FileTransfer(" + path + ", " + remaining + " bytes left)";
  }
}
