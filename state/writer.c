#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/clock.h"
#include "common/fz.h"
#include "common/log.h"
#include "state/headroom.h"
#include "state/spacing.h"
#include "state/writer.h"

/* A batch's dirty pages live in memory until its commit, and LMDB bounds
 * them per transaction: past this many ops the rest wait for the next. */
#define WRITER_BATCH_MAX	1024

/* Finished ops the loop completes per wake-up; see writer_drain. */
#define WRITER_DRAIN_MAX	8

/* How far below the process's nice level the thread asks to run. */
#define WRITER_NICE_BOOST	10

struct writer {
	struct state		*st;
	MDB_env			*env;
	struct headroom		 room;		/* thread only */
	struct event		*done_ev;
	int			 pipe[2];	/* thread writes, loop reads */
	pthread_t		 thread;
	int			 running;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	/* Under mu. */
	struct state_op		*queue, **queue_tail;
	struct state_op		*done, **done_tail;
	int			 quit;
	size_t			 queued;
	size_t			 prompt;	/* queued ops with op->prompt */
	int			 spaced;	/* spacing_sample's verdict */
	/* Loop thread only. */
	struct state_op		*draining;	/* taken from done, unfinished */
	size_t			 draining_n;	/* its batch's ok count ... */
	int64_t			 draining_us;	/* ... and commit time */
	struct spacing		 spacing;
	uint64_t		 writes;	/* ever submitted */
	size_t			 pending;
	state_commit_cb		*commit_cb;
	void			*commit_arg;
};

int
writer_apply(MDB_txn *txn, struct state *st, struct state_op *op)
{
	int err;

	err = op->fn(txn, st, op);
	if (err == 0 && op->rider != NULL)
		err = op->rider(txn, st, op->rider_arg);
	return err;
}

void
writer_finish(struct state_op *op)
{
	if (op->res.err == 0 && op->rider_committed != NULL)
		*op->rider_committed = 1;
	free(op->rider_arg);
	op->rider_arg = NULL;
	if (op->done != NULL)
		op->done(&op->res, op->done_arg);
	else if (op->res.err != 0)
		log_warn("a background write failed: %s",
		    fz_strerror(op->res.err));
	json_decref(op->res.data);
	op->res.data = NULL;
	if (op->free_fn != NULL)
		op->free_fn(op);
	else
		free(op);
}

/* Marks every op of list failed with err: when a batch is not
 * committed, even an op's own refusal may rest on an earlier op of the
 * batch (a repeat of a report the batch journaled), so none of their
 * outcomes stands. */
static void
writer_fail_all(struct state_op *list, int err)
{
	struct state_op *op;

	for (op = list; op != NULL; op = op->next) {
		op->res.err = err;
		op->res.field = NULL;
		json_decref(op->res.data);
		op->res.data = NULL;
	}
}

/* Runs list, each op in a transaction nested in one, and commits them
 * durably together; *ok gets how many ops that committed. Returns 0, or
 * FZ_ESTORE if the batch could not be committed (every op then
 * failed). */
static int
writer_commit(struct writer *w, struct state_op *list, size_t *ok)
{
	MDB_txn *txn = NULL, *child;
	struct state_op *op;
	int rc, err;

	*ok = 0;
	if ((rc = mdb_txn_begin(w->env, NULL, 0, &txn)) != 0) {
		/* MDB_MAP_RESIZED among others: another process opened the
		 * map larger, which only a restart may adopt. */
		log_err("lmdb: write transaction: %s", mdb_strerror(rc));
		writer_fail_all(list, FZ_ESTORE);
		return FZ_ESTORE;
	}
	for (op = list; op != NULL; op = op->next) {
		if ((rc = mdb_txn_begin(w->env, txn, 0, &child)) != 0) {
			op->res.err = state_mdb_err(rc);
			continue;
		}
		if ((err = writer_apply(child, w->st, op)) == 0)
			err = state_mdb_err(mdb_txn_commit(child));
		else
			mdb_txn_abort(child);
		if ((op->res.err = err) == 0)
			(*ok)++;
	}
	if (*ok == 0) {
		mdb_txn_abort(txn);
		return 0;
	}
	if ((rc = mdb_txn_commit(txn)) != 0) {
		log_err("lmdb: commit of %zu writes: %s", *ok, mdb_strerror(rc));
		writer_fail_all(list, FZ_ESTORE);
		*ok = 0;
		return FZ_ESTORE;
	}
	return 0;
}

/* The writer thread's nice levels. */
struct writer_nice {
	int	 base;		/* the process's */
	int	 boost;		/* what writer_boost obtained */
	int	 now;		/* the thread's */
};

/*
 * Every write's answer waits for this thread's commits, whose bursts of
 * CPU are short; sharing a core with the loop, the thread ran late by
 * about a third of a commit, and every answer with it. Ahead of the
 * loop, it waits for the disk only. Best effort: CAP_SYS_NICE or
 * RLIMIT_NICE (the unit's LimitNICE=) allow it; a refusal is logged and
 * changes nothing else. While commits are spaced (state/spacing.h:
 * reads keep the loop busy), writer_main puts the thread back at the
 * process's level: then every I/O wake-up of the thread (four or five
 * a commit) would otherwise preempt the loop in the middle of the reads
 * it is serving, and the writes can wait.
 */
static void
writer_boost(struct writer_nice *wn)
{
	struct rlimit rl;
	pid_t tid = gettid();
	int cur, want, lowest;

	errno = 0;
	cur = getpriority(PRIO_PROCESS, (id_t)tid);
	if (errno != 0)
		return;
	wn->base = wn->boost = cur;
	wn->now = cur;
	want = cur - WRITER_NICE_BOOST < -20 ? -20 : cur - WRITER_NICE_BOOST;
	if (want >= cur)
		return;
	if (setpriority(PRIO_PROCESS, (id_t)tid, want) == 0) {
		log_info("state: writer thread at nice %d", want);
		wn->boost = wn->now = want;
		return;
	}
	/* Without the capability, RLIMIT_NICE says how far one may go. */
	lowest = getrlimit(RLIMIT_NICE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur <= 40 ?
	    20 - (int)rl.rlim_cur : 20;
	if (lowest > want && lowest < cur &&
	    setpriority(PRIO_PROCESS, (id_t)tid, lowest) == 0) {
		log_info("state: writer thread at nice %d (RLIMIT_NICE)",
		    lowest);
		wn->boost = wn->now = lowest;
		return;
	}
	log_info("state: writer thread left at nice %d (%s); writes answer "
	    "later when the loop keeps its core busy", cur, strerror(errno));
}

/* Waits, under w->mu, while spacing_hold_us says the queued batch is
 * to grow; a write that fills the batch, a prompt one, or quit ends the
 * wait early. */
static void
writer_hold(struct writer *w, size_t last_n, int64_t taken)
{
	struct timespec ts;
	int64_t hold;

	while (!w->quit && (hold = spacing_hold_us(w->spaced, w->queued,
	    w->prompt, last_n, clock_mono_us() - taken)) > 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += hold / 1000000;
		ts.tv_nsec += (long)(hold % 1000000) * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&w->cv, &w->mu, &ts);
	}
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	struct state_op *list, *op, **tail;
	size_t n, prompt, last_n = 0;
	int64_t t0, taken = 0;
	struct writer_nice wn = { 0, 0, 0 };
	ssize_t wr;
	int wrote, want;

	writer_boost(&wn);
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->queue == NULL && !w->quit)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->queue == NULL)
			break;
		writer_hold(w, last_n, taken);
		taken = clock_mono_us();
		list = w->queue;
		prompt = list->prompt != 0;
		for (n = 1, tail = &list->next; *tail != NULL &&
		    n < WRITER_BATCH_MAX; n++) {
			prompt += (*tail)->prompt != 0;
			tail = &(*tail)->next;
		}
		if ((w->queue = *tail) == NULL)
			w->queue_tail = &w->queue;
		*tail = NULL;
		w->queued -= n;
		w->prompt -= prompt;
		last_n = n;
		/* A prompt write is waited on: the boost stays for it. */
		want = w->spaced && prompt == 0 ? wn.base : wn.boost;
		pthread_mutex_unlock(&w->mu);
		if (want != wn.now && setpriority(PRIO_PROCESS,
		    (id_t)gettid(), want) == 0)
			wn.now = want;

		t0 = clock_mono_us();
		list->batch_err = writer_commit(w, list, &list->batch_ok);
		list->batch_head = 1;
		list->batch_us = clock_mono_us() - t0;
		/* Read before the loop may take and free the batch. */
		wrote = list->batch_err == 0 && list->batch_ok > 0;

		pthread_mutex_lock(&w->mu);
		*w->done_tail = list;
		for (op = list; op->next != NULL; op = op->next)
			;
		w->done_tail = &op->next;
		/* A full pipe already holds a wake-up: the loop takes every
		 * finished batch on each. */
		do
			wr = write(w->pipe[1], "", 1);
		while (wr < 0 && errno == EINTR);
		if (wrote) {
			pthread_mutex_unlock(&w->mu);
			headroom_keep(&w->room);
			pthread_mutex_lock(&w->mu);
		}
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/*
 * Finishes, in order, up to max ops (0: all) of the batches committed so
 * far. A batch holds up to WRITER_BATCH_MAX writes, and each answer is
 * a system call or more: given in one go, a large batch's answers would
 * hold back every read that is ready meanwhile for as long. So the
 * loop finishes WRITER_DRAIN_MAX at a time and activates the event
 * again, behind the events already ready. Each batch's commit_cb runs
 * once its last op is finished.
 */
static void
writer_drain(struct writer *w, size_t max)
{
	struct state_op *op;
	size_t k;

	for (k = 0;; k++) {
		/* Taken again when empty: the wake-up of a batch finished
		 * meanwhile may have been read already. */
		if (w->draining == NULL) {
			pthread_mutex_lock(&w->mu);
			w->draining = w->done;
			w->done = NULL;
			w->done_tail = &w->done;
			pthread_mutex_unlock(&w->mu);
		}
		if ((op = w->draining) == NULL)
			break;
		if (max > 0 && k == max) {
			event_active(w->done_ev, EV_READ, 0);
			return;
		}
		w->draining = op->next;
		if (op->batch_head) {
			if (w->draining_n > 0 && w->commit_cb != NULL)
				w->commit_cb(w->commit_arg, w->draining_n,
				    w->draining_us);
			w->draining_n = op->batch_ok;
			w->draining_us = op->batch_us;
			state_wrote(w->st, op->batch_err);
		}
		w->pending--;
		writer_finish(op);
	}
	if (w->draining_n > 0 && w->commit_cb != NULL)
		w->commit_cb(w->commit_arg, w->draining_n, w->draining_us);
	w->draining_n = 0;
}

static void
writer_done_cb(evutil_socket_t fd, short what, void *arg)
{
	char buf[64];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	writer_drain(arg, WRITER_DRAIN_MAX);
}

struct writer *
writer_new(struct state *st, MDB_env *env, struct event_base *base)
{
	pthread_condattr_t ca;
	struct writer *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->st = st;
	w->env = env;
	w->pipe[0] = w->pipe[1] = -1;
	w->queue_tail = &w->queue;
	w->done_tail = &w->done;
	(void)spacing_open(&w->spacing);
	pthread_mutex_init(&w->mu, NULL);
	/* writer_hold's deadlines are on the monotonic clock; glibc's
	 * condattr calls cannot fail with these arguments. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	(void)headroom_init(&w->room, env);
	if (pipe2(w->pipe, O_CLOEXEC | O_NONBLOCK) != 0 ||
	    (w->done_ev = event_new(base, w->pipe[0], EV_READ | EV_PERSIST,
	    writer_done_cb, w)) == NULL || event_add(w->done_ev, NULL) != 0)
		goto fail;
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		log_err("state: no writer thread");
		goto fail;
	}
	w->running = 1;
	return w;
fail:
	writer_free(w);
	return NULL;
}

void
writer_submit(struct writer *w, struct state_op *op)
{
	int64_t now;
	int spaced;

	op->next = NULL;
	op->batch_head = 0;
	op->batch_ok = 0;
	op->batch_err = 0;
	w->pending++;
	now = clock_mono_us();
	w->writes++;
	if (now - w->spacing.at_us >= SPACING_PERIOD_MS * 1000)
		spaced = spacing_sample(&w->spacing, now, state_reads(w->st),
		    w->writes);
	else
		spaced = w->spacing.on;
	pthread_mutex_lock(&w->mu);
	*w->queue_tail = op;
	w->queue_tail = &op->next;
	w->spaced = spaced;
	if (op->prompt)
		w->prompt++;
	/* Only these can end a wait: the queue was empty, or writer_hold
	 * holds a batch that is now full or must go now. */
	if (++w->queued == 1 || w->queued == SPACING_FILL || op->prompt)
		pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

size_t
writer_pending(const struct writer *w)
{
	return w->pending;
}

void
writer_on_commit(struct writer *w, state_commit_cb *cb, void *arg)
{
	w->commit_cb = cb;
	w->commit_arg = arg;
}

void
writer_free(struct writer *w)
{
	if (w == NULL)
		return;
	if (w->running) {
		pthread_mutex_lock(&w->mu);
		w->quit = 1;
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
		writer_drain(w, 0);
	}
	if (w->done_ev != NULL)
		event_free(w->done_ev);
	if (w->pipe[0] >= 0)
		close(w->pipe[0]);
	if (w->pipe[1] >= 0)
		close(w->pipe[1]);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	spacing_close(&w->spacing);
	free(w);
}
