#include <string.h>

#include "common/fz.h"
#include "common/log.h"
#include "state/clientidx.h"
#include "state/listidx.h"
#include "state/projidx.h"
#include "state/txn.h"

/* The entries' layout (and text_fold's rules): a change of either
 * changes this, and indexes built before are built again. */
#define LISTIDX_KEY	"listidx"
#define LISTIDX_LAYOUT	"1"

struct listidx_built {
	int	 done;
	size_t	 projects, clients;
};

/* Returns 1 if db and idx hold as many entries, else 0 (or on error). */
static int
listidx_same_count(MDB_txn *txn, struct state *st, enum state_db db,
    enum state_db idx)
{
	MDB_stat a, b;

	return mdb_stat(txn, state_dbi(st, db), &a) == 0 &&
	    mdb_stat(txn, state_dbi(st, idx), &b) == 0 &&
	    a.ms_entries == b.ms_entries;
}

static int
listidx_ensure_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct listidx_built *b = arg;
	MDB_val k, v;
	int rc, err;

	k.mv_data = (void *)LISTIDX_KEY;
	k.mv_size = strlen(LISTIDX_KEY);
	rc = mdb_get(txn, state_dbi(st, DB_META), &k, &v);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return state_mdb_err(rc);
	/* Records made by a version without the indexes (the state went
	 * back to one, then forward again) show as a count that differs. */
	if (rc == 0 && v.mv_size == strlen(LISTIDX_LAYOUT) &&
	    memcmp(v.mv_data, LISTIDX_LAYOUT, v.mv_size) == 0 &&
	    listidx_same_count(txn, st, DB_PROJECTS, DB_PROJECTS_SCAN) &&
	    listidx_same_count(txn, st, DB_CLIENTS, DB_CLIENTS_SCAN))
		return 0;
	if ((err = projidx_build_txn(txn, st, &b->projects)) != 0 ||
	    (err = clientidx_build_txn(txn, st, &b->clients)) != 0)
		return err;
	v.mv_data = (void *)LISTIDX_LAYOUT;
	v.mv_size = strlen(LISTIDX_LAYOUT);
	if ((err = state_mdb_err(mdb_put(txn, state_dbi(st, DB_META), &k, &v,
	    0))) != 0)
		return err;
	b->done = 1;
	return 0;
}

int
listidx_ensure(struct state *st)
{
	struct listidx_built b = { 0, 0, 0 };
	int err;

	if ((err = state_write(st, listidx_ensure_fn, &b)) != 0) {
		log_err("could not build the list indexes: %s",
		    fz_strerror(err));
		return err;
	}
	if (b.done)
		log_info("list indexes built: %zu projects, %zu clients",
		    b.projects, b.clients);
	return 0;
}
