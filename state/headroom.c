#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "common/fz.h"
#include "common/log.h"
#include "state/headroom.h"

#define HEADROOM_LOW	(4 << 20)	/* fill when fewer bytes are left */
#define HEADROOM_STEP	(1 << 20)	/* bytes of zeros per fill */
#define HEADROOM_CHUNK	(64 << 10)	/* one iovec's worth */

static const char headroom_zeros[HEADROOM_CHUNK];

int
headroom_init(struct headroom *h, MDB_env *env)
{
	struct stat sb;
	int rc;

	memset(h, 0, sizeof(*h));
	h->env = env;
	h->off = 1;
	if ((rc = mdb_env_get_fd(env, &h->fd)) != 0) {
		log_err("lmdb: no descriptor: %s", mdb_strerror(rc));
		return FZ_ESTORE;
	}
	if (fstat(h->fd, &sb) != 0) {
		log_err("data.mdb: %s", strerror(errno));
		return FZ_ESTORE;
	}
	h->end = sb.st_size;
	h->off = 0;
	return 0;
}

void
headroom_keep(struct headroom *h)
{
	struct iovec iov[HEADROOM_STEP / HEADROOM_CHUNK];
	MDB_envinfo info;
	MDB_stat ms;
	off_t used, stop, at;
	ssize_t n;
	size_t i, len;

	if (h->off || mdb_env_info(h->env, &info) != 0 ||
	    mdb_env_stat(h->env, &ms) != 0)
		return;
	used = (off_t)(info.me_last_pgno + 1) * ms.ms_psize;
	/* LMDB may have outgrown the zeros; its pages end the file then. */
	if (h->end < used)
		h->end = used;
	if (h->end - used >= HEADROOM_LOW)
		return;
	stop = h->end + HEADROOM_STEP;
	if (stop > (off_t)info.me_mapsize)
		stop = (off_t)info.me_mapsize;
	for (at = h->end; at < stop; at += n) {
		len = (size_t)(stop - at);
		for (i = 0; i < sizeof(iov) / sizeof(iov[0]) && len > 0; i++) {
			iov[i].iov_base = (void *)headroom_zeros;
			iov[i].iov_len = len < HEADROOM_CHUNK ?
			    len : HEADROOM_CHUNK;
			len -= iov[i].iov_len;
		}
		if ((n = pwritev(h->fd, iov, (int)i, at)) <= 0) {
			if (n < 0 && errno == EINTR) {
				n = 0;
				continue;
			}
			log_warn("data.mdb: no room ahead of the data (%s); "
			    "commits allocate as they go",
			    n < 0 ? strerror(errno) : "short write");
			h->off = 1;
			break;
		}
		h->end = at + n;
	}
}
