/*
 * journal.h: the append-only event log (pack.sent, pack.viewed,
 * client.signed_off). An event is appended inside the same write
 * transaction as the state change that causes it, so neither exists
 * without the other; its sequence number is the next integer key.
 */
#ifndef FZ_STATE_JOURNAL_H
#define FZ_STATE_JOURNAL_H

#include <stdint.h>

#include <jansson.h>

struct MDB_txn;
struct state;

#define JOURNAL_PACK_SENT	"pack.sent"
#define JOURNAL_PACK_VIEWED	"pack.viewed"
#define JOURNAL_SIGNED_OFF	"client.signed_off"

/*
 * Appends {"id": "evt_...", "type", "workspace_id", "occurred_at",
 * "data"} with data (borrowed: a flat snapshot of the records involved).
 * Returns 0 and sets *seq, or FZ_E*. Only inside a write transaction.
 */
int	journal_append_txn(struct MDB_txn *txn, struct state *st,
	    const char *type, const char *ws, int64_t now_ms,
	    const json_t *data, uint64_t *seq);

#endif
