/*
 * tmpdir.h: temporary directories for the unit tests that open a state,
 * and the cmocka fixture that holds one.
 */
#ifndef FZ_TESTS_TMPDIR_H
#define FZ_TESTS_TMPDIR_H

#include <pthread.h>
#include <stddef.h>

#include "state/env.h"
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

/*
 * A write's outcome, for tests that start no writer thread: then the
 * write's callback has run by the time the write call returns. Pass
 * state_keep_cb and r, r made ready with tmpdir_keep (which marks it
 * TMPDIR_UNCALLED, an error no write gives); tmpdir_kept then fails the
 * test if the callback has not run, hands r's data to *out (the caller
 * decrefs it; out NULL: dropped) and returns r's err. E.g.:
 *
 *	tmpdir_keep(&r);
 *	projects_create(st, ws, body, now, state_keep_cb, &r);
 *	err = tmpdir_kept(&r, &out);
 */
#define TMPDIR_UNCALLED	(-7777)
void	tmpdir_keep(struct state_result *r);
int	tmpdir_kept(struct state_result *r, json_t **out);

/*
 * A write that holds the writer thread (state_start) until opened, so
 * that the writes queued behind it meanwhile make up the writer's next
 * batch, all of them. tmpdir_gate_submit queues it and returns once the
 * writer holds in it (at once, the gate writing nothing, if no writer
 * thread runs: then g->held stays 0). tmpdir_gate_open lets it go on;
 * its callback sets g->done. The gate must outlive its write's
 * callback.
 */
struct tmpdir_gate {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	pthread_t	 submitter;
	int		 held;		/* the writer holds in it */
	int		 open;
	int		 done;		/* its callback ran */
	int		 err;		/* its outcome */
};
void	tmpdir_gate_submit(struct state *st, struct tmpdir_gate *g);
void	tmpdir_gate_open(struct tmpdir_gate *g);
void	tmpdir_gate_free(struct tmpdir_gate *g);

/* Runs base's loop, one round at a time, until *count reaches n (the
 * callbacks of writes queued with a writer thread count themselves). */
struct event_base;
void	tmpdir_loop_until(struct event_base *base, const int *count, int n);

#endif
