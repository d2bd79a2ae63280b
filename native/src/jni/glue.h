/*
 * glue.h - the JNI skin's private header: the kq_jni_* natives of
 * io.pekkokq.sys.Native, defined in poller.c, socket.c, unix.c, datagram.c and onload.c and registered
 * from the one table at the end of onload.c.
 *
 * Rules for every native here: unpack the Java arguments, call one kq_* function,
 * return its result. No exceptions are thrown (the -errno rule of kq.h); bad
 * arguments (a null array, a zero pointer) are -EINVAL, never a crash; no allocation
 * and no JNI reference on the read/write/wait paths.
 */
#ifndef KQ_JNI_GLUE_H
#define KQ_JNI_GLUE_H

#include <errno.h>
#include <stdint.h>
#ifdef _WIN32
/* The Windows build uses OpenJDK's Unix jni_md.h (see the Makefile), which defines
 * JNIEXPORT only when it is not defined yet: export JNI_OnLoad the Windows way, the one
 * symbol the DLL exports. */
#define JNIEXPORT __declspec(dllexport)
#endif
#include <jni.h>

#include "kq.h"

/*
 * Descriptors cross as jint. On Windows a kq_fd is a SOCKET: a kernel handle, which
 * Windows documents as fitting 32 bits (64-bit Windows keeps handles sign-extendable
 * from 32 bits for 32-bit interop), so the jint holds it whole and the implicit
 * conversions back to kq_fd sign-extend it.
 */
/* A Java long holding a native address. */
#define KQ_JNI_PTR(x) ((void *)(intptr_t)(x))

/* Copies a Java address record into *a: 0, or -EINVAL for null or a wrong length. */
static inline int kq_jni_addr_in(JNIEnv *env, jbyteArray array, kq_addr *a) {
  if (array == NULL || (*env)->GetArrayLength(env, array) != (jsize)sizeof *a) return -EINVAL;
  (*env)->GetByteArrayRegion(env, array, 0, (jsize)sizeof *a, (jbyte *)a);
  return 0;
}

/* poller.c */
jlong kq_jni_pollerOpen0(JNIEnv *env, jclass cls, jint max_events);
jint kq_jni_pollerClose0(JNIEnv *env, jclass cls, jlong poller);
jint kq_jni_pollerAdd0(JNIEnv *env, jclass cls, jlong poller, jint fd, jlong token, jint interest);
jint kq_jni_pollerModify0(JNIEnv *env, jclass cls, jlong poller, jint fd, jlong token,
                          jint interest);
jint kq_jni_pollerDelete0(JNIEnv *env, jclass cls, jlong poller, jint fd);
jint kq_jni_pollerWait0(JNIEnv *env, jclass cls, jlong poller, jlong events, jint max,
                        jint timeout_ms);
jint kq_jni_pollerWake0(JNIEnv *env, jclass cls, jlong poller);
jint kq_jni_pollerSetTimer0(JNIEnv *env, jclass cls, jlong poller, jlong delay_ns);
jint kq_jni_pollerWatchSignals0(JNIEnv *env, jclass cls, jlong poller);

/* socket.c */
jint kq_jni_socketTcp0(JNIEnv *env, jclass cls, jint family);
jint kq_jni_socketBind0(JNIEnv *env, jclass cls, jint fd, jbyteArray address);
jint kq_jni_socketListen0(JNIEnv *env, jclass cls, jint fd, jint backlog);
jint kq_jni_socketAccept0(JNIEnv *env, jclass cls, jint fd, jlong fds, jint max);
jint kq_jni_socketConnect0(JNIEnv *env, jclass cls, jint fd, jbyteArray address);
jint kq_jni_socketFinishConnect0(JNIEnv *env, jclass cls, jint fd);
jint kq_jni_socketLocalAddress0(JNIEnv *env, jclass cls, jint fd, jbyteArray out);
jint kq_jni_socketPeerAddress0(JNIEnv *env, jclass cls, jint fd, jbyteArray out);
jint kq_jni_socketShutdown0(JNIEnv *env, jclass cls, jint fd, jint how);
jint kq_jni_socketSetOption0(JNIEnv *env, jclass cls, jint fd, jint option, jint value);
jint kq_jni_socketGetOption0(JNIEnv *env, jclass cls, jint fd, jint option, jintArray out);
jint kq_jni_read0(JNIEnv *env, jclass cls, jint fd, jlong address, jint length);
jint kq_jni_write0(JNIEnv *env, jclass cls, jint fd, jlong address, jint length);
jlong kq_jni_writev0(JNIEnv *env, jclass cls, jint fd, jlong iov, jint count);
jint kq_jni_writeArray0(JNIEnv *env, jclass cls, jint fd, jbyteArray array, jint offset,
                        jint length);
jint kq_jni_readArray0(JNIEnv *env, jclass cls, jint fd, jbyteArray array, jint offset,
                       jint length);
jlong kq_jni_sendfile0(JNIEnv *env, jclass cls, jint out_fd, jint in_fd, jlong offset,
                       jlong count);
jint kq_jni_close0(JNIEnv *env, jclass cls, jint fd);
jint kq_jni_pipe0(JNIEnv *env, jclass cls, jintArray fds);
jint kq_jni_fileOpenRead0(JNIEnv *env, jclass cls, jstring path);
jint kq_jni_setNonBlocking0(JNIEnv *env, jclass cls, jint fd, jboolean on);

/* unix.c */
jint kq_jni_unixNameMax0(JNIEnv *env, jclass cls);
jint kq_jni_socketUnix0(JNIEnv *env, jclass cls);
jint kq_jni_socketBindUnix0(JNIEnv *env, jclass cls, jint fd, jbyteArray name);
jint kq_jni_socketConnectUnix0(JNIEnv *env, jclass cls, jint fd, jbyteArray name);
jint kq_jni_socketLocalUnix0(JNIEnv *env, jclass cls, jint fd, jbyteArray out);
jint kq_jni_socketPeerUnix0(JNIEnv *env, jclass cls, jint fd, jbyteArray out);
jint kq_jni_socketPeerCred0(JNIEnv *env, jclass cls, jint fd, jintArray out);
jint kq_jni_unixUnlink0(JNIEnv *env, jclass cls, jbyteArray name);

/* datagram.c */
jint kq_jni_sizeofDgram0(JNIEnv *env, jclass cls);
jint kq_jni_socketUdp0(JNIEnv *env, jclass cls, jint family);
jint kq_jni_dgramDisconnect0(JNIEnv *env, jclass cls, jint fd);
jint kq_jni_dgramRecv0(JNIEnv *env, jclass cls, jint fd, jlong msgs, jint max);
jint kq_jni_dgramSend0(JNIEnv *env, jclass cls, jint fd, jlong msgs, jint max);
jint kq_jni_dgramSetOption0(JNIEnv *env, jclass cls, jint fd, jint option, jint value);
jint kq_jni_dgramGetOption0(JNIEnv *env, jclass cls, jint fd, jint option, jintArray out);
jint kq_jni_dgramMembership0(JNIEnv *env, jclass cls, jint fd, jbyteArray group, jint ifindex,
                             jboolean join);

#endif /* KQ_JNI_GLUE_H */
