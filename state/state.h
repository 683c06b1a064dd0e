/*
 * state.h: the LMDB environment that holds everything fzrelay keeps.
 *
 * One environment in the state directory, named databases inside it.
 * Several processes may open it at once (the daemon and the admin CLI):
 * LMDB serialises writers with its lock file and readers never block
 * the writer. The map is opened at its full size (STATE_MAP_BYTES), so
 * no write ever grows it; a full map fails that write alone.
 * Nothing outside state/ includes lmdb.h.
 */
#ifndef FZ_STATE_H
#define FZ_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* The map is reserved address space, not memory or disk: sized once so
 * that no write ever has to grow it (and rerun) on the way. */
#define STATE_MAP_BYTES		((size_t)256 << 30)

struct event_base;
struct state;

/*
 * Opens (creating with mode 0700 if needed) the environment in dir. An
 * existing dir open to group or others is tightened to 0700, and the
 * files in it to 0600, with a warning logged for each.
 * Returns 0 and sets *out (caller frees with state_close), FZ_ESYS (dir
 * could not be made, read or tightened; logged), FZ_ECONFLICT
 * (opts->exclusive, and another process holds dir so) or FZ_ESTORE.
 * Loop thread only: one struct state per process.
 */
int	state_open(const char *dir, struct state **out);

struct state_opts {
	/* Map size (0: STATE_MAP_BYTES). It bounds the file; every
	 * process opening the directory should give the same. */
	size_t	map_bytes;
	/* Hold dir for this process alone until state_close (the daemon:
	 * two would deliver every webhook twice). Opens without it, the
	 * admin commands', are not held off. */
	int	exclusive;
};

/* As state_open with options. */
int	state_open_opts(const char *dir, const struct state_opts *opts,
	    struct state **out);

/*
 * Writes. Every write runs in a transaction that commits with LMDB's own
 * sync, so what any reader sees is on disk. In the daemon one writer
 * thread of the state's own owns every write transaction: the writes
 * queued while it commits form its next batch, each in a transaction
 * nested in the batch's (one that fails aborts only itself), and one
 * durable commit serves them all. The loop never waits for the disk.
 */

/* The outcome of a write, handed to its callback on the loop. */
struct state_result {
	int		 err;		/* 0 or FZ_E* */
	/* The record written (or, per call, the one in the way). The
	 * callback takes it by setting it to NULL; else it is freed after. */
	json_t		*data;
	const char	*field;		/* static: the input at fault, or NULL */
	uint64_t	 n;		/* a count or a sequence, per call */
};

/* Runs once per write, on the loop thread (without a writer thread, on
 * the caller's, before the write call returns). */
typedef void state_done_cb(struct state_result *res, void *arg);

/* For writes nothing waits for: logs a failure as "could not <what>:
 * <error>", what being the static string passed as arg. */
void	state_warn_cb(struct state_result *res, void *what);

/* Copies res into arg (a struct state_result), data included (caller
 * decrefs): for callers with no writer thread, whose callback has run
 * by the time the write call returns (admin commands, tests). */
void	state_keep_cb(struct state_result *res, void *arg);

/*
 * Starts the writer thread, reporting on base. From now on writes queue
 * and their callbacks run on base's loop. Returns 0, FZ_ENOMEM or
 * FZ_ESYS (no thread). Loop thread, once.
 */
int	state_start(struct state *st, struct event_base *base);

/* Lets the writer finish every write queued, runs their callbacks and
 * stops it; later writes run at once on the calling thread. No-op
 * without a writer. Loop thread. */
void	state_stop(struct state *st);

/* Writes queued and not yet called back (0 without a writer). */
size_t	state_pending(const struct state *st);

/* Called on the loop after each batch the writer committed: ops writes
 * it committed (a batch whose every write failed commits nothing and is
 * not reported), took_us how long its durable commit took. Set after
 * state_start; state_stop drops it. */
typedef void state_commit_cb(void *arg, size_t ops, int64_t took_us);
void	state_on_commit(struct state *st, state_commit_cb *cb, void *arg);

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

/* Sets name to value; durable when it returns. Returns 0, FZ_ESTORE,
 * or FZ_ECONFLICT once a writer thread runs (start-up and the admin
 * commands only). */
int	state_meta_put(struct state *st, const char *name, const char *value);

#endif
