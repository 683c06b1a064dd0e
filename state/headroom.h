/*
 * headroom.h: zeros kept written past the last page of data.mdb; for
 * state/writer.c only.
 *
 * A commit whose pages land past the end of the file makes the file
 * system allocate blocks, and its fdatasync then also writes and waits
 * for that allocation's metadata (on ext4, one more device round trip
 * or several per commit). With zeros written ahead, a MiB at a time,
 * commits overwrite allocated blocks and each flush carries only pages.
 *
 * Why this is safe beside LMDB: LMDB reads no byte past the last page
 * its meta names, so the zeros are never data; they are written only at
 * or past the end of the file, which lies past every page LMDB has
 * written, and only by the thread that runs every write transaction,
 * between two of them. The zeros reach the disk with the next commit's
 * fdatasync; a power cut before that leaves a shorter file, which LMDB
 * never notices.
 */
#ifndef FZ_STATE_HEADROOM_H
#define FZ_STATE_HEADROOM_H

#include <stddef.h>
#include <sys/types.h>

#include <lmdb.h>

struct headroom {
	MDB_env		*env;		/* borrowed */
	int		 fd;		/* LMDB's own descriptor, borrowed */
	off_t		 end;		/* the file's end as far as known */
	int		 off;		/* a write failed: tried no more */
};

/* Sets h up for env (borrowed, open). Returns 0 or FZ_ESTORE (logged):
 * then h is off and headroom_keep does nothing. */
int	headroom_init(struct headroom *h, MDB_env *env);

/* After a commit, on the writer thread: writes the next MiB of zeros
 * if fewer than four are left past the last page. Never fails: a write
 * the file system refuses (ENOSPC) is logged once and ends the
 * headroom, the commits then allocate as they go. */
void	headroom_keep(struct headroom *h);

#endif
