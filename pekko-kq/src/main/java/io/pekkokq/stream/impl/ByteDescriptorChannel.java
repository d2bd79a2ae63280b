package io.pekkokq.stream.impl;

import io.pekkokq.runtime.NativeBuffer;
import io.pekkokq.socket.Channel;
import io.pekkokq.stream.ByteDescriptor;
import io.pekkokq.sys.FileDescriptor;
import io.pekkokq.sys.IoVectorArray;
import java.io.IOException;

/**
 * INTERNAL API. A plugged-in {@link ByteDescriptor} as the socket driver's {@link
 * Channel}: every call goes through the plug-in's own methods, so whatever it overrides
 * is honoured. It does not gather (a plug-in has no writev), so the driver writes one
 * buffer per call.
 */
final class ByteDescriptorChannel implements Channel {
  /**
   * Whether a plug-in class's reads may go straight into an array: it overrides the array
   * read, or it keeps the default address read (so both reach the same descriptor). Asked
   * once per class, not per connection.
   */
  private static final ClassValue<Boolean> READS_ARRAYS =
      new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
          return declaredOutside(type, "read", byte[].class, int.class, int.class)
              || !declaredOutside(type, "read", long.class, int.class);
        }
      };

  private final ByteDescriptor descriptor;
  private final boolean readsArrays;
  /** Native memory for {@link #readStaged}, made on its first use only. */
  private NativeBuffer staging;

  ByteDescriptorChannel(ByteDescriptor descriptor) {
    this.descriptor = descriptor;
    this.readsArrays = READS_ARRAYS.get(descriptor.getClass());
  }

  /** Whether {@code type}'s public method is declared somewhere other than ByteDescriptor. */
  private static boolean declaredOutside(Class<?> type, String name, Class<?>... parameters) {
    try {
      return type.getMethod(name, parameters).getDeclaringClass() != ByteDescriptor.class;
    } catch (NoSuchMethodException e) {
      return false; // not reached: ByteDescriptor declares both
    }
  }

  @Override
  public FileDescriptor descriptor() {
    return descriptor.descriptor();
  }

  @Override
  public int read(byte[] array, int offset, int length) {
    if (readsArrays) return descriptor.read(array, offset, length);
    return readStaged(array, offset, length);
  }

  /** A plug-in with only its own address read: into native memory, then into the array. */
  private int readStaged(byte[] array, int offset, int length) {
    if (staging == null || staging.capacity() < length) staging = new NativeBuffer(length);
    int n = descriptor.read(staging.address, length);
    if (n > 0) staging.buffer.get(0, array, offset, n);
    return n;
  }

  @Override
  public int write(NativeBuffer from, int length) {
    return descriptor.write(from.address, length);
  }

  @Override
  public int write(byte[] array, int offset, int length) {
    return descriptor.write(array, offset, length);
  }

  @Override
  public boolean gathers() {
    return false;
  }

  @Override
  public long writev(NativeBuffer[] from, int[] lengths, int count, IoVectorArray vectors) {
    return descriptor.write(from[0].address, lengths[0]); // not reached: gathers() is false
  }

  @Override
  public boolean shutdownOutput() throws IOException {
    return descriptor.shutdownOutput();
  }

  @Override
  public void abort() {
    descriptor.abort();
  }

  @Override
  public void close() {
    descriptor.close();
  }

  @Override
  public boolean isOpen() {
    return descriptor.descriptor().isOpen();
  }

  @Override
  public String toString() {
    return descriptor.toString();
  }
}
