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
  private final ByteDescriptor descriptor;

  ByteDescriptorChannel(ByteDescriptor descriptor) {
    this.descriptor = descriptor;
  }

  @Override
  public FileDescriptor descriptor() {
    return descriptor.descriptor();
  }

  @Override
  public int read(NativeBuffer into, int length) {
    return descriptor.read(into.address, length);
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
