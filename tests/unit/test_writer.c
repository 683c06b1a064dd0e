/*
 * test_writer.c: the state's writer thread (state/writer.c, through
 * state_start, state_submit, state_ride, state_on_commit, state_pending
 * and state_stop) against a temporary LMDB environment and a real event
 * loop. No sleeps: the loop runs until the callbacks counted have run,
 * and a gate write (tmpdir.h) holds the writer while a batch queues.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <lmdb.h>

#include "common/fz.h"
#include "state/env.h"
#include "state/state.h"
#include "tests/unit/tmpdir.h"

#define NOPS	24		/* writes a test queues, at most */

struct fixture {
	struct tmpdir_fixture	 t;	/* first: tmpdir_fixture_free */
	struct event_base	*base;
	pthread_t		 loop;		/* the test's thread */
	struct tmpdir_gate	 gate;
	int			 gated;		/* gate to free */
	/* What the callbacks saw, in the order they ran. */
	int			 ndone;
	int			 order[NOPS];
	int			 calls[NOPS];
	int			 err[NOPS];
	int			 on_loop[NOPS];
	int			 fn_on_loop[NOPS];	/* fn's thread */
	int			 committed_in_cb[NOPS];
	size_t			 pending_in_cb[NOPS];
	/* state_on_commit. */
	int			 nbatches;
	size_t			 batch_ops[NOPS];
	int			 batch_ndone[NOPS];	/* ndone then */
	/* Activated by write 0's callback; ndone when it ran, or -1. */
	struct event		*probe;
	int			 probe_ndone;
	int			 commit_on_loop;
	/* Rider calls. */
	int			 rider_calls;
	int			 rider_on_loop;
};

/* A write: puts key -> "v" in DB_META, then fails with FZ_EINVAL if
 * fail is set. */
struct t_op {
	struct state_op	 op;		/* first */
	struct fixture	*f;
	int		 i;		/* its index in the fixture's */
	char		 key[16];
	int		 fail;
	int		*committed;	/* its rider's flag, if any */
	const char	*big;		/* t_big_fn's value */
};

static int
t_op_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct t_op *op = arg;
	MDB_val k, v;
	int err;

	/* Only this op's own slot: the loop reads it after the callback. */
	op->f->fn_on_loop[op->i] = pthread_equal(pthread_self(), op->f->loop);
	k.mv_data = op->key;
	k.mv_size = strlen(op->key);
	v.mv_data = "v";
	v.mv_size = 1;
	if ((err = state_mdb_err(mdb_put(txn, state_dbi(st, DB_META), &k, &v,
	    0))) != 0)
		return err;
	return op->fail ? FZ_EINVAL : 0;
}

/* Puts key -> big in DB_META. */
static int
t_big_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct t_op *op = arg;
	MDB_val k, v;

	k.mv_data = op->key;
	k.mv_size = strlen(op->key);
	v.mv_data = (void *)op->big;
	v.mv_size = strlen(op->big);
	return state_mdb_err(mdb_put(txn, state_dbi(st, DB_META), &k, &v, 0));
}

static void
t_op_done(struct state_result *res, void *arg)
{
	struct t_op *op = arg;
	struct fixture *f = op->f;

	if (f->ndone < NOPS)
		f->order[f->ndone] = op->i;
	f->ndone++;
	f->calls[op->i]++;
	f->err[op->i] = res->err;
	f->on_loop[op->i] = pthread_equal(pthread_self(), f->loop);
	f->committed_in_cb[op->i] = op->committed != NULL ? *op->committed :
	    -1;
	f->pending_in_cb[op->i] = state_pending(f->t.st);
	if (op->i == 0 && f->probe != NULL)
		event_active(f->probe, 0, 0);
}

/* Queues write i of key (failing if fail); committed: its rider's flag
 * (NULL: none), for the callback to look at. */
static void
submit(struct fixture *f, int i, const char *key, int fail, int *committed)
{
	struct t_op *op;

	assert_true(i >= 0 && i < NOPS);
	assert_non_null(op = calloc(1, sizeof(*op)));
	op->op.fn = t_op_fn;
	op->op.done = t_op_done;
	op->op.done_arg = op;
	op->f = f;
	op->i = i;
	snprintf(op->key, sizeof(op->key), "%s", key);
	op->fail = fail;
	op->committed = committed;
	state_submit(f->t.st, &op->op);
}

/* A rider: puts its arg (a malloc'd key) -> "r" in DB_META, then fails
 * with FZ_EINVAL if the key starts with "bad". */
static int
rider_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct fixture *f;
	MDB_val k, v;
	int err;

	memcpy(&f, arg, sizeof(f));
	f->rider_calls++;
	f->rider_on_loop = pthread_equal(pthread_self(), f->loop);
	k.mv_data = (char *)arg + sizeof(f);
	k.mv_size = strlen(k.mv_data);
	v.mv_data = "r";
	v.mv_size = 1;
	if ((err = state_mdb_err(mdb_put(txn, state_dbi(st, DB_META), &k, &v,
	    0))) != 0)
		return err;
	return strncmp(k.mv_data, "bad", 3) == 0 ? FZ_EINVAL : 0;
}

/* Returns a rider arg for key: the fixture, then the key (freed with
 * free() by the state). */
static void *
rider_arg(struct fixture *f, const char *key)
{
	char *a;

	assert_non_null(a = malloc(sizeof(f) + strlen(key) + 1));
	memcpy(a, &f, sizeof(f));
	strcpy(a + sizeof(f), key);
	return a;
}

static void
commit_cb(void *arg, size_t ops, int64_t took_us)
{
	struct fixture *f = arg;

	(void)took_us;
	if (f->nbatches < NOPS) {
		f->batch_ops[f->nbatches] = ops;
		f->batch_ndone[f->nbatches] = f->ndone;
	}
	f->nbatches++;
	f->commit_on_loop = pthread_equal(pthread_self(), f->loop);
}

/* 1 if key is in DB_META as a reader on the loop sees it, 0 if not. */
static int
visible(struct fixture *f, const char *key)
{
	char buf[8];
	int err = state_meta_get(f->t.st, key, buf, sizeof(buf));

	assert_true(err == 0 || err == FZ_ENOTFOUND);
	return err == 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f != NULL) {
		/* A test that failed with the writer held must not hang
		 * here: let it go before stopping it. */
		if (f->gated)
			tmpdir_gate_open(&f->gate);
		/* The writer reports on the base: stopped first. */
		state_close(f->t.st);
		f->t.st = NULL;
		if (f->gated)
			tmpdir_gate_free(&f->gate);
		if (f->probe != NULL)
			event_free(f->probe);
		if (f->base != NULL)
			event_base_free(f->base);
	}
	return tmpdir_fixture_free(state);
}

static int
setup(void **state)
{
	struct fixture *f;

	if ((f = tmpdir_fixture_new(sizeof(*f), "writer", NULL)) == NULL)
		return -1;
	*state = f;
	f->loop = pthread_self();
	if ((f->base = event_base_new()) == NULL ||
	    state_start(f->t.st, f->base) != 0) {
		teardown(state);
		return -1;
	}
	state_on_commit(f->t.st, commit_cb, f);
	return 0;
}

/* Holds the writer in a gate, so that what is queued next is one batch
 * (let go with gate_open). */
static void
gate_hold(struct fixture *f)
{
	tmpdir_gate_submit(f->t.st, &f->gate);
	f->gated = 1;
	assert_int_equal(f->gate.held, 1);
}

/* Every callback runs once, on the loop, in the order the writes were
 * queued, across batches; fn runs on the writer thread; what committed
 * is visible to the loop's reads. */
static void
test_callbacks_once_in_order_on_loop(void **state)
{
	struct fixture *f = *state;
	char key[16];
	int i;

	for (i = 0; i < NOPS; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		submit(f, i, key, 0, NULL);
	}
	/* Nothing is called back before the loop runs. */
	assert_int_equal(f->ndone, 0);
	assert_int_equal(state_pending(f->t.st), NOPS);
	tmpdir_loop_until(f->base, &f->ndone, NOPS);
	assert_int_equal(f->ndone, NOPS);
	assert_int_equal(state_pending(f->t.st), 0);
	for (i = 0; i < NOPS; i++) {
		assert_int_equal(f->order[i], i);
		assert_int_equal(f->calls[i], 1);
		assert_int_equal(f->err[i], 0);
		assert_int_equal(f->on_loop[i], 1);
		assert_int_equal(f->fn_on_loop[i], 0);
		/* Pending counts the writes not called back yet, this one
		 * excluded. */
		assert_int_equal(f->pending_in_cb[i], NOPS - 1 - i);
		snprintf(key, sizeof(key), "k%d", i);
		assert_true(visible(f, key));
	}
	/* No callback runs twice: more rounds of the loop call nothing. */
	assert_int_equal(event_base_loop(f->base, EVLOOP_NONBLOCK), 0);
	assert_int_equal(f->ndone, NOPS);
}

/* Writes queued while the writer commits form its next batch; one that
 * fails aborts its own transaction only, and a batch is reported on the
 * loop with its count of writes. */
static void
test_failing_write_aborts_only_itself(void **state)
{
	struct fixture *f = *state;

	gate_hold(f);
	submit(f, 0, "a", 0, NULL);
	submit(f, 1, "b", 1, NULL);
	submit(f, 2, "c", 0, NULL);
	assert_int_equal(state_pending(f->t.st), 4);
	tmpdir_gate_open(&f->gate);
	tmpdir_loop_until(f->base, &f->ndone, 3);
	assert_int_equal(f->gate.done, 1);
	assert_int_equal(f->gate.err, 0);
	assert_int_equal(f->err[0], 0);
	assert_int_equal(f->err[1], FZ_EINVAL);
	assert_int_equal(f->err[2], 0);
	assert_int_equal(f->calls[0] + f->calls[1] + f->calls[2], 3);
	assert_int_equal(f->order[0], 0);
	assert_int_equal(f->order[1], 1);
	assert_int_equal(f->order[2], 2);
	assert_true(visible(f, "a"));
	assert_false(visible(f, "b"));
	assert_true(visible(f, "c"));
	/* The gate's batch, then the three together, of which two
	 * committed. */
	assert_int_equal(f->nbatches, 2);
	assert_int_equal(f->batch_ops[0], 1);
	assert_int_equal(f->batch_ops[1], 2);
	assert_int_equal(f->commit_on_loop, 1);
	assert_int_equal(state_pending(f->t.st), 0);
	assert_int_equal(state_ready(f->t.st), 0);
}

/* A rider goes with the next write queued, in its transaction: its flag
 * is set (before the write's callback) only if that write committed, and
 * the write after carries nothing. */
static void
test_rider(void **state)
{
	struct fixture *f = *state;
	int ok = 0, failed = 0;

	state_ride(f->t.st, rider_fn, rider_arg(f, "ride1"), &ok);
	submit(f, 0, "w1", 0, &ok);
	submit(f, 1, "w2", 0, NULL);
	tmpdir_loop_until(f->base, &f->ndone, 2);
	assert_int_equal(f->err[0], 0);
	assert_int_equal(ok, 1);
	assert_int_equal(f->committed_in_cb[0], 1);
	assert_int_equal(f->rider_calls, 1);
	assert_int_equal(f->rider_on_loop, 0);
	assert_true(visible(f, "ride1"));
	assert_true(visible(f, "w1"));

	/* Its write fails: neither reaches the disk, the flag stays 0. */
	state_ride(f->t.st, rider_fn, rider_arg(f, "ride2"), &failed);
	submit(f, 2, "w3", 1, &failed);
	submit(f, 3, "w4", 0, NULL);
	tmpdir_loop_until(f->base, &f->ndone, 4);
	assert_int_equal(f->err[2], FZ_EINVAL);
	assert_int_equal(f->err[3], 0);
	assert_int_equal(failed, 0);
	assert_int_equal(f->committed_in_cb[2], 0);
	/* The rider of a write whose fn failed does not run at all. */
	assert_int_equal(f->rider_calls, 1);
	assert_false(visible(f, "ride2"));
	assert_false(visible(f, "w3"));
	assert_true(visible(f, "w4"));
	assert_int_equal(ok, 1);

	/* A rider that fails fails its write: neither reaches the disk. */
	state_ride(f->t.st, rider_fn, rider_arg(f, "bad1"), &failed);
	submit(f, 4, "w5", 0, &failed);
	tmpdir_loop_until(f->base, &f->ndone, 5);
	assert_int_equal(f->err[4], FZ_EINVAL);
	assert_int_equal(f->rider_calls, 2);
	assert_int_equal(failed, 0);
	assert_int_equal(f->committed_in_cb[4], 0);
	assert_false(visible(f, "bad1"));
	assert_false(visible(f, "w5"));

	/* Dropped before any write took it: it goes with none. */
	state_ride(f->t.st, rider_fn, rider_arg(f, "ride3"), &failed);
	state_ride_end(f->t.st);
	submit(f, 5, "w6", 0, NULL);
	tmpdir_loop_until(f->base, &f->ndone, 6);
	assert_int_equal(f->err[5], 0);
	assert_int_equal(f->rider_calls, 2);
	assert_false(visible(f, "ride3"));
	assert_true(visible(f, "w6"));
	assert_int_equal(failed, 0);
}

/* state_stop lets the writer finish what is queued and runs those
 * callbacks before it returns; after it, writes run at once again. */
static void
test_stop_finishes_queued(void **state)
{
	struct fixture *f = *state;
	int i;

	for (i = 0; i < 4; i++)
		submit(f, i, i % 2 ? "odd" : "even", 0, NULL);
	assert_int_equal(state_pending(f->t.st), 4);
	state_stop(f->t.st);
	assert_int_equal(f->ndone, 4);
	assert_int_equal(state_pending(f->t.st), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(f->order[i], i);
		assert_int_equal(f->calls[i], 1);
		assert_int_equal(f->err[i], 0);
		assert_int_equal(f->on_loop[i], 1);
	}
	assert_true(visible(f, "odd"));
	assert_true(visible(f, "even"));

	/* No writer: the callback has run when state_submit returns, fn
	 * on this thread. */
	submit(f, 4, "now", 0, NULL);
	assert_int_equal(f->ndone, 5);
	assert_int_equal(f->calls[4], 1);
	assert_int_equal(f->err[4], 0);
	assert_int_equal(f->fn_on_loop[4], 1);
	assert_int_equal(f->pending_in_cb[4], 0);
	assert_true(visible(f, "now"));
	assert_int_equal(state_meta_put(f->t.st, "direct", "1"), 0);
	assert_true(visible(f, "direct"));
	/* Stopping again is a no-op. */
	state_stop(f->t.st);
	assert_int_equal(f->ndone, 5);
}

/* A write too big for the map fails alone with FZ_ETOOBIG, in a batch
 * whose other writes commit; the state goes on. */
static void
test_map_full_fails_that_write_alone(void **state)
{
	static const struct state_opts small = { 256 << 10, 0 };
	struct fixture *f = *state;
	struct t_op *op;
	size_t size = 300 << 10;
	char *big;

	state_close(f->t.st);
	f->t.st = NULL;
	assert_int_equal(state_open_opts(f->t.dir, &small, &f->t.st), 0);
	assert_int_equal(state_start(f->t.st, f->base), 0);
	state_on_commit(f->t.st, commit_cb, f);
	gate_hold(f);
	submit(f, 0, "a", 0, NULL);
	/* One of size bytes, under key "big". */
	assert_non_null(big = malloc(size));
	memset(big, 'x', size - 1);
	big[size - 1] = '\0';
	assert_non_null(op = calloc(1, sizeof(*op)));
	op->op.fn = t_big_fn;
	op->op.done = t_op_done;
	op->op.done_arg = op;
	op->f = f;
	op->i = 1;
	op->big = big;
	strcpy(op->key, "big");
	state_submit(f->t.st, &op->op);
	submit(f, 2, "c", 0, NULL);
	tmpdir_gate_open(&f->gate);
	tmpdir_loop_until(f->base, &f->ndone, 3);
	free(big);
	assert_int_equal(f->err[0], 0);
	assert_int_equal(f->err[1], FZ_ETOOBIG);
	assert_int_equal(f->err[2], 0);
	assert_int_equal(f->nbatches, 2);
	assert_int_equal(f->batch_ops[1], 2);
	assert_true(visible(f, "a"));
	assert_false(visible(f, "big"));
	assert_true(visible(f, "c"));
	assert_int_equal(state_ready(f->t.st), 0);
	submit(f, 3, "d", 0, NULL);
	tmpdir_loop_until(f->base, &f->ndone, 4);
	assert_int_equal(f->err[3], 0);
	assert_true(visible(f, "d"));
}

static int
put_direct(MDB_txn *txn, struct state *st, void *arg)
{
	MDB_val k, v;

	k.mv_data = arg;
	k.mv_size = strlen(arg);
	v.mv_data = "d";
	v.mv_size = 1;
	return state_mdb_err(mdb_put(txn, state_dbi(st, DB_META), &k, &v, 0));
}

/* While the writer runs, a write of one's own transaction is refused
 * (it would wait on the writer's lock from the loop), and writes nothing. */
static void
test_write_refused_while_writer_runs(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(state_write(f->t.st, put_direct, "direct"),
	    FZ_ECONFLICT);
	assert_int_equal(state_meta_put(f->t.st, "meta", "1"), FZ_ECONFLICT);
	assert_false(visible(f, "direct"));
	assert_false(visible(f, "meta"));
	assert_int_equal(state_pending(f->t.st), 0);
	state_stop(f->t.st);
	assert_int_equal(state_write(f->t.st, put_direct, "direct"), 0);
	assert_true(visible(f, "direct"));
}

static void
probe_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fixture *f = arg;

	(void)fd;
	(void)what;
	f->probe_ndone = f->ndone;
}

/* A big batch's callbacks are not run in one go: an event that became
 * ready while they run (a poll's request, say) is served before the
 * last of them; the batch is reported once, after its last callback. */
static void
test_batch_answers_leave_room(void **state)
{
	struct fixture *f = *state;
	char key[16];
	int i;

	assert_non_null(f->probe = event_new(f->base, -1, 0, probe_cb, f));
	f->probe_ndone = -1;
	gate_hold(f);
	for (i = 0; i < NOPS; i++) {
		snprintf(key, sizeof(key), "b%d", i);
		submit(f, i, key, 0, NULL);
	}
	tmpdir_gate_open(&f->gate);
	tmpdir_loop_until(f->base, &f->ndone, NOPS);
	for (i = 0; i < NOPS; i++) {
		assert_int_equal(f->order[i], i);
		assert_int_equal(f->err[i], 0);
	}
	assert_int_equal(event_base_loop(f->base, EVLOOP_NONBLOCK), 0);
	assert_true(f->probe_ndone >= 1);
	assert_true(f->probe_ndone < NOPS);
	/* The gate's batch, then the NOPS writes queued behind it. */
	assert_int_equal(f->nbatches, 2);
	assert_int_equal(f->batch_ops[1], NOPS);
	assert_int_equal(f->batch_ndone[1], NOPS);
	assert_int_equal(state_pending(f->t.st), 0);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_callbacks_once_in_order_on_loop),
		T(test_failing_write_aborts_only_itself),
		T(test_rider),
		T(test_stop_finishes_queued),
		T(test_map_full_fails_that_write_alone),
		T(test_write_refused_while_writer_runs),
		T(test_batch_answers_leave_room),
	};

	/* A watchdog, not a timing check: a writer that never reports
	 * would leave the loop waiting forever. */
	alarm(120);
	return cmocka_run_group_tests_name("writer", tests, NULL, NULL);
}
