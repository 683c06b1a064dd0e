/*
 * tmpdir.h: temporary directories for the unit tests that open a state.
 */
#ifndef FZ_TESTS_TMPDIR_H
#define FZ_TESTS_TMPDIR_H

#include <stddef.h>

#include "state/state.h"

#define TMPDIR_SIZE	64

/* Removes the files directly in dir, then dir. Returns 0 or -1. */
int	tmpdir_remove(const char *dir);

/*
 * Makes a fresh directory "/tmp/fzrelay-test-<name>.XXXXXX" in dir (at
 * least TMPDIR_SIZE bytes) and opens a state there with opts (NULL: the
 * defaults). Returns 0, or -1 having left nothing behind.
 */
int	tmpdir_state_open(char *dir, const char *name,
	    const struct state_opts *opts, struct state **st);

/* Closes st (may be NULL) and removes dir. */
void	tmpdir_state_close(const char *dir, struct state *st);

#endif
