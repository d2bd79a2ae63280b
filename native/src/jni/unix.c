/*
 * unix.c - JNI glue for Unix domain sockets. A name crosses as a byte[] holding exactly
 * its bytes (an abstract name's leading NUL included), copied to and from a stack buffer
 * larger than any sun_path, so a name too long for the kernel is -ENAMETOOLONG from C
 * like every other error, never a truncation. Credentials cross as an int[3].
 */
#include "glue.h"

/* Larger than sun_path on every supported kernel (108 bytes at most). */
#define KQ_JNI_UNIX_NAME_CAP 256

/* Copies a name into buf: 0 and its length in *len, or -errno. */
static int kq_jni_name_in(JNIEnv *env, jbyteArray array, char *buf, size_t *len) {
  jsize n;
  if (array == NULL) return -EINVAL;
  n = (*env)->GetArrayLength(env, array);
  if ((size_t)n > KQ_JNI_UNIX_NAME_CAP) return -ENAMETOOLONG;
  (*env)->GetByteArrayRegion(env, array, 0, n, (jbyte *)buf);
  *len = (size_t)n;
  return 0;
}

jint kq_jni_unixNameMax0(JNIEnv *env, jclass cls) {
  (void)env, (void)cls;
  return kq_unix_name_max();
}

jint kq_jni_socketUnix0(JNIEnv *env, jclass cls) {
  (void)env, (void)cls;
  return kq_socket_unix();
}

/* Copies the name in, then makes one call on (fd, name): bind or connect. */
static jint kq_jni_name_call(JNIEnv *env, jint fd, jbyteArray name,
                             int (*call)(kq_fd, const void *, size_t)) {
  char buf[KQ_JNI_UNIX_NAME_CAP];
  size_t len = 0;
  int r = kq_jni_name_in(env, name, buf, &len);
  return r < 0 ? r : call(fd, buf, len);
}

jint kq_jni_socketBindUnix0(JNIEnv *env, jclass cls, jint fd, jbyteArray name) {
  (void)cls;
  return kq_jni_name_call(env, fd, name, kq_socket_bind_unix);
}

jint kq_jni_socketConnectUnix0(JNIEnv *env, jclass cls, jint fd, jbyteArray name) {
  (void)cls;
  return kq_jni_name_call(env, fd, name, kq_socket_connect_unix);
}

static jint kq_jni_name_query(JNIEnv *env, jint fd, jbyteArray out,
                              int (*query)(kq_fd, void *, size_t)) {
  char buf[KQ_JNI_UNIX_NAME_CAP];
  int n;
  if (out == NULL) return -EINVAL;
  if ((n = query(fd, buf, sizeof buf)) < 0) return n;
  if ((*env)->GetArrayLength(env, out) < n) return -ENOBUFS;
  (*env)->SetByteArrayRegion(env, out, 0, n, (const jbyte *)buf);
  return n;
}

jint kq_jni_socketLocalUnix0(JNIEnv *env, jclass cls, jint fd, jbyteArray out) {
  (void)cls;
  return kq_jni_name_query(env, fd, out, kq_socket_local_unix);
}

jint kq_jni_socketPeerUnix0(JNIEnv *env, jclass cls, jint fd, jbyteArray out) {
  (void)cls;
  return kq_jni_name_query(env, fd, out, kq_socket_peer_unix);
}

jint kq_jni_socketPeerCred0(JNIEnv *env, jclass cls, jint fd, jintArray out) {
  kq_peer_cred cred;
  int r;
  (void)cls;
  if (out == NULL || (*env)->GetArrayLength(env, out) < 3) return -EINVAL;
  if ((r = kq_socket_peer_cred(fd, &cred)) < 0) return r;
  jint values[3] = {cred.pid, (jint)cred.uid, (jint)cred.gid}; /* ids: Java reads unsigned */
  (*env)->SetIntArrayRegion(env, out, 0, 3, values);
  return 0;
}

jint kq_jni_unixUnlink0(JNIEnv *env, jclass cls, jbyteArray name) {
  char buf[KQ_JNI_UNIX_NAME_CAP];
  size_t len = 0;
  int r = kq_jni_name_in(env, name, buf, &len);
  (void)cls;
  return r < 0 ? r : kq_unix_unlink(buf, len);
}
