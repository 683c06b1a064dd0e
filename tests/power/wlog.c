/*
 * wlog.so: an LD_PRELOAD shim for the power-loss test (tests/power/power.sh).
 * It records every write to one file (LMDB's data.mdb) and every sync of
 * it, and passes each call on unchanged, so that powercut.py can later
 * build the disk images a power cut could have left.
 *
 *   WLOG_FILE  the file to watch (required, else the shim does nothing)
 *   WLOG_OUT   the log to append to
 *
 * The file is recognised by device and inode, not by descriptor: LMDB
 * opens data.mdb twice, and in its normal sync mode writes the meta page
 * through the second descriptor, opened O_DSYNC.
 *
 * The log is a stream of records (struct rec, native byte order), a write
 * record followed by the bytes written:
 *   'W'  a write of len bytes at off; WF_DSYNC if the descriptor is
 *        O_DSYNC/O_SYNC (durable when the call returns)
 *   'B'  a sync begins (logged before the real call); id pairs it with...
 *   'E'  ...its end (logged after the real call); off = 1 if it succeeded
 *   'X'  a writable shared map of the file: writes through it go unseen
 * Each write is made and logged under one mutex, and a sync's 'B' under
 * the same mutex, so a write logged before a 'B' had returned before that
 * sync began: the sync covers it.  t_ns is CLOCK_MONOTONIC, comparable
 * with the test's own clock.
 *
 * Built by the test with plain cc -shared -fPIC, never with -fsanitize: it
 * is loaded into the sanitizer build's daemon too.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define WF_DSYNC	1

struct rec {
	uint8_t		type;
	uint8_t		flags;
	uint16_t	pad;
	uint32_t	tid;
	uint64_t	id;
	uint64_t	t_ns;
	uint64_t	off;
	uint64_t	len;
};

#define MAXMAP	16

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int logfd = -1;
static const char *path;
static dev_t wdev;
static ino_t wino;
static int known;
static uint64_t next_id;
static struct { char *addr; size_t len; } maps[MAXMAP];

static ssize_t (*r_write)(int, const void *, size_t);
static ssize_t (*r_writev)(int, const struct iovec *, int);
static ssize_t (*r_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*r_pwrite64)(int, const void *, size_t, off64_t);
static ssize_t (*r_pwritev)(int, const struct iovec *, int, off_t);
static ssize_t (*r_pwritev64)(int, const struct iovec *, int, off64_t);
static int (*r_fsync)(int);
static int (*r_fdatasync)(int);
static int (*r_msync)(void *, size_t, int);
static void *(*r_mmap)(void *, size_t, int, int, int, off_t);
static int (*r_munmap)(void *, size_t);

#define RESOLVE(f)	do { if (r_##f == NULL) r_##f = dlsym(RTLD_NEXT, #f); } \
	while (0)

/* The watched file's identity; it may not exist yet when the shim loads,
 * so this is tried again until it does. */
static int
identify(void)
{
	struct stat sb;

	if (!known && stat(path, &sb) == 0) {
		wdev = sb.st_dev;
		wino = sb.st_ino;
		known = 1;
	}
	return known;
}

static int
watched(int fd)
{
	struct stat sb;

	if (logfd < 0 || fd < 0 || fd == logfd || !identify())
		return 0;
	return fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_dev == wdev && sb.st_ino == wino;
}

__attribute__((constructor)) static void
wlog_init(void)
{
	const char *out = getenv("WLOG_OUT");

	RESOLVE(write); RESOLVE(writev); RESOLVE(pwrite); RESOLVE(pwrite64);
	RESOLVE(pwritev); RESOLVE(pwritev64); RESOLVE(fsync);
	RESOLVE(fdatasync); RESOLVE(msync); RESOLVE(mmap); RESOLVE(munmap);
	path = getenv("WLOG_FILE");
	if (path == NULL || *path == '\0' || out == NULL || *out == '\0')
		return;
	/* A raw syscall, so this open is not itself a call the shim sees. */
	logfd = (int)syscall(SYS_openat, AT_FDCWD, out,
	    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	identify();
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Appends one record and the first len bytes of iov. Under mu. */
static void
log_rec(int type, int flags, uint64_t id, uint64_t off, uint64_t len,
    const struct iovec *iov, int iovcnt)
{
	struct rec r;
	struct iovec v[IOV_MAX];
	size_t want, n = 0, l;
	ssize_t w;
	int i;

	memset(&r, 0, sizeof(r));
	r.type = (uint8_t)type;
	r.flags = (uint8_t)flags;
	r.tid = (uint32_t)syscall(SYS_gettid);
	r.id = id;
	r.t_ns = now_ns();
	r.off = off;
	r.len = len;
	v[n].iov_base = &r;
	v[n++].iov_len = sizeof(r);
	want = sizeof(r);
	for (i = 0; i < iovcnt && want < sizeof(r) + len && n < IOV_MAX; i++) {
		l = iov[i].iov_len;
		if (l > sizeof(r) + len - want)
			l = sizeof(r) + len - want;
		v[n].iov_base = iov[i].iov_base;
		v[n++].iov_len = l;
		want += l;
	}
	/* A short or failed log write shows up as the test's self-check
	 * failing (the recording no longer adds up to data.mdb). */
	w = r_writev(logfd, v, (int)n);
	(void)w;
}

/* The common path of every write: positional ones pass their offset,
 * write/writev (LMDB's lseek + writev for runs of pages) the position. */
static ssize_t
logged_write(int fd, const struct iovec *iov, int iovcnt, off_t off,
    int positional, ssize_t (*call)(void *), void *arg)
{
	ssize_t rc;
	int fl, saved;

	if (!watched(fd))
		return call(arg);
	pthread_mutex_lock(&mu);
	if (!positional)
		off = lseek(fd, 0, SEEK_CUR);
	rc = call(arg);
	saved = errno;
	if (rc > 0) {
		fl = fcntl(fd, F_GETFL);
		log_rec('W', fl >= 0 && (fl & (O_DSYNC | O_SYNC)) ? WF_DSYNC : 0,
		    0, (uint64_t)off, (uint64_t)rc, iov, iovcnt);
	}
	pthread_mutex_unlock(&mu);
	errno = saved;
	return rc;
}

struct wa {
	int fd;
	const void *buf;
	size_t n;
	const struct iovec *iov;
	int iovcnt;
	off64_t off;
};

static ssize_t c_write(void *p) { struct wa *a = p;
	return r_write(a->fd, a->buf, a->n); }
static ssize_t c_pwrite(void *p) { struct wa *a = p;
	return r_pwrite(a->fd, a->buf, a->n, (off_t)a->off); }
static ssize_t c_pwrite64(void *p) { struct wa *a = p;
	return r_pwrite64(a->fd, a->buf, a->n, a->off); }
static ssize_t c_writev(void *p) { struct wa *a = p;
	return r_writev(a->fd, a->iov, a->iovcnt); }
static ssize_t c_pwritev(void *p) { struct wa *a = p;
	return r_pwritev(a->fd, a->iov, a->iovcnt, (off_t)a->off); }
static ssize_t c_pwritev64(void *p) { struct wa *a = p;
	return r_pwritev64(a->fd, a->iov, a->iovcnt, a->off); }

ssize_t
write(int fd, const void *buf, size_t n)
{
	struct iovec v = { (void *)buf, n };
	struct wa a = { fd, buf, n, NULL, 0, 0 };

	RESOLVE(write);
	return logged_write(fd, &v, 1, 0, 0, c_write, &a);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	struct iovec v = { (void *)buf, n };
	struct wa a = { fd, buf, n, NULL, 0, off };

	RESOLVE(pwrite);
	return logged_write(fd, &v, 1, off, 1, c_pwrite, &a);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	struct iovec v = { (void *)buf, n };
	struct wa a = { fd, buf, n, NULL, 0, off };

	RESOLVE(pwrite64);
	return logged_write(fd, &v, 1, (off_t)off, 1, c_pwrite64, &a);
}

ssize_t
writev(int fd, const struct iovec *iov, int iovcnt)
{
	struct wa a = { fd, NULL, 0, iov, iovcnt, 0 };

	RESOLVE(writev);
	return logged_write(fd, iov, iovcnt, 0, 0, c_writev, &a);
}

ssize_t
pwritev(int fd, const struct iovec *iov, int iovcnt, off_t off)
{
	struct wa a = { fd, NULL, 0, iov, iovcnt, off };

	RESOLVE(pwritev);
	return logged_write(fd, iov, iovcnt, off, 1, c_pwritev, &a);
}

ssize_t
pwritev64(int fd, const struct iovec *iov, int iovcnt, off64_t off)
{
	struct wa a = { fd, NULL, 0, iov, iovcnt, off };

	RESOLVE(pwritev64);
	return logged_write(fd, iov, iovcnt, (off_t)off, 1, c_pwritev64, &a);
}

/* A sync of the watched file: 'B' before, 'E' after. The pair shares an
 * id because syncs on different threads may overlap. */
static int
logged_sync(int (*call)(void *), void *arg)
{
	uint64_t id;
	int rc, saved;

	pthread_mutex_lock(&mu);
	id = ++next_id;
	log_rec('B', 0, id, 0, 0, NULL, 0);
	pthread_mutex_unlock(&mu);
	rc = call(arg);
	saved = errno;
	pthread_mutex_lock(&mu);
	log_rec('E', 0, id, rc == 0, 0, NULL, 0);
	pthread_mutex_unlock(&mu);
	errno = saved;
	return rc;
}

static int c_fsync(void *p) { return r_fsync(*(int *)p); }
static int c_fdatasync(void *p) { return r_fdatasync(*(int *)p); }

int
fsync(int fd)
{
	RESOLVE(fsync);
	return watched(fd) ? logged_sync(c_fsync, &fd) : r_fsync(fd);
}

int
fdatasync(int fd)
{
	RESOLVE(fdatasync);
	return watched(fd) ? logged_sync(c_fdatasync, &fd) : r_fdatasync(fd);
}

/* msync syncs the file only through a map of it, so maps of the file are
 * remembered. */
struct ma {
	void *addr;
	size_t len;
	int flags;
};

static int c_msync(void *p) { struct ma *a = p;
	return r_msync(a->addr, a->len, a->flags); }

void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p;
	int i;

	if (r_mmap == NULL)	/* before the constructor: dlsym may mmap */
		return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd,
		    off);
	p = r_mmap(addr, len, prot, flags, fd, off);
	if (p == MAP_FAILED || !watched(fd))
		return p;
	pthread_mutex_lock(&mu);
	for (i = 0; i < MAXMAP; i++)
		if (maps[i].addr == NULL) {
			maps[i].addr = p;
			maps[i].len = len;
			break;
		}
	if ((prot & PROT_WRITE) && (flags & MAP_SHARED))
		log_rec('X', 0, 0, 0, len, NULL, 0);
	pthread_mutex_unlock(&mu);
	return p;
}

int
munmap(void *addr, size_t len)
{
	int i;

	if (r_munmap == NULL)
		return (int)syscall(SYS_munmap, addr, len);
	if (logfd >= 0) {
		pthread_mutex_lock(&mu);
		for (i = 0; i < MAXMAP; i++)
			if (maps[i].addr == addr)
				maps[i].addr = NULL;
		pthread_mutex_unlock(&mu);
	}
	return r_munmap(addr, len);
}

int
msync(void *addr, size_t len, int flags)
{
	struct ma a = { addr, len, flags };
	char *p = addr;
	int i, hit = 0;

	RESOLVE(msync);
	if (logfd >= 0 && (flags & MS_SYNC)) {
		pthread_mutex_lock(&mu);
		for (i = 0; i < MAXMAP; i++)
			if (maps[i].addr != NULL && p < maps[i].addr +
			    maps[i].len && p + len > maps[i].addr)
				hit = 1;
		pthread_mutex_unlock(&mu);
	}
	return hit ? logged_sync(c_msync, &a) : r_msync(addr, len, flags);
}
