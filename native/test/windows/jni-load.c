/*
 * jni-load.c - loads the shipped pekkokq.dll the way a JVM does (LoadLibrary, then
 * JNI_OnLoad) under wine, with a stand-in JavaVM and JNIEnv that implement only what
 * JNI_OnLoad and a few natives call, and then calls natives through the table the DLL
 * registered:
 *
 *   jni-load.exe <pekkokq.dll> <natives>   (make -C native check-wine-dll, cross/cross.mk)
 *
 * What it shows: the DLL's imports resolve, JNI_OnLoad is exported and registers every
 * native of io.pekkokq.sys.Native (<natives>: cross.mk counts the "static native"
 * declarations of Native.java, so a new native needs no edit here) for the class it
 * looks up, and natives run
 * through those pointers: layout sizes, errno and strerror, a poller woken and waited
 * on, a socket opened and closed, signals refused. What it cannot show: a real JVM on
 * Windows (no JDK for Windows runs here). Prints "jni-load: OK" last on success; the
 * runner script trusts that line, not wine's exit status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <jni.h>

#include "kq.h"

#define CHECK(cond)                                                                     \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      fprintf(stderr, "jni-load: %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      return 1;                                                                         \
    }                                                                                   \
  } while (0)

/* ---- the stand-in JVM ------------------------------------------------------------ */

static JNINativeMethod registered[128];
static jint registered_count;
static int native_class; /* FindClass's answer: any non-null handle */

static jclass JNICALL find_class(JNIEnv *env, const char *name) {
  (void)env;
  return strcmp(name, "io/pekkokq/sys/Native") == 0 ? (jclass)&native_class : NULL;
}

static jint JNICALL register_natives(JNIEnv *env, jclass cls, const JNINativeMethod *methods,
                                     jint n) {
  (void)env;
  if (cls != (jclass)&native_class || n < 0 || n > 128) return JNI_ERR;
  memcpy(registered, methods, (size_t)n * sizeof *methods);
  registered_count = n;
  return JNI_OK;
}

static void JNICALL delete_local_ref(JNIEnv *env, jobject ref) { (void)env, (void)ref; }
static jthrowable JNICALL exception_occurred(JNIEnv *env) { return (void)env, NULL; }
static void JNICALL exception_clear(JNIEnv *env) { (void)env; }
/* A Java string stands for the C string itself: this harness only prints and compares. */
static jstring JNICALL new_string_utf(JNIEnv *env, const char *utf) {
  return (void)env, (jstring)utf;
}

static struct JNINativeInterface_ env_functions;
static JNIEnv env = &env_functions;

static jint JNICALL get_env(JavaVM *vm, void **out, jint version) {
  (void)vm, (void)version;
  *out = &env;
  return JNI_OK;
}

static struct JNIInvokeInterface_ vm_functions;
static JavaVM vm = &vm_functions;

/* The registered function of a native, checked against its JNI descriptor. */
static void *native(const char *name, const char *signature) {
  for (jint i = 0; i < registered_count; i++) {
    if (strcmp(registered[i].name, name) == 0 && strcmp(registered[i].signature, signature) == 0) {
      return registered[i].fnPtr;
    }
  }
  fprintf(stderr, "jni-load: %s%s is not registered\n", name, signature);
  return NULL;
}

int main(int argc, char **argv) {
  HMODULE dll;
  jint(JNICALL * on_load)(JavaVM *, void *);
  kq_event events[4];
  env_functions.FindClass = find_class;
  env_functions.RegisterNatives = register_natives;
  env_functions.DeleteLocalRef = delete_local_ref;
  env_functions.ExceptionOccurred = exception_occurred;
  env_functions.ExceptionClear = exception_clear;
  env_functions.NewStringUTF = new_string_utf;
  vm_functions.GetEnv = get_env;
  setvbuf(stdout, NULL, _IONBF, 0);

  CHECK(argc == 3);
  long expected_natives = strtol(argv[2], NULL, 10);
  CHECK(expected_natives > 0);
  dll = LoadLibraryA(argv[1]);
  if (dll == NULL) fprintf(stderr, "jni-load: LoadLibrary: error %lu\n", GetLastError());
  CHECK(dll != NULL);
  on_load = (jint(JNICALL *)(JavaVM *, void *))(void (*)(void))GetProcAddress(dll, "JNI_OnLoad");
  CHECK(on_load != NULL);
  CHECK(on_load(&vm, NULL) == JNI_VERSION_1_8);
  printf("jni-load: %s loaded, JNI_OnLoad registered %d natives\n", argv[1], (int)registered_count);
  CHECK(registered_count == expected_natives);

  jint (*sizeof_event)(JNIEnv *, jclass) = native("sizeofEvent0", "()I");
  jint (*sizeof_addr)(JNIEnv *, jclass) = native("sizeofAddr0", "()I");
  jstring (*backend)(JNIEnv *, jclass) = native("backendName0", "()Ljava/lang/String;");
  jint (*errno_constant)(JNIEnv *, jclass, jint) = native("errnoConstant0", "(I)I");
  jstring (*str_error)(JNIEnv *, jclass, jint) = native("strerror0", "(I)Ljava/lang/String;");
  jlong (*poller_open)(JNIEnv *, jclass, jint) = native("pollerOpen0", "(I)J");
  jint (*poller_wake)(JNIEnv *, jclass, jlong) = native("pollerWake0", "(J)I");
  jint (*poller_wait)(JNIEnv *, jclass, jlong, jlong, jint, jint) = native("pollerWait0", "(JJII)I");
  jint (*poller_close)(JNIEnv *, jclass, jlong) = native("pollerClose0", "(J)I");
  jint (*socket_tcp)(JNIEnv *, jclass, jint) = native("socketTcp0", "(I)I");
  jint (*close_fd)(JNIEnv *, jclass, jint) = native("close0", "(I)I");
  jint (*subscribe)(JNIEnv *, jclass, jint) = native("signalSubscribe0", "(I)I");
  CHECK(sizeof_event && sizeof_addr && backend && errno_constant && str_error && poller_open &&
        poller_wake && poller_wait && poller_close && socket_tcp && close_fd && subscribe);

  CHECK(sizeof_event(&env, NULL) == 16 && sizeof_addr(&env, NULL) == 24);
  CHECK(strcmp((const char *)backend(&env, NULL), "iocp") == 0);
  /* Errno's id 2 is ECONNREFUSED (onload.c's table), named for Java by strerror0. */
  jint refused = errno_constant(&env, NULL, 2);
  printf("jni-load: ECONNREFUSED is %d here: \"%s\"\n", (int)refused,
         (const char *)str_error(&env, NULL, -refused));
  CHECK(strcmp((const char *)str_error(&env, NULL, -refused), "Connection refused") == 0);

  jlong poller = poller_open(&env, NULL, 4);
  CHECK(poller > 0);
  CHECK(poller_wake(&env, NULL, poller) == 0);
  CHECK(poller_wait(&env, NULL, poller, (jlong)(intptr_t)events, 4, 1000) == 1);
  CHECK(events[0].bits == KQ_EV_WAKEUP);
  CHECK(poller_close(&env, NULL, poller) == 0);

  jint fd = socket_tcp(&env, NULL, KQ_AF_INET4);
  CHECK(fd >= 0);
  CHECK(close_fd(&env, NULL, fd) == 0);
  CHECK(subscribe(&env, NULL, 2) == -errno_constant(&env, NULL, 25)); /* EOPNOTSUPP */

  printf("jni-load: OK\n");
  return 0;
}
