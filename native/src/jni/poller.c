/*
 * poller.c - JNI glue for kq_poller_*: a poller travels through Java as a jlong
 * holding its address; 0 (a closed or never-opened poller) is -EINVAL, never a crash.
 */
#include "glue.h"

#define KQ_JNI_POLLER(x) ((kq_poller *)KQ_JNI_PTR(x))

jlong kq_jni_pollerOpen0(JNIEnv *env, jclass cls, jint max_events) {
  kq_poller *p = NULL;
  int r = kq_poller_open(&p, max_events);
  (void)env, (void)cls;
  return r < 0 ? (jlong)r : (jlong)(intptr_t)p;
}

jint kq_jni_pollerClose0(JNIEnv *env, jclass cls, jlong poller) {
  (void)env, (void)cls;
  return kq_poller_close(KQ_JNI_POLLER(poller));
}

jint kq_jni_pollerAdd0(JNIEnv *env, jclass cls, jlong poller, jint fd, jlong token,
                       jint interest) {
  (void)env, (void)cls;
  return kq_poller_add(KQ_JNI_POLLER(poller), fd, (uint64_t)token, interest);
}

jint kq_jni_pollerModify0(JNIEnv *env, jclass cls, jlong poller, jint fd, jlong token,
                          jint interest) {
  (void)env, (void)cls;
  return kq_poller_modify(KQ_JNI_POLLER(poller), fd, (uint64_t)token, interest);
}

jint kq_jni_pollerDelete0(JNIEnv *env, jclass cls, jlong poller, jint fd) {
  (void)env, (void)cls;
  return kq_poller_delete(KQ_JNI_POLLER(poller), fd);
}

/* The hot path: one call per batch, events written in place into Java's direct buffer. */
jint kq_jni_pollerWait0(JNIEnv *env, jclass cls, jlong poller, jlong events, jint max,
                        jint timeout_ms) {
  (void)env, (void)cls;
  return kq_poller_wait(KQ_JNI_POLLER(poller), (kq_event *)KQ_JNI_PTR(events), max, timeout_ms);
}

jint kq_jni_pollerWake0(JNIEnv *env, jclass cls, jlong poller) {
  (void)env, (void)cls;
  return kq_poller_wake(KQ_JNI_POLLER(poller));
}

jint kq_jni_pollerSetTimer0(JNIEnv *env, jclass cls, jlong poller, jlong delay_ns) {
  (void)env, (void)cls;
  return kq_poller_set_timer(KQ_JNI_POLLER(poller), (int64_t)delay_ns);
}

jint kq_jni_pollerWatchSignals0(JNIEnv *env, jclass cls, jlong poller) {
  (void)env, (void)cls;
  return kq_poller_watch_signals(KQ_JNI_POLLER(poller));
}
