/*
 * writer.h: the thread that owns every write transaction of the daemon;
 * for state/env.c only.
 *
 * Writes queue on the loop (writer_submit). The thread takes everything
 * queued (at once, or after a hold of a few ms while the loop is busy:
 * state/spacing.h), runs each op in a transaction nested in one batch
 * transaction (an op that fails aborts only its own), commits the batch
 * with LMDB's own sync, and hands the ops back to the loop through a
 * pipe; there each op's rider flag is set, its callback runs and it is
 * freed, in the order the ops were queued. Reads stay on the loop and
 * see only what a durable commit made visible.
 */
#ifndef FZ_STATE_WRITER_H
#define FZ_STATE_WRITER_H

#include <lmdb.h>

#include "state/env.h"

struct event_base;
struct writer;

/* Returns a running writer on env for st (both borrowed, outliving it),
 * reporting on base, or NULL (FZ_ENOMEM or no thread; logged). */
struct writer	*writer_new(struct state *st, MDB_env *env,
		    struct event_base *base);

/* Queues op (taken). Loop thread. */
void	writer_submit(struct writer *w, struct state_op *op);

/* Ops queued and not yet finished. Loop thread. */
size_t	writer_pending(const struct writer *w);

/* See state_on_commit. */
void	writer_on_commit(struct writer *w, state_commit_cb *cb, void *arg);

/* Lets the thread commit what is queued, stops it, finishes every op
 * and frees w; NULL is fine. Loop thread. */
void	writer_free(struct writer *w);

/* Runs op's fn and rider in txn. Returns their status. Any thread. */
int	writer_apply(MDB_txn *txn, struct state *st, struct state_op *op);

/* The loop's half of a finished op: the rider's flag if it committed,
 * the callback, then op is freed. */
void	writer_finish(struct state_op *op);

/* Called by the writer on the loop after a batch: err is FZ_ESTORE if
 * its commit failed (state_ready then reports it), else 0. In env.c. */
void	state_wrote(struct state *st, int err);

#endif
