/*
 * datagram.c - JNI glue for UDP (src/datagram.c). A batch crosses as the native address
 * of a kq_dgram array Java fills and reads in place (io.pekkokq.sys.DatagramBatch), so a
 * receive or send of many datagrams is one JNI call with no array copied and no object
 * made; a multicast group crosses as a kq_addr record, as for bind.
 */
#include "glue.h"

jint kq_jni_sizeofDgram0(JNIEnv *env, jclass cls) {
  (void)env, (void)cls;
  return (jint)sizeof(kq_dgram);
}

jint kq_jni_socketUdp0(JNIEnv *env, jclass cls, jint family) {
  (void)env, (void)cls;
  return kq_socket_udp(family);
}

jint kq_jni_dgramDisconnect0(JNIEnv *env, jclass cls, jint fd) {
  (void)env, (void)cls;
  return kq_dgram_disconnect(fd);
}

jint kq_jni_dgramRecv0(JNIEnv *env, jclass cls, jint fd, jlong msgs, jint max) {
  (void)env, (void)cls;
  return kq_dgram_recv(fd, (kq_dgram *)KQ_JNI_PTR(msgs), max);
}

jint kq_jni_dgramSend0(JNIEnv *env, jclass cls, jint fd, jlong msgs, jint max) {
  (void)env, (void)cls;
  return kq_dgram_send(fd, (kq_dgram *)KQ_JNI_PTR(msgs), max);
}

jint kq_jni_dgramSetOption0(JNIEnv *env, jclass cls, jint fd, jint option, jint value) {
  (void)env, (void)cls;
  return kq_dgram_set_option(fd, option, value);
}

jint kq_jni_dgramGetOption0(JNIEnv *env, jclass cls, jint fd, jint option, jintArray out) {
  int value = 0, r;
  (void)cls;
  if (out == NULL || (*env)->GetArrayLength(env, out) < 1) return -EINVAL;
  if ((r = kq_dgram_get_option(fd, option, &value)) < 0) return r;
  (*env)->SetIntArrayRegion(env, out, 0, 1, (const jint *)&value);
  return 0;
}

jint kq_jni_dgramMembership0(JNIEnv *env, jclass cls, jint fd, jbyteArray group, jint ifindex,
                             jboolean join) {
  kq_addr a;
  int r = kq_jni_addr_in(env, group, &a);
  (void)cls;
  return r < 0 ? r : kq_dgram_membership(fd, &a, ifindex, join ? 1 : 0);
}
