#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "tests/unit/tmpdir.h"

int
tmpdir_remove(const char *dir)
{
	char path[512];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	return rmdir(dir);
}

void *
tmpdir_fixture_new(size_t size, const char *name,
    const struct state_opts *opts)
{
	static const struct state_opts defaults = { 0, 0 };
	struct tmpdir_fixture *t;

	if (size < sizeof(*t) || (t = calloc(1, size)) == NULL)
		return NULL;
	if ((size_t)snprintf(t->dir, sizeof(t->dir),
	    "/tmp/fzrelay-test-%s.XXXXXX", name) >= sizeof(t->dir) ||
	    mkdtemp(t->dir) == NULL) {
		free(t);
		return NULL;
	}
	if (state_open_opts(t->dir, opts != NULL ? opts : &defaults,
	    &t->st) != 0) {
		tmpdir_remove(t->dir);
		free(t);
		return NULL;
	}
	return t;
}

int
tmpdir_fixture_free(void **state)
{
	struct tmpdir_fixture *t = *state;

	if (t != NULL) {
		state_close(t->st);
		tmpdir_remove(t->dir);
		free(t);
	}
	*state = NULL;
	return 0;
}

void
tmpdir_keep(struct state_result *r)
{
	memset(r, 0, sizeof(*r));
	r->err = TMPDIR_UNCALLED;
}

int
tmpdir_kept(struct state_result *r, json_t **out)
{
	/* No writer thread: the callback has run by now. */
	assert_int_not_equal(r->err, TMPDIR_UNCALLED);
	if (out != NULL)
		*out = r->data;
	else
		json_decref(r->data);
	r->data = NULL;
	return r->err;
}

struct tmpdir_gate_op {
	struct state_op		 op;	/* first */
	struct tmpdir_gate	*g;
};

static int
tmpdir_gate_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct tmpdir_gate *g = ((struct tmpdir_gate_op *)arg)->g;

	(void)txn;
	(void)st;
	if (pthread_equal(pthread_self(), g->submitter))
		return 0;	/* no writer thread: nothing to hold */
	pthread_mutex_lock(&g->mu);
	g->held = 1;
	pthread_cond_broadcast(&g->cv);
	while (!g->open)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
	return 0;
}

static void
tmpdir_gate_done(struct state_result *res, void *arg)
{
	struct tmpdir_gate *g = arg;

	g->err = res->err;
	g->done++;
}

void
tmpdir_gate_submit(struct state *st, struct tmpdir_gate *g)
{
	struct tmpdir_gate_op *op;

	memset(g, 0, sizeof(*g));
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	g->submitter = pthread_self();
	g->err = TMPDIR_UNCALLED;
	op = calloc(1, sizeof(*op));
	assert_non_null(op);
	op->op.fn = tmpdir_gate_fn;
	op->op.done = tmpdir_gate_done;
	op->op.done_arg = g;
	op->g = g;
	state_submit(st, &op->op);
	if (g->done)
		return;
	pthread_mutex_lock(&g->mu);
	while (!g->held)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
}

void
tmpdir_gate_open(struct tmpdir_gate *g)
{
	pthread_mutex_lock(&g->mu);
	g->open = 1;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

void
tmpdir_gate_free(struct tmpdir_gate *g)
{
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
}

void
tmpdir_loop_until(struct event_base *base, const int *count, int n)
{
	/* 1 would be a loop with nothing to wait for: never done. */
	while (*count < n)
		assert_int_equal(event_base_loop(base, EVLOOP_ONCE), 0);
}
