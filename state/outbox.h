/*
 * outbox.h: the durable delivery queue: one delivery per (subscription,
 * event), created in the transaction that journals the event, kept until
 * the receiver acknowledges it or its retries run out.
 *
 * The queue is ordered by due time, so the worker reads only what is due;
 * a second index by sequence tells retention which events are still owed.
 * Each delivery keeps a record of its attempts for GET .../deliveries:
 *   {"hookId", "seq", "eventId", "status": "pending"|"delivered"|"failed",
 *    "attempts", "nextAttemptAt", "history": [{"at", "statusCode",
 *    "latencyMs", "error"}, ...]}   (the last OUTBOX_HISTORY attempts)
 */
#ifndef FZ_STATE_OUTBOX_H
#define FZ_STATE_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "state/state.h"

#include "common/fz.h"

struct state;

#define OUTBOX_HISTORY	10

struct outbox_item {
	char		hook_id[FZ_ID_SIZE];
	uint64_t	seq;
	int64_t		due_ms;
	unsigned	attempts;	/* made so far */
};

/* Skips deliveries the worker already has in flight. */
typedef int outbox_busy_cb(const char *hook_id, uint64_t seq, void *arg);

/* Fills items[0..max-1] with deliveries due by now_ms, earliest first,
 * not busy; sets *n. Reads see only durable commits, so none is of an
 * event a power cut could take back. Returns 0 or FZ_E*. */
int	outbox_due(struct state *st, int64_t now_ms, struct outbox_item *items,
	    size_t max, outbox_busy_cb *busy, void *arg, size_t *n);

/* Sets *n to the number of deliveries queued. */
int	outbox_depth(struct state *st, size_t *n);


struct outbox_attempt {
	int64_t		 at_ms;
	int		 status;	/* HTTP status, 0 if none */
	int64_t		 latency_ms;
	const char	*error;		/* NULL on success */
};

/*
 * Records an attempt on it and moves it on: delivered (ok), requeued at
 * next_due_ms (> 0), or failed for good (dead-lettered). A delivery
 * whose queue entry is gone (its hook was deleted) is left alone. it and
 * a are copied (a->error up to OUTBOX_ERROR_MAX - 1 bytes). A write
 * (state.h) no one waits for: the writer logs its failure.
 */
#define OUTBOX_ERROR_MAX	256
void	outbox_record(struct state *st, const struct outbox_item *it,
	    const struct outbox_attempt *a, int ok, int64_t next_due_ms);

/* One attempt's outcome, for outbox_record_batch. */
struct outbox_result {
	const struct outbox_item	*it;
	struct outbox_attempt		 a;
	int				 ok;
	int64_t				 next_due_ms;
};

/* outbox_record for r[0..n-1] in one write: all are recorded or, on
 * error, none. done gets 0 or FZ_E*. A write (state.h): r and what it
 * points to are borrowed until done. */
void	outbox_record_batch(struct state *st, const struct outbox_result *r,
	    size_t n, state_done_cb *done, void *arg);

/* Lists hook_id's deliveries, newest event first, at most limit. Returns
 * 0 with a new array in *out, or FZ_E*. */
int	outbox_deliveries(struct state *st, const char *hook_id,
	    unsigned limit, json_t **out);

#endif
