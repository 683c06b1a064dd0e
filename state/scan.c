#include <stdlib.h>
#include <string.h>

#include "common/fz.h"
#include "state/scan.h"

const char *
scan_entry_id(const MDB_val *v)
{
	const char *p = v->mv_data;

	if (v->mv_size == 0 || memchr(p, '\0', v->mv_size) == NULL)
		return NULL;
	return p;
}

int
scan_page_txn(MDB_txn *txn, struct state *st, struct scan *sc)
{
	unsigned char *seek = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	size_t taken = 0;
	uint64_t ord;
	int rc, err = 0;

	sc->next = 0;
	sc->examined = 0;
	if ((seek = malloc(sc->plen + 8)) == NULL)
		return FZ_ENOMEM;
	memcpy(seek, sc->prefix, sc->plen);
	state_be64_put(seek + sc->plen, sc->before == 0 ? UINT64_MAX :
	    sc->before);
	k.mv_data = seek;
	k.mv_size = sc->plen + 8;
	if ((rc = mdb_cursor_open(txn, state_dbi(st, sc->db), &cur)) != 0) {
		err = state_mdb_err(rc);
		goto out;
	}
	for (rc = state_seek_before(cur, &k, &v); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_PREV)) {
		if (k.mv_size != sc->plen + 8 ||
		    memcmp(k.mv_data, sc->prefix, sc->plen) != 0)
			break;
		ord = state_be64_get((unsigned char *)k.mv_data + sc->plen);
		if (sc->before != 0 && ord >= sc->before)
			continue;
		if (sc->examined == sc->budget) {
			sc->next = ord + 1;
			break;
		}
		sc->examined++;
		if (!sc->match(&v, sc->arg))
			continue;
		/* The page is full and more remain: say where they start. */
		if (taken == sc->limit) {
			sc->next = ord + 1;
			break;
		}
		if ((err = sc->take(txn, st, &v, sc->arg)) != 0)
			goto out;
		taken++;
	}
	if (rc != 0 && rc != MDB_NOTFOUND)
		err = state_mdb_err(rc);
out:
	if (cur != NULL)
		mdb_cursor_close(cur);
	free(seek);
	return err;
}
