/*
 * tmpdir.h: temporary directories for the unit tests that open a state,
 * and the cmocka fixture that holds one.
 */
#ifndef FZ_TESTS_TMPDIR_H
#define FZ_TESTS_TMPDIR_H

#include <stddef.h>

#include "state/state.h"

#define TMPDIR_SIZE	64

/* The first member of every state test's fixture. */
struct tmpdir_fixture {
	char		 dir[TMPDIR_SIZE];
	struct state	*st;
};

/* Removes the files directly in dir, then dir. Returns 0 or -1. */
int	tmpdir_remove(const char *dir);

/*
 * Allocates a zeroed fixture of size bytes that starts with a struct
 * tmpdir_fixture, and opens its state with opts (NULL: the defaults) in a
 * fresh directory "/tmp/fzrelay-test-<name>.XXXXXX". Returns it, or NULL
 * having left nothing behind.
 */
void	*tmpdir_fixture_new(size_t size, const char *name,
	    const struct state_opts *opts);

/* cmocka teardown of such a fixture (*state; NULL is fine): closes its
 * state, removes its directory and frees it. Returns 0. */
int	tmpdir_fixture_free(void **state);

#endif
