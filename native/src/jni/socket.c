/*
 * socket.c - JNI glue for sockets and descriptors. Addresses cross as the 24-byte
 * kq_addr record in a byte[] copied to and from a stack kq_addr (no pinning, no
 * allocation); buffers and iovec arrays cross as native addresses in jlongs.
 */
#include "glue.h"

static int kq_jni_addr_out_ok(JNIEnv *env, jbyteArray array) {
  return array != NULL && (*env)->GetArrayLength(env, array) == (jsize)sizeof(kq_addr);
}

jint kq_jni_socketTcp0(JNIEnv *env, jclass cls, jint family) {
  (void)env, (void)cls;
  return kq_socket_tcp(family);
}

jint kq_jni_socketBind0(JNIEnv *env, jclass cls, jint fd, jbyteArray address) {
  kq_addr a;
  int r = kq_jni_addr_in(env, address, &a);
  (void)cls;
  return r < 0 ? r : kq_socket_bind(fd, &a);
}

jint kq_jni_socketListen0(JNIEnv *env, jclass cls, jint fd, jint backlog) {
  (void)env, (void)cls;
  return kq_socket_listen(fd, backlog);
}

jint kq_jni_socketAccept0(JNIEnv *env, jclass cls, jint fd, jlong fds, jint max) {
  (void)env, (void)cls;
#ifdef _WIN32
  /* Java's array holds ints; kq_fd is pointer-sized here (see glue.h). At most 64 per
   * call: a batch may always be smaller than asked. */
  kq_fd got[64];
  int *out = (int *)KQ_JNI_PTR(fds), n;
  if (out == NULL || max <= 0) return -EINVAL;
  n = kq_socket_accept(fd, got, max < 64 ? max : 64);
  for (int i = 0; i < n; i++) out[i] = (int)got[i];
  return n;
#else
  return kq_socket_accept(fd, (int *)KQ_JNI_PTR(fds), max);
#endif
}

jint kq_jni_socketConnect0(JNIEnv *env, jclass cls, jint fd, jbyteArray address) {
  kq_addr a;
  int r = kq_jni_addr_in(env, address, &a);
  (void)cls;
  return r < 0 ? r : kq_socket_connect(fd, &a);
}

jint kq_jni_socketFinishConnect0(JNIEnv *env, jclass cls, jint fd) {
  (void)env, (void)cls;
  return kq_socket_finish_connect(fd);
}

static jint kq_jni_addr_query(JNIEnv *env, jint fd, jbyteArray out,
                              int (*query)(kq_fd, kq_addr *)) {
  kq_addr a;
  int r;
  if (!kq_jni_addr_out_ok(env, out)) return -EINVAL;
  if ((r = query(fd, &a)) < 0) return r;
  (*env)->SetByteArrayRegion(env, out, 0, (jsize)sizeof a, (const jbyte *)&a);
  return 0;
}

jint kq_jni_socketLocalAddress0(JNIEnv *env, jclass cls, jint fd, jbyteArray out) {
  (void)cls;
  return kq_jni_addr_query(env, fd, out, kq_socket_local_addr);
}

jint kq_jni_socketPeerAddress0(JNIEnv *env, jclass cls, jint fd, jbyteArray out) {
  (void)cls;
  return kq_jni_addr_query(env, fd, out, kq_socket_peer_addr);
}

jint kq_jni_socketShutdown0(JNIEnv *env, jclass cls, jint fd, jint how) {
  (void)env, (void)cls;
  return kq_socket_shutdown(fd, how);
}

jint kq_jni_socketSetOption0(JNIEnv *env, jclass cls, jint fd, jint option, jint value) {
  (void)env, (void)cls;
  return kq_socket_set_option(fd, option, value);
}

jint kq_jni_socketGetOption0(JNIEnv *env, jclass cls, jint fd, jint option, jintArray out) {
  int value = 0, r;
  (void)cls;
  if (out == NULL || (*env)->GetArrayLength(env, out) < 1) return -EINVAL;
  if ((r = kq_socket_get_option(fd, option, &value)) < 0) return r;
  jint v = value;
  (*env)->SetIntArrayRegion(env, out, 0, 1, &v);
  return 0;
}

/* ---- byte I/O: the hot paths, no JNI calls at all ------------------------------- */

jint kq_jni_read0(JNIEnv *env, jclass cls, jint fd, jlong address, jint length) {
  (void)env, (void)cls;
  if (length < 0) return -EINVAL;
  return (jint)kq_read(fd, KQ_JNI_PTR(address), (size_t)length);
}

jint kq_jni_write0(JNIEnv *env, jclass cls, jint fd, jlong address, jint length) {
  (void)env, (void)cls;
  if (length < 0) return -EINVAL;
  return (jint)kq_write(fd, KQ_JNI_PTR(address), (size_t)length);
}

/*
 * Writes straight from a Java byte[] (a heap ByteString's array), saving the copy into a
 * direct buffer. The array is pinned only around one non-blocking write(2), which never
 * waits for another Java thread, and no JNI function is called while it is held.
 */
jint kq_jni_writeArray0(JNIEnv *env, jclass cls, jint fd, jbyteArray array, jint offset,
                        jint length) {
  (void)cls;
  if (array == NULL || offset < 0 || length < 0) return -EINVAL;
  jsize size = (*env)->GetArrayLength(env, array);
  if (offset > size - length) return -EINVAL;
  jbyte *bytes = (*env)->GetPrimitiveArrayCritical(env, array, NULL);
  if (bytes == NULL) return -ENOMEM; /* an OutOfMemoryError is pending */
  ssize_t n = kq_write(fd, bytes + offset, (size_t)length);
  (*env)->ReleasePrimitiveArrayCritical(env, array, bytes, JNI_ABORT); /* read only */
  return (jint)n;
}

/*
 * Reads straight into a Java byte[] that becomes the Received ByteString (no direct
 * buffer, no copy after the read). As writeArray0: the array is pinned only around one
 * non-blocking read(2), which never waits for another Java thread, and no JNI function is
 * called while it is held. Mode 0 on release: a JVM that gave a copy copies it back.
 */
jint kq_jni_readArray0(JNIEnv *env, jclass cls, jint fd, jbyteArray array, jint offset,
                       jint length) {
  (void)cls;
  if (array == NULL || offset < 0 || length < 0) return -EINVAL;
  jsize size = (*env)->GetArrayLength(env, array);
  if (offset > size - length) return -EINVAL;
  jbyte *bytes = (*env)->GetPrimitiveArrayCritical(env, array, NULL);
  if (bytes == NULL) return -ENOMEM; /* an OutOfMemoryError is pending */
  ssize_t n = kq_read(fd, bytes + offset, (size_t)length);
  (*env)->ReleasePrimitiveArrayCritical(env, array, bytes, 0);
  return (jint)n;
}

jlong kq_jni_writev0(JNIEnv *env, jclass cls, jint fd, jlong iov, jint count) {
  (void)env, (void)cls;
  return (jlong)kq_writev(fd, (const kq_iovec *)KQ_JNI_PTR(iov), count);
}

jlong kq_jni_sendfile0(JNIEnv *env, jclass cls, jint out_fd, jint in_fd, jlong offset,
                       jlong count) {
  (void)env, (void)cls;
  return (jlong)kq_sendfile(out_fd, in_fd, (int64_t)offset, (int64_t)count);
}

/* ---- descriptors ----------------------------------------------------------------- */

jint kq_jni_close0(JNIEnv *env, jclass cls, jint fd) {
  (void)env, (void)cls;
  return kq_close(fd);
}

jint kq_jni_pipe0(JNIEnv *env, jclass cls, jintArray fds) {
  kq_fd p[2];
  int r;
  (void)cls;
  if (fds == NULL || (*env)->GetArrayLength(env, fds) < 2) return -EINVAL;
  if ((r = kq_pipe(p)) < 0) return r;
  jint out[2] = {(jint)p[0], (jint)p[1]};
  (*env)->SetIntArrayRegion(env, fds, 0, 2, out);
  return 0;
}

jint kq_jni_fileOpenRead0(JNIEnv *env, jclass cls, jstring path) {
  const char *chars;
  int r;
  (void)cls;
  if (path == NULL) return -EINVAL;
  /* NULL means out of memory, with an OutOfMemoryError pending: clear it, the -errno
   * rule reports it. */
  if ((chars = (*env)->GetStringUTFChars(env, path, NULL)) == NULL) {
    (*env)->ExceptionClear(env);
    return -ENOMEM;
  }
  r = kq_file_open_read(chars);
  (*env)->ReleaseStringUTFChars(env, path, chars);
  return r;
}

jint kq_jni_setNonBlocking0(JNIEnv *env, jclass cls, jint fd, jboolean on) {
  (void)env, (void)cls;
  return kq_fd_set_nonblocking(fd, on == JNI_TRUE);
}
