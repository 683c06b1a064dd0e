/*
 * projidx.h: the indexes behind filtered project lists, for state/
 * modules only.
 *
 * Every project has one entry,
 *   id NUL status NUL client id NUL folded name   (text_fold)
 * under three keys: its workspace and ordinal (DB_PROJECTS_SCAN), its
 * workspace, client and ordinal (DB_PROJECTS_CLIENT), its workspace,
 * status and ordinal (DB_PROJECTS_STATUS). A filter on the client (by
 * id, or by email through the clients' email index) walks that client's
 * projects alone, else one on the status that status's; q, a substring
 * of the name, and the filters not walked are checked on the entry, so
 * only the projects listed are decoded. q alone walks the workspace,
 * within the page's budget (state/scan.h).
 */
#ifndef FZ_STATE_PROJIDX_H
#define FZ_STATE_PROJIDX_H

#include <stdint.h>

#include <jansson.h>
#include <lmdb.h>

#include "state/projects.h"
#include "state/scan.h"

/* Makes p's entries (p as just stored by docs_put_txn) current: those
 * of its previous status or client go. Returns 0 or FZ_E*. Write
 * transactions only. */
int	projidx_put_txn(MDB_txn *txn, struct state *st, const json_t *p);

/* Empties the three indexes and enters every stored project. Returns 0
 * or FZ_E*; *n counts the projects. Write transactions only. */
int	projidx_build_txn(MDB_txn *txn, struct state *st, size_t *n);

/*
 * Walks one page of ws's projects that pass f (state/projects.h),
 * newest first below before, handing each entry to take(txn, st, v,
 * arg) (state/scan.h) and setting *next as scan_page_txn does. A client
 * email that names no client matches nothing. Returns 0 or FZ_E*.
 */
int	projidx_page_txn(MDB_txn *txn, struct state *st, const char *ws,
	    const struct projects_filter *f, uint64_t before, size_t limit,
	    int (*take)(MDB_txn *, struct state *, const MDB_val *, void *),
	    void *arg, uint64_t *next);

#endif
