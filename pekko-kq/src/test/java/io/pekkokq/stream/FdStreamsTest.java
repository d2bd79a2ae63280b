package io.pekkokq.stream;

import static org.junit.jupiter.api.Assertions.*;

import io.pekkokq.stream.javadsl.FdStreams;
import io.pekkokq.sys.Descriptors;
import io.pekkokq.sys.FileDescriptor;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.IOResult;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fd-backed Source and Sink over a pipe: the same stage as TCP, another plug. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FdStreamsTest {
  private static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("FdStreamsTest");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  private static <T> T await(CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void pipeCarriesAStreamIntactAndEndsWithTheWriter() throws Exception {
    FileDescriptor[] pipe = Descriptors.pipe();
    byte[] base = new byte[1 << 20];
    new Random(3).nextBytes(base);
    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    int chunks = 512; // 16 MiB in 32 KiB chunks
    CompletionStage<IOResult> written =
        Source.range(0, chunks - 1)
            .map(i -> {
              ByteString c = ByteString.fromArrayUnsafe(base, (i * 977) % (base.length - 32768), 32768);
              sent.update(c.toArray());
              return c;
            })
            .runWith(FdStreams.sink(pipe[1]), system);
    Pair<CompletionStage<IOResult>, CompletionStage<MessageDigest>> read =
        FdStreams.source(pipe[0])
            .toMat(
                Sink.fold(MessageDigest.getInstance("SHA-256"), (md, b) -> {
                  md.update(b.toArray());
                  return md;
                }),
                Keep.both())
            .run(system);
    MessageDigest received = await(read.second());
    assertArrayEquals(sent.digest(), received.digest());
    assertEquals(chunks * 32768L, await(written).getCount());
    assertEquals(chunks * 32768L, await(read.first()).getCount());
    assertFalse(pipe[0].isOpen(), "the source closes its descriptor");
    assertFalse(pipe[1].isOpen(), "the sink closes its descriptor");
  }

  @Test
  void aPlugInWithOnlyItsOwnAddressReadIsStillReadThroughIt() throws Exception {
    FileDescriptor[] pipe = Descriptors.pipe();
    AtomicLong readByPlugIn = new AtomicLong();
    ByteDescriptor counting = new ByteDescriptor() {
      @Override
      public FileDescriptor descriptor() {
        return pipe[0];
      }

      @Override
      public int read(long address, int length) {
        int n = pipe[0].read(address, length);
        if (n > 0) readByPlugIn.addAndGet(n);
        return n;
      }
    };
    byte[] data = new byte[300_000];
    new Random(5).nextBytes(data);
    CompletionStage<IOResult> written =
        Source.single(ByteString.fromArrayUnsafe(data)).runWith(FdStreams.sink(pipe[1]), system);
    ByteString got = await(FdStreams.source(counting).runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system));
    assertArrayEquals(data, got.toArray(), "copied from its native memory intact");
    assertEquals(data.length, readByPlugIn.get(), "every byte went through the plug-in's read");
    assertEquals(data.length, await(written).getCount());
  }

  @Test
  void aPipeSinkWritesOnlyWhatTheReaderMakesRoomFor() throws Exception {
    FileDescriptor[] pipe = Descriptors.pipe();
    AtomicLong produced = new AtomicLong();
    ByteString chunk = ByteString.fromArrayUnsafe(new byte[16 * 1024]);
    CompletionStage<IOResult> written =
        Source.repeat(chunk)
            .take(4096) // 64 MiB if nobody stopped it
            .map(c -> {
              produced.addAndGet(c.size());
              return c;
            })
            .runWith(FdStreams.sink(pipe[1]), system);
    SinkQueueWithCancel<ByteString> reader = FdStreams.source(pipe[0]).runWith(Sink.queue(), system);
    // The queue sink pulls a little; the pipe (64 KiB) fills; the writer must stop.
    Thread.sleep(500);
    long stalled = produced.get();
    Thread.sleep(300);
    assertTrue(stalled < 4L << 20, "produced " + stalled);
    assertTrue(produced.get() - stalled < 256 * 1024, "kept producing");
    long got = 0;
    while (got < 1 << 20) got += await(reader.pull()).get().size();
    reader.cancel();
    // The reader went away: the writer fails with EPIPE instead of hanging.
    try {
      await(written);
      fail("writing to a pipe without reader should fail");
    } catch (ExecutionException e) {
      assertTrue(e.getCause().getMessage().toLowerCase().contains("pipe"), e.getCause().toString());
    }
  }

  @Test
  void aSourceMaterializesOnce() throws Exception {
    FileDescriptor[] pipe = Descriptors.pipe();
    Source<ByteString, CompletionStage<IOResult>> source = FdStreams.source(pipe[0]);
    CompletionStage<Optional<ByteString>> first = source.runWith(Sink.headOption(), system);
    assertThrows(IllegalStateException.class, () -> source.runWith(Sink.ignore(), system));
    pipe[1].close();
    assertEquals(Optional.empty(), await(first));
  }

  /** A pipe end whose close() releases the descriptor, then throws. */
  private static ByteDescriptor closeThrows(FileDescriptor fd) {
    return new ByteDescriptor() {
      @Override
      public FileDescriptor descriptor() {
        return fd;
      }

      @Override
      public void close() {
        fd.close();
        throw new IllegalStateException("close failed on purpose");
      }
    };
  }

  @Test
  void aSinkWhoseCloseThrowsStillFailsItsResultWithTheCause() throws Exception {
    FileDescriptor[] pipe = Descriptors.pipe();
    try {
      CompletionStage<IOResult> written =
          Source.single(ByteString.fromString("hello")).runWith(FdStreams.sink(closeThrows(pipe[1])), system);
      ExecutionException e = assertThrows(ExecutionException.class, () -> await(written));
      assertInstanceOf(IllegalStateException.class, e.getCause(), e.toString());
      assertEquals("close failed on purpose", e.getCause().getMessage());
    } finally {
      pipe[0].close();
    }
  }

  @Test
  void aSourceWhoseCloseThrowsStillFailsItsResultWithTheCause() throws Exception {
    FileDescriptor[] pipe = Descriptors.pipe();
    pipe[1].close(); // end of stream at once
    CompletionStage<IOResult> read =
        FdStreams.source(closeThrows(pipe[0])).toMat(Sink.ignore(), Keep.left()).run(system);
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(read));
    assertInstanceOf(IllegalStateException.class, e.getCause(), e.toString());
  }

  @Test
  void nullArgumentsAreRefusedAtTheCall() {
    assertThrows(NullPointerException.class, () -> FdStreams.sink((FileDescriptor) null));
    assertThrows(NullPointerException.class, () -> FdStreams.sink((ByteDescriptor) null));
    assertThrows(NullPointerException.class, () -> FdStreams.source((FileDescriptor) null));
    assertThrows(NullPointerException.class, () -> FdStreams.source((ByteDescriptor) null));
    assertThrows(NullPointerException.class, () -> FdStreams.socketFlow(null, false, Optional.empty()));
    assertThrows(NullPointerException.class, () -> FdStreams.flow(null, false, Optional.empty()));
    assertThrows(NullPointerException.class, () -> ByteDescriptor.borrowed(null));
    assertThrows(NullPointerException.class, () -> ByteDescriptor.socket(null));
  }

  /** A descriptor whose every read and write throws, as a buggy plug-in might. */
  private static ByteDescriptor dataCallsThrow(FileDescriptor fd) {
    return new ByteDescriptor() {
      @Override
      public FileDescriptor descriptor() {
        return fd;
      }

      @Override
      public int read(long address, int length) {
        throw new IllegalStateException("read failed on purpose");
      }

      @Override
      public int write(long address, int length) {
        throw new IllegalStateException("write failed on purpose");
      }

      @Override
      public int write(byte[] array, int offset, int length) {
        throw new IllegalStateException("write failed on purpose");
      }
    };
  }

  @Test
  void aSinkWhoseWriteThrowsFailsItsResultWithTheCause() throws Exception {
    FileDescriptor[] pipe = Descriptors.pipe();
    try {
      CompletionStage<IOResult> written =
          Source.single(ByteString.fromString("hello")).runWith(FdStreams.sink(dataCallsThrow(pipe[1])), system);
      ExecutionException e = assertThrows(ExecutionException.class, () -> await(written));
      assertEquals("write failed on purpose", e.getCause().getMessage(), e.toString());
      assertFalse(pipe[1].isOpen(), "the stream closed its descriptor");
    } finally {
      pipe[0].close();
      pipe[1].close();
    }
  }

  @Test
  void aSourceWhoseReadThrowsFailsItsResultWithTheCause() throws Exception {
    FileDescriptor[] pipe = Descriptors.pipe();
    try {
      CompletionStage<IOResult> read =
          FdStreams.source(dataCallsThrow(pipe[0])).toMat(Sink.ignore(), Keep.left()).run(system);
      ExecutionException e = assertThrows(ExecutionException.class, () -> await(read));
      assertEquals("read failed on purpose", e.getCause().getMessage(), e.toString());
    } finally {
      pipe[0].close();
      pipe[1].close();
    }
  }
}
