#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/fz.h"
#include "common/secure.h"
#include "state/env.h"
#include "state/journal.h"

int
journal_append_txn(MDB_txn *txn, struct state *st, const char *type,
    const char *ws, int64_t now_ms, const json_t *data, uint64_t *seq)
{
	char id[FZ_ID_SIZE], at[CLOCK_RFC3339_SIZE], *text = NULL;
	MDB_cursor *cur = NULL;
	json_t *ev = NULL;
	MDB_val k, v;
	uint64_t next = 1;
	int rc, err;

	if ((err = secure_id("evt", id)) != 0)
		return err;
	if ((rc = mdb_cursor_open(txn, state_dbi(st, DB_JOURNAL), &cur)) != 0)
		return state_mdb_err(rc);
	rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	if (rc == 0 && k.mv_size == sizeof(next)) {
		memcpy(&next, k.mv_data, sizeof(next));
		next++;
	} else if (rc != MDB_NOTFOUND) {
		err = state_mdb_err(rc != 0 ? rc : MDB_CORRUPTED);
		goto out;
	}
	ev = json_pack("{s:s, s:s, s:s, s:s, s:I, s:O}", "id", id, "type", type,
	    "workspace_id", ws, "occurred_at", clock_rfc3339(now_ms, at),
	    "seq", (json_int_t)next, "data", data);
	if (ev == NULL || (text = json_dumps(ev, JSON_COMPACT)) == NULL) {
		err = FZ_ENOMEM;
		goto out;
	}
	k.mv_data = &next;
	k.mv_size = sizeof(next);
	v.mv_data = text;
	v.mv_size = strlen(text);
	if ((err = state_mdb_err(mdb_cursor_put(cur, &k, &v, MDB_APPEND))) ==
	    0)
		*seq = next;
out:
	mdb_cursor_close(cur);
	json_decref(ev);
	free(text);
	return err;
}
