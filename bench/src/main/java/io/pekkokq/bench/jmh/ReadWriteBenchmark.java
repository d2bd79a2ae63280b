package io.pekkokq.bench.jmh;

import io.pekkokq.sys.Errno;
import io.pekkokq.sys.NativeMemory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One write of {@code size} bytes on one side of a connected loopback pair and the reads
 * that take them back out on the other side: through pekko-kq's JNI calls ({@code
 * FileDescriptor.write/read} with a native address) and through NIO {@code SocketChannel}
 * with a direct buffer. Same kernel work (write(2) + read(2) on TCP loopback); the
 * difference is the Java-side path around the system call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ReadWriteBenchmark {
  @Param({"64", "16384"})
  public int size;

  private Pairs.Kq kq;
  private Pairs.Nio nio;
  private ByteBuffer out;
  private ByteBuffer in;
  private long outAddress;
  private long inAddress;

  @Setup(Level.Trial)
  public void open() throws Exception {
    kq = Pairs.Kq.open();
    nio = Pairs.Nio.open();
    out = ByteBuffer.allocateDirect(size);
    for (int i = 0; i < size; i++) out.put(i, (byte) i);
    in = ByteBuffer.allocateDirect(size);
    outAddress = NativeMemory.address(out);
    inAddress = NativeMemory.address(in);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    kq.close();
    nio.close();
  }

  /** write(2) then read(2) until all {@code size} bytes are back, through pekko-kq. */
  @Benchmark
  public int kqWriteRead() throws IOException {
    int written = kq.client.write(outAddress, size);
    if (written != size) throw failure("write", written);
    int got = 0;
    while (got < size) {
      int n = kq.server.read(inAddress + got, size - got);
      if (n > 0) got += n;
      else if (n != -Errno.EAGAIN) throw failure("read", n);
    }
    return got;
  }

  /** The same through NIO SocketChannel and direct ByteBuffers. */
  @Benchmark
  public int nioWriteRead() throws IOException {
    out.clear();
    int written = nio.client.write(out);
    if (written != size) throw new IOException("short NIO write: " + written);
    in.clear();
    while (in.hasRemaining()) {
      if (nio.server.read(in) < 0) throw new IOException("NIO end of stream");
    }
    return in.position();
  }

  private static IOException failure(String op, int result) {
    return result < 0
        ? Errno.exception(op, result)
        : new IOException("short " + op + ": " + result);
  }
}
