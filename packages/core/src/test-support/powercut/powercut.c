/*
 * powercut.so: a recorder for emulated power cuts (LD_PRELOAD, Linux, glibc).
 *
 * Every call passes through unchanged. For calls that touch POWERCUT_DIR (paths
 * under it, or descriptors opened there), a record is appended to POWERCUT_LOG:
 * opens, closes, writes with their bytes and offset, truncations, fsyncs,
 * renames, unlinks, mkdirs and rmdirs, in the order they happened (one lock
 * around the real call and its record). durable-image.ts replays the log and
 * keeps only what a power cut could not have taken; the model lives there.
 *
 * A record is appended after the real call succeeded and before it returns to
 * the caller, so whatever the caller acknowledged is in the log. A kill between
 * the two only drops an operation the caller never saw complete, which a power
 * cut may drop too. A record cut short by the kill is detected by its length.
 *
 * Files ending in -shm are left out: SQLite rebuilds its shared-memory index
 * from the WAL after a crash, and writes it through mmap, which no shim sees.
 *
 * Memory is fixed (a table of descriptors); the log is capped by
 * POWERCUT_LOG_LIMIT bytes, past which an overflow record ends it and the replay
 * refuses with a clear error.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum {
  R_OPEN = 1, R_CLOSE, R_WRITE, R_TRUNCATE, R_FSYNC, R_RENAME, R_UNLINK, R_MKDIR, R_RMDIR, R_OVERFLOW, R_ERROR
};

/* 40 bytes, little-endian, followed by path1, path2 and data. */
struct record {
  uint32_t type;
  int32_t fd;
  int64_t a;
  int64_t b;
  uint32_t path1_length;
  uint32_t path2_length;
  uint64_t data_length;
};

#define MAX_FDS 65536
#define MAX_IOV 1024

struct tracked_fd {
  char tracked;
  dev_t dev;
  ino_t ino;
};

static struct tracked_fd fds[MAX_FDS];
static char watched[PATH_MAX];
static size_t watched_length;
static int log_fd = -1;
static uint64_t log_bytes;
static uint64_t log_limit = 256ull << 20;
static int overflowed;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_close)(int);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
static int (*real_ftruncate)(int, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_renameat2)(int, const char *, int, const char *, unsigned int);
static int (*real_unlinkat)(int, const char *, int);
static int (*real_mkdirat)(int, const char *, mode_t);
static int (*real_remove)(const char *);
static int (*real_dup2)(int, int);
static int (*real_dup3)(int, int, int);
static long (*real_syscall)(long, ...);

static void before_fork(void) { pthread_mutex_lock(&lock); }
static void after_fork(void) { pthread_mutex_unlock(&lock); }

/* Wrappers can run before the constructor (from another library's), so each resolves on first use. */
static void resolve(void) {
  if (real_syscall) return;
  real_open = dlsym(RTLD_NEXT, "open64");
  real_openat = dlsym(RTLD_NEXT, "openat64");
  real_close = dlsym(RTLD_NEXT, "close");
  real_write = dlsym(RTLD_NEXT, "write");
  real_pwrite = dlsym(RTLD_NEXT, "pwrite64");
  real_writev = dlsym(RTLD_NEXT, "writev");
  real_pwritev = dlsym(RTLD_NEXT, "pwritev64");
  real_ftruncate = dlsym(RTLD_NEXT, "ftruncate64");
  real_fsync = dlsym(RTLD_NEXT, "fsync");
  real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
  real_renameat2 = dlsym(RTLD_NEXT, "renameat2");
  real_unlinkat = dlsym(RTLD_NEXT, "unlinkat");
  real_mkdirat = dlsym(RTLD_NEXT, "mkdirat");
  real_remove = dlsym(RTLD_NEXT, "remove");
  real_dup2 = dlsym(RTLD_NEXT, "dup2");
  real_dup3 = dlsym(RTLD_NEXT, "dup3");
  real_syscall = dlsym(RTLD_NEXT, "syscall");
}

__attribute__((constructor)) static void start(void) {
  resolve();
  pthread_atfork(before_fork, after_fork, after_fork);

  const char *dir = getenv("POWERCUT_DIR");
  const char *log = getenv("POWERCUT_LOG");
  const char *limit = getenv("POWERCUT_LOG_LIMIT");
  if (!dir || !log) return; /* inherited by a process that is not recorded */
  if (strlen(dir) >= sizeof watched - 1) {
    fprintf(stderr, "powercut: POWERCUT_DIR is too long\n");
    abort();
  }
  strcpy(watched, dir);
  watched_length = strlen(watched);
  while (watched_length > 1 && watched[watched_length - 1] == '/') watched[--watched_length] = 0;
  if (limit) log_limit = strtoull(limit, NULL, 10);
  log_fd = real_open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) {
    fprintf(stderr, "powercut: cannot open POWERCUT_LOG %s: %s\n", log, strerror(errno));
    abort();
  }
  /* Children (none expected) must not append to the same log from other processes. */
  unsetenv("LD_PRELOAD");
}

static int is_tracked(int fd) {
  resolve();
  return log_fd >= 0 && fd >= 0 && fd < MAX_FDS && fds[fd].tracked;
}

/* Appends one record (the caller holds the lock). Errors of the log itself abort: a silent gap would fake durability. */
static void append(uint32_t type, int fd, int64_t a, int64_t b, const char *p1, const char *p2, const struct iovec *data,
                   int count, uint64_t data_length) {
  if (log_fd < 0 || overflowed) return;
  struct record header = {type, fd, a, b, p1 ? strlen(p1) : 0, p2 ? strlen(p2) : 0, data_length};
  uint64_t total = sizeof header + header.path1_length + header.path2_length + data_length;
  if (log_bytes + total > log_limit) {
    overflowed = 1;
    struct record over = {R_OVERFLOW, -1, (int64_t)log_limit, 0, 0, 0, 0};
    real_write(log_fd, &over, sizeof over);
    fprintf(stderr, "powercut: the log passed POWERCUT_LOG_LIMIT (%llu bytes); recording stopped\n",
            (unsigned long long)log_limit);
    return;
  }
  struct iovec iov[MAX_IOV + 3];
  int n = 0;
  iov[n++] = (struct iovec){&header, sizeof header};
  if (header.path1_length) iov[n++] = (struct iovec){(void *)p1, header.path1_length};
  if (header.path2_length) iov[n++] = (struct iovec){(void *)p2, header.path2_length};
  for (int i = 0; i < count; i++) iov[n++] = data[i];
  uint64_t left = total;
  int first = 0;
  while (left > 0) {
    ssize_t written = real_writev(log_fd, iov + first, n - first);
    if (written < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "powercut: cannot append to the log: %s\n", strerror(errno));
      abort();
    }
    left -= written;
    while (first < n && (size_t)written >= iov[first].iov_len) written -= iov[first++].iov_len;
    if (first < n) {
      iov[first].iov_base = (char *)iov[first].iov_base + written;
      iov[first].iov_len -= written;
    }
  }
  log_bytes += total;
}

static void report(const char *message, const char *detail) {
  append(R_ERROR, -1, 0, 0, message, detail, NULL, 0, 0);
}

/*
 * Writes into `out` the path of `path` relative to the watched directory ("" for
 * the directory itself) and returns 1, or returns 0 when it lies outside (or is
 * an -shm file). Lexical: `.` and `..` are folded, links are not followed.
 */
static int relative_path(int dirfd, const char *path, char *out) {
  resolve();
  if (log_fd < 0 || !path) return 0;
  char full[PATH_MAX * 2];
  if (path[0] == '/') {
    snprintf(full, sizeof full, "%s", path);
  } else {
    char base[PATH_MAX];
    if (dirfd == AT_FDCWD) {
      if (!getcwd(base, sizeof base)) return 0;
    } else {
      char link[64];
      snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
      ssize_t length = readlink(link, base, sizeof base - 1);
      if (length < 0) return 0;
      base[length] = 0;
    }
    snprintf(full, sizeof full, "%s/%s", base, path);
  }
  /* Fold the components into `normal`. */
  char normal[PATH_MAX * 2];
  size_t length = 0;
  for (char *part = full; *part;) {
    while (*part == '/') part++;
    char *end = part;
    while (*end && *end != '/') end++;
    size_t size = end - part;
    if (size == 0 || (size == 1 && part[0] == '.')) {
    } else if (size == 2 && part[0] == '.' && part[1] == '.') {
      while (length > 0 && normal[length - 1] != '/') length--;
      if (length > 0) length--;
    } else {
      normal[length++] = '/';
      memcpy(normal + length, part, size);
      length += size;
    }
    part = end;
  }
  normal[length] = 0;
  if (length == 0) strcpy(normal, "/"), length = 1;
  if (strncmp(normal, watched, watched_length) != 0) return 0;
  if (normal[watched_length] != 0 && normal[watched_length] != '/') return 0;
  const char *rest = normal[watched_length] == '/' ? normal + watched_length + 1 : normal + watched_length;
  size_t rest_length = strlen(rest);
  if (rest_length >= 4 && strcmp(rest + rest_length - 4, "-shm") == 0) return 0;
  if (rest_length >= PATH_MAX) return 0;
  memcpy(out, rest, rest_length + 1);
  return 1;
}

static void forget(int fd) {
  if (fd >= 0 && fd < MAX_FDS) fds[fd].tracked = 0;
}

/* A descriptor reused after a close no shim saw would be taken for the old file: catch it rather than mis-record. */
static int still_same(int fd) {
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_dev == fds[fd].dev && st.st_ino == fds[fd].ino) return 1;
  report("a recorded descriptor now names another file (closed by a call the shim does not see)", NULL);
  fds[fd].tracked = 0;
  return 0;
}

static int open_recorded(int dirfd, const char *path, int flags, mode_t mode) {
  char relative[PATH_MAX];
  if (!relative_path(dirfd, path, relative)) {
    int fd = real_openat(dirfd, path, flags, mode);
    forget(fd);
    return fd;
  }
  pthread_mutex_lock(&lock);
  int fd = real_openat(dirfd, path, flags, mode);
  int saved = errno;
  if (fd >= 0) {
    struct stat st;
    fstat(fd, &st);
    if ((flags & O_TMPFILE) == O_TMPFILE) {
      report("O_TMPFILE is not modelled", relative);
    } else if (fd >= MAX_FDS) {
      report("descriptor beyond the shim's table", relative);
    } else {
      fds[fd] = (struct tracked_fd){1, st.st_dev, st.st_ino};
      append(R_OPEN, fd, flags, S_ISDIR(st.st_mode) ? 1 : 0, relative, NULL, NULL, 0, 0);
    }
  }
  pthread_mutex_unlock(&lock);
  errno = saved;
  return fd;
}

static mode_t mode_argument(int flags, va_list ap) {
  return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

int open(const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_argument(flags, ap);
  va_end(ap);
  return open_recorded(AT_FDCWD, path, flags, mode);
}
int open64(const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_argument(flags, ap);
  va_end(ap);
  return open_recorded(AT_FDCWD, path, flags, mode);
}
int openat(int dirfd, const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_argument(flags, ap);
  va_end(ap);
  return open_recorded(dirfd, path, flags, mode);
}
int openat64(int dirfd, const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_argument(flags, ap);
  va_end(ap);
  return open_recorded(dirfd, path, flags, mode);
}
int creat(const char *path, mode_t mode) { return open_recorded(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode); }
int creat64(const char *path, mode_t mode) { return open_recorded(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode); }

static int close_recorded(int fd, int (*really_close)(int)) {
  if (!is_tracked(fd)) return really_close(fd);
  pthread_mutex_lock(&lock);
  int result = really_close(fd);
  int saved = errno;
  /* On Linux the descriptor is gone even when close fails (EINTR included). */
  if (fds[fd].tracked) append(R_CLOSE, fd, 0, 0, NULL, NULL, NULL, 0, 0);
  fds[fd].tracked = 0;
  pthread_mutex_unlock(&lock);
  errno = saved;
  return result;
}

int close(int fd) { return close_recorded(fd, real_close); }

static int syscall_close(int fd) { return (int)real_syscall(SYS_close, fd); }

/* Records `written` bytes of `iov` at `offset` (-1: the bytes ended at the descriptor's position). */
static void record_write(int fd, const struct iovec *iov, int count, ssize_t written, off_t offset) {
  if (written <= 0 || !still_same(fd)) return;
  if (offset < 0) offset = lseek(fd, 0, SEEK_CUR) - written;
  struct iovec parts[MAX_IOV];
  int n = 0;
  size_t left = written;
  for (int i = 0; i < count && left > 0 && n < MAX_IOV; i++) {
    size_t size = iov[i].iov_len < left ? iov[i].iov_len : left;
    if (size) parts[n++] = (struct iovec){iov[i].iov_base, size};
    left -= size;
  }
  if (left > 0) report("a write with more parts than the shim records", NULL);
  else append(R_WRITE, fd, offset, 0, NULL, NULL, parts, n, written);
}

ssize_t write(int fd, const void *buffer, size_t size) {
  if (!is_tracked(fd)) return real_write(fd, buffer, size);
  pthread_mutex_lock(&lock);
  ssize_t written = real_write(fd, buffer, size);
  int saved = errno;
  struct iovec one = {(void *)buffer, size};
  record_write(fd, &one, 1, written, -1);
  pthread_mutex_unlock(&lock);
  errno = saved;
  return written;
}

ssize_t pwrite(int fd, const void *buffer, size_t size, off_t offset) {
  if (!is_tracked(fd)) return real_pwrite(fd, buffer, size, offset);
  pthread_mutex_lock(&lock);
  ssize_t written = real_pwrite(fd, buffer, size, offset);
  int saved = errno;
  struct iovec one = {(void *)buffer, size};
  record_write(fd, &one, 1, written, offset);
  pthread_mutex_unlock(&lock);
  errno = saved;
  return written;
}
ssize_t pwrite64(int fd, const void *buffer, size_t size, off_t offset) { return pwrite(fd, buffer, size, offset); }

ssize_t writev(int fd, const struct iovec *iov, int count) {
  if (!is_tracked(fd)) return real_writev(fd, iov, count);
  pthread_mutex_lock(&lock);
  ssize_t written = real_writev(fd, iov, count);
  int saved = errno;
  record_write(fd, iov, count, written, -1);
  pthread_mutex_unlock(&lock);
  errno = saved;
  return written;
}

ssize_t pwritev(int fd, const struct iovec *iov, int count, off_t offset) {
  if (!is_tracked(fd)) return real_pwritev(fd, iov, count, offset);
  pthread_mutex_lock(&lock);
  ssize_t written = real_pwritev(fd, iov, count, offset);
  int saved = errno;
  record_write(fd, iov, count, written, offset);
  pthread_mutex_unlock(&lock);
  errno = saved;
  return written;
}
ssize_t pwritev64(int fd, const struct iovec *iov, int count, off_t offset) { return pwritev(fd, iov, count, offset); }

int ftruncate(int fd, off_t length) {
  if (!is_tracked(fd)) return real_ftruncate(fd, length);
  pthread_mutex_lock(&lock);
  int result = real_ftruncate(fd, length);
  int saved = errno;
  if (result == 0 && still_same(fd)) append(R_TRUNCATE, fd, length, 0, NULL, NULL, NULL, 0, 0);
  pthread_mutex_unlock(&lock);
  errno = saved;
  return result;
}
int ftruncate64(int fd, off_t length) { return ftruncate(fd, length); }

static int sync_recorded(int fd, int (*really_sync)(int), int data_only) {
  if (!is_tracked(fd)) return really_sync(fd);
  pthread_mutex_lock(&lock);
  int result = really_sync(fd);
  int saved = errno;
  if (result == 0 && still_same(fd)) append(R_FSYNC, fd, data_only, 0, NULL, NULL, NULL, 0, 0);
  pthread_mutex_unlock(&lock);
  errno = saved;
  return result;
}
int fsync(int fd) { return sync_recorded(fd, real_fsync, 0); }
int fdatasync(int fd) { return sync_recorded(fd, real_fdatasync, 1); }

int renameat2(int olddirfd, const char *from, int newdirfd, const char *to, unsigned int flags) {
  char relative_from[PATH_MAX], relative_to[PATH_MAX];
  int from_inside = relative_path(olddirfd, from, relative_from);
  int to_inside = relative_path(newdirfd, to, relative_to);
  if (!from_inside && !to_inside) return real_renameat2(olddirfd, from, newdirfd, to, flags);
  pthread_mutex_lock(&lock);
  int result = real_renameat2(olddirfd, from, newdirfd, to, flags);
  int saved = errno;
  if (result == 0) {
    if (!from_inside || !to_inside) report("a rename into or out of the watched directory is not modelled", from);
    else if (flags != 0) report("renameat2 flags are not modelled", from);
    else append(R_RENAME, -1, 0, 0, relative_from, relative_to, NULL, 0, 0);
  }
  pthread_mutex_unlock(&lock);
  errno = saved;
  return result;
}
int renameat(int olddirfd, const char *from, int newdirfd, const char *to) { return renameat2(olddirfd, from, newdirfd, to, 0); }
int rename(const char *from, const char *to) { return renameat2(AT_FDCWD, from, AT_FDCWD, to, 0); }

int unlinkat(int dirfd, const char *path, int flags) {
  char relative[PATH_MAX];
  if (!relative_path(dirfd, path, relative)) return real_unlinkat(dirfd, path, flags);
  pthread_mutex_lock(&lock);
  int result = real_unlinkat(dirfd, path, flags);
  int saved = errno;
  if (result == 0) append(flags & AT_REMOVEDIR ? R_RMDIR : R_UNLINK, -1, 0, 0, relative, NULL, NULL, 0, 0);
  pthread_mutex_unlock(&lock);
  errno = saved;
  return result;
}
int unlink(const char *path) { return unlinkat(AT_FDCWD, path, 0); }
int rmdir(const char *path) { return unlinkat(AT_FDCWD, path, AT_REMOVEDIR); }

int remove(const char *path) {
  char relative[PATH_MAX];
  if (!relative_path(AT_FDCWD, path, relative)) return real_remove(path);
  pthread_mutex_lock(&lock);
  struct stat st;
  int kind = lstat(path, &st) == 0 && S_ISDIR(st.st_mode) ? R_RMDIR : R_UNLINK;
  int result = real_remove(path);
  int saved = errno;
  if (result == 0) append(kind, -1, 0, 0, relative, NULL, NULL, 0, 0);
  pthread_mutex_unlock(&lock);
  errno = saved;
  return result;
}

int mkdirat(int dirfd, const char *path, mode_t mode) {
  char relative[PATH_MAX];
  if (!relative_path(dirfd, path, relative)) return real_mkdirat(dirfd, path, mode);
  pthread_mutex_lock(&lock);
  int result = real_mkdirat(dirfd, path, mode);
  int saved = errno;
  if (result == 0) append(R_MKDIR, -1, 0, 0, relative, NULL, NULL, 0, 0);
  pthread_mutex_unlock(&lock);
  errno = saved;
  return result;
}
int mkdir(const char *path, mode_t mode) { return mkdirat(AT_FDCWD, path, mode); }

static int dup_recorded(int oldfd, int newfd, int flags, int three) {
  if (!is_tracked(oldfd) && !is_tracked(newfd)) return three ? real_dup3(oldfd, newfd, flags) : real_dup2(oldfd, newfd);
  pthread_mutex_lock(&lock);
  int result = three ? real_dup3(oldfd, newfd, flags) : real_dup2(oldfd, newfd);
  int saved = errno;
  if (result >= 0 && oldfd != newfd) {
    if (is_tracked(oldfd)) report("a duplicated descriptor of a recorded file is not modelled", NULL);
    if (is_tracked(newfd)) {
      append(R_CLOSE, newfd, 0, 0, NULL, NULL, NULL, 0, 0);
      fds[newfd].tracked = 0;
    }
  }
  pthread_mutex_unlock(&lock);
  errno = saved;
  return result;
}
int dup2(int oldfd, int newfd) { return dup_recorded(oldfd, newfd, 0, 0); }
int dup3(int oldfd, int newfd, int flags) { return dup_recorded(oldfd, newfd, flags, 1); }

/*
 * libuv closes descriptors with syscall(SYS_close) (to dodge close's
 * cancellation point), so that one is recorded like close(). Any other raw
 * system call that would write a recorded file is reported, not guessed at.
 */
long syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a1 = va_arg(ap, long), a2 = va_arg(ap, long), a3 = va_arg(ap, long);
  long a4 = va_arg(ap, long), a5 = va_arg(ap, long), a6 = va_arg(ap, long);
  va_end(ap);
  resolve();
  if (number == SYS_close) return close_recorded((int)a1, syscall_close);
  if (log_fd >= 0) {
    switch (number) {
      case SYS_write: case SYS_pwrite64: case SYS_writev: case SYS_pwritev: case SYS_pwritev2:
      case SYS_ftruncate: case SYS_fsync: case SYS_fdatasync: case SYS_fallocate: case SYS_sync_file_range:
      case SYS_copy_file_range: case SYS_sendfile:
        if (is_tracked((int)a1) || (number == SYS_copy_file_range && is_tracked((int)a3)) ||
            (number == SYS_sendfile && is_tracked((int)a1))) {
          pthread_mutex_lock(&lock);
          report("a raw system call on a recorded file is not modelled", NULL);
          pthread_mutex_unlock(&lock);
        }
        break;
    }
  }
  /*
   * io_uring would let file writes bypass the recorder. Node 20 keeps it off
   * with UV_USE_IO_URING=0, but the libuv of Node 22 and 24 still sets up a
   * ring: answer as a kernel without io_uring does, and libuv falls back to
   * its thread pool, whose calls are recorded.
   */
  if (number == SYS_io_uring_setup) {
    errno = ENOSYS;
    return -1;
  }
  return real_syscall(number, a1, a2, a3, a4, a5, a6);
}
