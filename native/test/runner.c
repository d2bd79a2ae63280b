/*
 * runner.c - runs the tests of test-list.h in one process (so valgrind sees them all),
 * or only those named on the command line. After each test it checks that no
 * descriptor was left open. Exit status 0 only if all passed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "../src/internal.h"
#include "test.h"

#define TEST(name) int test_##name(void);
#include "test-list.h"
#undef TEST

static const struct {
  const char *name;
  int (*run)(void);
} tests[] = {
#define TEST(name) {#name, test_##name},
#include "test-list.h"
#undef TEST
};

/* Open descriptors below 1024 (valgrind keeps its own above that). */
static int open_fds(void) {
  int n = 0;
  for (int fd = 0; fd < 1024; fd++) n += fcntl(fd, F_GETFD) != -1;
  return n;
}

static int wanted(const char *name, int argc, char **argv) {
  if (argc < 2) return 1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], name) == 0) return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  int failed = 0, ran = 0;
  /* The signal pipe lives as long as the process: make it now so it is not counted as
   * a leak of the first signal test. */
  if (kq__signal_pipe_fd() < 0) return 1;
  for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
    if (!wanted(tests[i].name, argc, argv)) continue;
    int before = open_fds(), r = tests[i].run(), after = open_fds();
    ran++;
    if (r == 0 && after != before) {
      fprintf(stderr, "  %d descriptor(s) leaked\n", after - before);
      r = 1;
    }
    printf("%s %s\n", r == 0 ? "ok    " : "FAILED", tests[i].name);
    fflush(stdout);
    failed += r != 0;
  }
  printf("%d test(s), %d failed\n", ran, failed);
  return failed == 0 && ran > 0 ? 0 : 1;
}
