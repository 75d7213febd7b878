/*
 * Test-only LD_PRELOAD library: fsync() and fdatasync() sleep SLOW_FSYNC_MS
 * milliseconds before they sync, as on a busy disk, in every thread of the
 * process. background-checkpoint.test.ts uses it to see what a writer does
 * while the checkpoint worker's fsyncs drag.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static void slow_down(void) {
  const char *setting = getenv("SLOW_FSYNC_MS");
  long ms = setting ? atol(setting) : 0;
  if (ms <= 0) return;
  struct timespec pause = { ms / 1000, (ms % 1000) * 1000000L };
  while (nanosleep(&pause, &pause) != 0) {
  }
}

int fsync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  slow_down();
  return real(fd);
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  slow_down();
  return real(fd);
}
