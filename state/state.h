/*
 * state.h: the LMDB environment that holds everything fzrelay keeps.
 *
 * One environment in the state directory, named databases inside it.
 * Several processes may open it at once (the daemon and the admin CLI):
 * LMDB serialises writers with its lock file and readers never block
 * the writer. Every write is one short transaction; a full map is grown
 * and the write retried, and a map grown by another process is adopted.
 * Nothing outside state/ includes lmdb.h.
 */
#ifndef FZ_STATE_H
#define FZ_STATE_H

#include <stddef.h>
#include <stdint.h>

struct state;

/*
 * Opens (creating with mode 0700 if needed) the environment in dir.
 * Returns 0 and sets *out (caller frees with state_close), FZ_ESYS (dir
 * could not be made; errno set), FZ_ECONFLICT (opts->exclusive, and
 * another process holds dir so) or FZ_ESTORE. Loop thread only: one
 * struct state per process.
 */
int	state_open(const char *dir, struct state **out);

struct state_opts {
	/* Initial map size (0: 64 MiB). The map grows on demand, so a
	 * small one only makes the first growth come sooner. */
	size_t	map_bytes;
	/* Hold answers until state_sync (the daemon's group commit).
	 * Every commit syncs as LMDB does by default: MDB_NOSYNC lets a
	 * power cut leave a meta page on disk ahead of its pages. */
	int	group_commit;
	/* Hold dir for this process alone until state_close (the daemon:
	 * two would deliver every webhook twice). Opens without it, the
	 * admin commands', are not held off. */
	int	exclusive;
};

/* As state_open with options. */
int	state_open_opts(const char *dir, const struct state_opts *opts,
	    struct state **out);

/*
 * Group commit. Write transactions are counted: state_commits() is the
 * count so far, state_visible() the count at the last one an answer may
 * depend on (background writes do not count). A flush that begins after
 * commit n makes commits up to n durable, and state_synced() records
 * that. All of these but state_flush() belong to the thread that writes.
 */
/* Returns 1 if a write an answer may depend on is not yet known durable
 * (group commit only), else 0. */
int		state_unsynced(const struct state *st);
/* Returns 1 if any write, background ones too, is not yet known durable
 * (group commit only), else 0. */
int		state_dirty(const struct state *st);
uint64_t	state_commits(const struct state *st);
uint64_t	state_visible(const struct state *st);

/* Flushes committed writes to disk (fdatasync) and touches nothing else
 * of st: safe on another thread while the writing thread goes on (what
 * it commits meanwhile may or may not be included). Returns 0 or
 * FZ_ESTORE. Blocks for the flush. */
int	state_flush(struct state *st);

/* Records the outcome of a flush begun when state_commits() was n. */
void	state_synced(struct state *st, uint64_t n, int err);

/* state_flush() and state_synced() at once, on the writing thread.
 * Returns 0 or FZ_ESTORE. */
int	state_sync(struct state *st);

/* Closes the environment; NULL is fine. No transaction may be open. */
void	state_close(struct state *st);

/*
 * Returns 0 if the environment can serve reads and take writes now (a
 * read transaction succeeds, the directory is writable and the last
 * write did not fail), else FZ_ESTORE. Never waits for the writer lock.
 */
int	state_ready(struct state *st);

/* Returns the directory the environment lives in; borrowed. */
const char	*state_dir(const struct state *st);

/* Writes the map size and the bytes in use (last page used). */
void	state_usage(struct state *st, size_t *map_bytes, size_t *used_bytes);

/* Writes a compacted, consistent copy of the environment to the new
 * directory path (which must exist and be empty), while others keep
 * reading and writing. Returns 0, FZ_ESTORE (logged). */
int	state_backup(struct state *st, const char *path);

/* Small named settings the daemon keeps for itself (e.g. the demo
 * workspace's id). state_meta_get copies the value, NUL-terminated, into
 * buf. Returns 0, FZ_ENOTFOUND, FZ_ETOOBIG (buf too small) or
 * FZ_ESTORE. */
int	state_meta_get(struct state *st, const char *name, char *buf,
	    size_t size);

/* Sets name to value; durable when it returns. Returns 0 or FZ_ESTORE. */
int	state_meta_put(struct state *st, const char *name, const char *value);

#endif
