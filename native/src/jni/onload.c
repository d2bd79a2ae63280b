/*
 * onload.c - JNI_OnLoad and the one table that binds every native method of
 * io.pekkokq.sys.Native to its kq_jni_* function, plus the few natives that are not
 * about pollers or sockets (layout, errno values, strerror, signals).
 *
 * Why RegisterNatives and not Java_io_pekkokq_... symbols: the library exports only
 * JNI_OnLoad (-fvisibility=hidden), a signature mismatch fails at load time with a
 * NoSuchMethodError naming the method instead of at first call, and nothing needs
 * the mangled names. Native has no static initialiser, so FindClass here cannot run a
 * native before it is registered (the cycle Netty's *StaticallyReferencedJniMethods
 * classes exist for).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glue.h"
#include "internal.h"

#define KQ_JNI_CLASS "io/pekkokq/sys/Native"

/* ---- layout and errno ------------------------------------------------------------ */

static jint kq_jni_sizeofEvent0(JNIEnv *env, jclass cls) {
  (void)env, (void)cls;
  return (jint)sizeof(kq_event);
}

static jint kq_jni_sizeofAddr0(JNIEnv *env, jclass cls) {
  (void)env, (void)cls;
  return (jint)sizeof(kq_addr);
}

static jstring kq_jni_backendName0(JNIEnv *env, jclass cls) {
  (void)cls;
  return (*env)->NewStringUTF(env, kq_backend_name());
}

/* IMPORTANT: indexed by io.pekkokq.sys.Errno's ids; append only, never reorder. */
static const int kq_jni_errnos[] = {
    EAGAIN,       EINPROGRESS, ECONNREFUSED, EADDRINUSE, EBADF,        EPIPE,
    ECONNRESET,   ETIMEDOUT,   ENOTCONN,     EINVAL,     EPERM,        EADDRNOTAVAIL,
    ENETUNREACH,  EHOSTUNREACH, EBUSY,       EMFILE,     ENFILE,       ENOENT,
    EACCES,       EALREADY,    EISCONN,      ECONNABORTED, ENOBUFS,    ENOMEM,
    EINTR,        EOPNOTSUPP,  EAFNOSUPPORT, ENOTSOCK,   EISDIR,
    ENAMETOOLONG, ENOTDIR,     ELOOP,        EROFS,        EMSGSIZE,     ENOPROTOOPT,
};

static jint kq_jni_errnoConstant0(JNIEnv *env, jclass cls, jint id) {
  (void)env, (void)cls;
  if (id < 0 || (size_t)id >= sizeof kq_jni_errnos / sizeof kq_jni_errnos[0]) return -EINVAL;
  return kq_jni_errnos[id];
}

#ifndef _WIN32
/*
 * strerror_r(3) comes in two shapes: XSI returns int and fills buf, GNU (glibc with
 * _GNU_SOURCE) returns a char * that may not be buf. _Generic picks the matching
 * adapter from the return type, with no #ifdef on the C library.
 */
static const char *kq_jni_strerror_gnu(char *msg, char *buf) {
  (void)buf;
  return msg;
}

static const char *kq_jni_strerror_xsi(int rc, char *buf) { return rc == 0 ? buf : NULL; }
#endif

#ifdef _WIN32
/*
 * Windows: the C runtime's strerror knows the ISO C errnos only; the socket ones that
 * src/windows/socket.c returns (mingw-w64's numbers from 100 on) are named here.
 */
static const char *kq_jni_strerror_win(int err, char *buf, size_t len) {
  switch (err) {
  case EINPROGRESS: return "Operation now in progress";
  case ECONNREFUSED: return "Connection refused";
  case EADDRINUSE: return "Address already in use";
  case ECONNRESET: return "Connection reset by peer";
  case ETIMEDOUT: return "Connection timed out";
  case ENOTCONN: return "Transport endpoint is not connected";
  case EADDRNOTAVAIL: return "Cannot assign requested address";
  case ENETUNREACH: return "Network is unreachable";
  case EHOSTUNREACH: return "No route to host";
  case EALREADY: return "Operation already in progress";
  case EISCONN: return "Transport endpoint is already connected";
  case ECONNABORTED: return "Software caused connection abort";
  case ENOBUFS: return "No buffer space available";
  case EOPNOTSUPP: return "Operation not supported on this platform";
  case EAFNOSUPPORT: return "Address family not supported by protocol";
  case ENOTSOCK: return "Socket operation on non-socket";
  case ELOOP: return "Too many levels of symbolic links";
  case EMSGSIZE: return "Message too long";
  case ENETDOWN: return "Network is down";
  case ENETRESET: return "Network dropped connection on reset";
  case ENOPROTOOPT: return "Protocol not available";
  default: return strerror_s(buf, len, err) == 0 ? buf : NULL;
  }
}
#define KQ_JNI_STRERROR(err, buf, len) kq_jni_strerror_win((err), (buf), (len))
#else
#define KQ_JNI_STRERROR(err, buf, len)                                                     \
  _Generic(strerror_r((err), (buf), (len)), char *: kq_jni_strerror_gnu,                   \
           int: kq_jni_strerror_xsi)(strerror_r((err), (buf), (len)), (buf))
#endif

static jstring kq_jni_strerror0(JNIEnv *env, jclass cls, jint err) {
  char buf[256];
  const char *msg;
  (void)cls;
  buf[0] = '\0';
  msg = KQ_JNI_STRERROR(err < 0 ? -err : err, buf, sizeof buf);
  if (msg == NULL || msg[0] == '\0') {
    snprintf(buf, sizeof buf, "Unknown error %d", (int)err);
    msg = buf;
  }
  return (*env)->NewStringUTF(env, msg);
}

static jlong kq_jni_directBufferAddress0(JNIEnv *env, jclass cls, jobject buffer) {
  void *address;
  (void)cls;
  if (buffer == NULL) return -EINVAL;
  address = (*env)->GetDirectBufferAddress(env, buffer);
  return address == NULL ? -EINVAL : (jlong)(intptr_t)address;
}

/* ---- signals --------------------------------------------------------------------- */

static jint kq_jni_signalNumber0(JNIEnv *env, jclass cls, jstring name) {
  const char *chars;
  int r;
  (void)cls;
  if (name == NULL) return -EINVAL;
  if ((chars = (*env)->GetStringUTFChars(env, name, NULL)) == NULL) {
    (*env)->ExceptionClear(env); /* OutOfMemoryError: reported as -ENOMEM instead */
    return -ENOMEM;
  }
  r = kq_signal_number(chars);
  (*env)->ReleaseStringUTFChars(env, name, chars);
  return r;
}

static jint kq_jni_signalSubscribe0(JNIEnv *env, jclass cls, jint signo) {
  (void)env, (void)cls;
  return kq_signal_subscribe(signo);
}

static jint kq_jni_signalUnsubscribe0(JNIEnv *env, jclass cls, jint signo) {
  (void)env, (void)cls;
  return kq_signal_unsubscribe(signo);
}

static jint kq_jni_signalIsRefused0(JNIEnv *env, jclass cls, jint signo) {
  (void)env, (void)cls;
  return kq_signal_is_refused(signo);
}

/* ---- JNI method table -------------------------------------------------------------- */

#define KQ_JNI_METHOD(name, sig) {#name, sig, (void *)kq_jni_##name}

/* Every native of io.pekkokq.sys.Native, in the order of Native.java. */
static const JNINativeMethod kq_jni_methods[] = {
    KQ_JNI_METHOD(sizeofEvent0, "()I"),
    KQ_JNI_METHOD(sizeofAddr0, "()I"),
    KQ_JNI_METHOD(backendName0, "()Ljava/lang/String;"),
    KQ_JNI_METHOD(errnoConstant0, "(I)I"),
    KQ_JNI_METHOD(strerror0, "(I)Ljava/lang/String;"),
    KQ_JNI_METHOD(directBufferAddress0, "(Ljava/nio/ByteBuffer;)J"),
    KQ_JNI_METHOD(signalNumber0, "(Ljava/lang/String;)I"),
    KQ_JNI_METHOD(pollerOpen0, "(I)J"),
    KQ_JNI_METHOD(pollerClose0, "(J)I"),
    KQ_JNI_METHOD(pollerAdd0, "(JIJI)I"),
    KQ_JNI_METHOD(pollerModify0, "(JIJI)I"),
    KQ_JNI_METHOD(pollerDelete0, "(JI)I"),
    KQ_JNI_METHOD(pollerWait0, "(JJII)I"),
    KQ_JNI_METHOD(pollerWake0, "(J)I"),
    KQ_JNI_METHOD(pollerSetTimer0, "(JJ)I"),
    KQ_JNI_METHOD(pollerWatchSignals0, "(J)I"),
    KQ_JNI_METHOD(signalSubscribe0, "(I)I"),
    KQ_JNI_METHOD(signalUnsubscribe0, "(I)I"),
    KQ_JNI_METHOD(signalIsRefused0, "(I)I"),
    KQ_JNI_METHOD(socketTcp0, "(I)I"),
    KQ_JNI_METHOD(socketBind0, "(I[B)I"),
    KQ_JNI_METHOD(socketListen0, "(II)I"),
    KQ_JNI_METHOD(socketAccept0, "(IJI)I"),
    KQ_JNI_METHOD(socketConnect0, "(I[B)I"),
    KQ_JNI_METHOD(socketFinishConnect0, "(I)I"),
    KQ_JNI_METHOD(socketLocalAddress0, "(I[B)I"),
    KQ_JNI_METHOD(socketPeerAddress0, "(I[B)I"),
    KQ_JNI_METHOD(socketShutdown0, "(II)I"),
    KQ_JNI_METHOD(socketSetOption0, "(III)I"),
    KQ_JNI_METHOD(socketGetOption0, "(II[I)I"),
    KQ_JNI_METHOD(read0, "(IJI)I"),
    KQ_JNI_METHOD(write0, "(IJI)I"),
    KQ_JNI_METHOD(writev0, "(IJI)J"),
    KQ_JNI_METHOD(writeArray0, "(I[BII)I"),
    KQ_JNI_METHOD(readArray0, "(I[BII)I"),
    KQ_JNI_METHOD(sendfile0, "(IIJJ)J"),
    KQ_JNI_METHOD(close0, "(I)I"),
    KQ_JNI_METHOD(pipe0, "([I)I"),
    KQ_JNI_METHOD(fileOpenRead0, "(Ljava/lang/String;)I"),
    KQ_JNI_METHOD(setNonBlocking0, "(IZ)I"),
    KQ_JNI_METHOD(unixNameMax0, "()I"),
    KQ_JNI_METHOD(socketUnix0, "()I"),
    KQ_JNI_METHOD(socketBindUnix0, "(I[B)I"),
    KQ_JNI_METHOD(socketConnectUnix0, "(I[B)I"),
    KQ_JNI_METHOD(socketLocalUnix0, "(I[B)I"),
    KQ_JNI_METHOD(socketPeerUnix0, "(I[B)I"),
    KQ_JNI_METHOD(socketPeerCred0, "(I[I)I"),
    KQ_JNI_METHOD(unixUnlink0, "([B)I"),
    KQ_JNI_METHOD(sizeofDgram0, "()I"),
    KQ_JNI_METHOD(socketUdp0, "(I)I"),
    KQ_JNI_METHOD(dgramDisconnect0, "(I)I"),
    KQ_JNI_METHOD(dgramRecv0, "(IJI)I"),
    KQ_JNI_METHOD(dgramSend0, "(IJI)I"),
    KQ_JNI_METHOD(dgramSetOption0, "(III)I"),
    KQ_JNI_METHOD(dgramGetOption0, "(II[I)I"),
    KQ_JNI_METHOD(dgramMembership0, "(I[BIZ)I"),
};

/* Native.java declares 56 natives: a forgotten row would only fail at first call. */
_Static_assert(sizeof kq_jni_methods / sizeof kq_jni_methods[0] == 56,
               "kq_jni_methods must list every native of io.pekkokq.sys.Native");

/*
 * Registers the table. On failure the NoSuchMethodError (or NoClassDefFoundError) is
 * left pending, so System.load throws it with the name of the culprit, and a partial
 * registration is undone first (RegisterNatives may have bound some rows).
 */
JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
  JNIEnv *env = NULL;
  jclass cls;
  (void)reserved;
  if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
  if ((cls = (*env)->FindClass(env, KQ_JNI_CLASS)) == NULL) return JNI_ERR;
  if ((*env)->RegisterNatives(env, cls, kq_jni_methods,
                              (jint)(sizeof kq_jni_methods / sizeof kq_jni_methods[0])) != 0) {
    jthrowable cause = (*env)->ExceptionOccurred(env);
    (*env)->ExceptionClear(env); /* UnregisterNatives may not run with one pending */
    (*env)->UnregisterNatives(env, cls);
    if (cause != NULL) {
      (*env)->Throw(env, cause);
      (*env)->DeleteLocalRef(env, cause);
    }
    (*env)->DeleteLocalRef(env, cls);
    return JNI_ERR;
  }
  (*env)->DeleteLocalRef(env, cls);
  return JNI_VERSION_1_8;
}
