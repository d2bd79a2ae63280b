package io.pekkokq.socket;

import io.pekkokq.runtime.NativeBuffer;
import io.pekkokq.sys.FileDescriptor;
import io.pekkokq.sys.IoVectorArray;

/** INTERNAL API. {@link Channel} over a plain descriptor: the system calls themselves. */
class DescriptorChannel implements Channel {
  final FileDescriptor fd;

  DescriptorChannel(FileDescriptor fd) {
    this.fd = fd;
  }

  @Override
  public FileDescriptor descriptor() {
    return fd;
  }

  @Override
  public int read(byte[] array, int offset, int length) {
    return fd.read(array, offset, length);
  }

  @Override
  public int write(NativeBuffer from, int length) {
    return fd.write(from.address, length);
  }

  @Override
  public int write(byte[] array, int offset, int length) {
    return fd.write(array, offset, length);
  }

  @Override
  public long writev(NativeBuffer[] from, int[] lengths, int count, IoVectorArray vectors) {
    vectors.clear();
    for (int i = 0; i < count; i++) vectors.add(from[i].address, lengths[i]);
    return fd.writev(vectors.address(), count);
  }

  @Override
  public boolean shutdownOutput() throws java.io.IOException {
    return false;
  }

  @Override
  public void abort() {
    close();
  }

  @Override
  public void close() {
    fd.close();
  }

  @Override
  public boolean isOpen() {
    return fd.isOpen();
  }

  @Override
  public String toString() {
    return fd.toString();
  }
}
