/*
 * journal.h: the append-only event log (pack.sent, pack.viewed,
 * client.signed_off).
 *
 * An event is appended inside the same write transaction as the state
 * change that causes it, so neither exists without the other. Its
 * sequence number is the next integer key (MDB_INTEGERKEY, MDB_APPEND):
 * LMDB has one writer and a reader sees a whole committed transaction or
 * none of it, so no reader ever sees a later number before an earlier one
 * and cursors never skip a gap. The stored value is the event's flat JSON
 * object exactly as triggers and the event stream send it:
 *
 *   {"id": "evt_...", "type", "occurred_at", "workspace_id",
 *    "project_id", "project_name", ... per-type fields}
 *
 * so serving a page copies stored bytes and parses nothing. Two indexes,
 * (workspace, seq) and (workspace, type, seq), let a poll read only its
 * own workspace's events.
 */
#ifndef FZ_STATE_JOURNAL_H
#define FZ_STATE_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "state/state.h"

struct state;

#define JOURNAL_PACK_SENT	"pack.sent"
#define JOURNAL_PACK_VIEWED	"pack.viewed"
#define JOURNAL_SIGNED_OFF	"client.signed_off"

/* Event types as bits, for filters. */
#define JOURNAL_T_SENT		0x1
#define JOURNAL_T_VIEWED	0x2
#define JOURNAL_T_SIGNED	0x4
#define JOURNAL_T_ALL		0x7

/* Returns the bit of a type name, or 0 if it names no type. */
unsigned	journal_type_bit(const char *type);

/* Appends an event in a write of its own (for changes made elsewhere:
 * the upstream store). done gets 0 with n the sequence, or FZ_E*. A
 * write (state.h): data is referenced until done. */
void	journal_record(struct state *st, const char *type, const char *ws,
	    const json_t *data, int64_t now_ms, state_done_cb *done,
	    void *arg);

/* An event reported by the upstream store (journal_ingest). */
struct journal_report {
	const char	*type;		/* JOURNAL_PACK_VIEWED, ... */
	const char	*ws;
	const char	*source_id;	/* the upstream's own event id */
	const json_t	*data;		/* borrowed; or else: */
	const char	*data_text;	/* borrowed, compact (below) */
	size_t		 data_len;
	int64_t		 now_ms;
	uint64_t	 seq;		/* out: the new event's sequence */
	int		 err;		/* out: see journal_ingest */
};

/*
 * Journals report r once: its source_id is remembered in the same
 * transaction, so a repeat of it journals nothing while the event is
 * kept, and for JOURNAL_INGEST_KEEP_MS at least (journal_prune). The
 * event gets a fresh evt_ id like any other. done's res.err is the
 * outcome: 0 (journaled, n the sequence), FZ_EEXIST (a repeat),
 * FZ_ENOTFOUND (no such workspace), FZ_EINVAL, or the write's failure
 * (r->err and r->seq are the report's own, before the commit). A report may give
 * its snapshot as data_text[0..data_len-1] instead of data: the compact
 * text of a JSON object as jansson would write it (common/jscan.h), used
 * as it is, so it is not parsed again. A write (state.h): r and what it
 * points to are borrowed until done. Reports queued together share one
 * durable commit.
 */
void	journal_ingest(struct state *st, struct journal_report *r,
	    state_done_cb *done, void *arg);

/*
 * Queues again, for subscription hook_id of workspace ws, up to max of
 * ws's events of the types in mask with a sequence above after and an
 * occurred_at at or after since_ms (0: any). done gets 0 with n the
 * number queued, or FZ_E*. A write (state.h).
 */
void	journal_replay(struct state *st, const char *hook_id, const char *ws,
	    unsigned mask, uint64_t after, int64_t since_ms, size_t max,
	    state_done_cb *done, void *arg);

/* Loads event seq as stored. Returns 0 with *json (caller frees, NUL-
 * terminated) and *len, FZ_ENOTFOUND (pruned or never) or FZ_E*. */
int	journal_get(struct state *st, uint64_t seq, char **json, size_t *len);

/* A page of events rendered as a JSON array, ready to send. */
struct journal_page {
	char		*json;		/* "[...]"; caller frees */
	size_t		 len;
	size_t		 count;
	uint64_t	 next;		/* where the following page starts */
	int		 more;		/* another page exists now */
	uint64_t	 snapshot;	/* what it was read at (pagecache.h) */
};

/*
 * Newest first: ws's events of the types in mask with a sequence below
 * before (0: from the newest), at most limit. next is the sequence to
 * pass as before for the following page. Returns 0 or FZ_E*.
 */
int	journal_page_newest(struct state *st, const char *ws, unsigned mask,
	    uint64_t before, unsigned limit, struct journal_page *page);

/*
 * Oldest first: ws's events of the types in mask with a sequence above
 * after (0: from the start), at most limit. next is the last sequence
 * read (or after, when nothing was): the position to poll from, even on
 * an empty page. Returns 0 or FZ_E*.
 */
int	journal_page_after(struct state *st, const char *ws, unsigned mask,
	    uint64_t after, unsigned limit, struct journal_page *page);

/* An ingested upstream id is remembered at least this long, whatever
 * the retention: longer than an upstream keeps retrying a report. */
#define JOURNAL_INGEST_KEEP_MS	(7 * 86400 * 1000LL)

/*
 * Deletes up to max of the oldest events that occurred before cutoff_ms
 * and have a sequence below both keep_from and the first event a
 * subscriber is still owed, then forgets up to max upstream ids
 * (journal_ingest) whose event is gone and that were ingested before
 * ids_cutoff_ms. done gets 0 with n the number of events deleted, or
 * FZ_E*. Meant for a timer: each call is one short write (state.h).
 */
void	journal_prune(struct state *st, int64_t cutoff_ms,
	    int64_t ids_cutoff_ms, uint64_t keep_from, size_t max,
	    state_done_cb *done, void *arg);

struct journal_stats {
	uint64_t	 events;
	uint64_t	 first_seq, last_seq;	/* 0 when empty */
	size_t		 map_bytes, used_bytes;
};

/* Returns 0 and fills *s, or FZ_E*. */
int	journal_stats(struct state *st, struct journal_stats *s);

/* Calls cb(seq, json, len, arg) for the last n events, oldest first. */
typedef void journal_each_cb(uint64_t seq, const char *json, size_t len,
    void *arg);
int	journal_tail(struct state *st, unsigned n, journal_each_cb *cb,
	    void *arg);

#endif
