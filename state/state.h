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

struct state;

/*
 * Opens (creating with mode 0700 if needed) the environment in dir.
 * Returns 0 and sets *out (caller frees with state_close), FZ_ESYS (dir
 * could not be made; errno set) or FZ_ESTORE. Loop thread only: one
 * struct state per process.
 */
int	state_open(const char *dir, struct state **out);

/* As state_open with an initial map of map_bytes (rounded up to whole
 * pages by LMDB; 0 for the default of 64 MiB). The map still grows on
 * demand: a small one only makes the first growth come sooner. */
int	state_open_map(const char *dir, size_t map_bytes, struct state **out);

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

/* Small named settings the daemon keeps for itself (e.g. the demo
 * workspace's id). state_meta_get copies the value, NUL-terminated, into
 * buf. Returns 0, FZ_ENOTFOUND, FZ_ETOOBIG (buf too small) or
 * FZ_ESTORE. */
int	state_meta_get(struct state *st, const char *name, char *buf,
	    size_t size);

/* Sets name to value; durable when it returns. Returns 0 or FZ_ESTORE. */
int	state_meta_put(struct state *st, const char *name, const char *value);

#endif
