/*
 * docs.h: workspace-scoped JSON documents with a creation order, the
 * storage under clients, projects and sign-offs; for state/ modules only.
 *
 * A kind has two databases. The main one maps the record id to
 *   be64 ordinal | workspace id | NUL | compact JSON
 * and the order one maps  workspace id | NUL | be64 ordinal  to the id,
 * so a workspace's records list newest first without touching other
 * workspaces. Ordinals come from one counter per kind, kept in DB_META.
 */
#ifndef FZ_STATE_DOCS_H
#define FZ_STATE_DOCS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <lmdb.h>

#include "state/env.h"

enum doc_kind {
	DOC_CLIENT,
	DOC_PROJECT,
	DOC_SIGNOFF,
};

/* Stores doc as id in workspace ws. A new id gets the next ordinal; an
 * existing one keeps its ordinal and must belong to ws (else
 * FZ_ENOTFOUND). Returns 0 or FZ_E*. */
int	docs_put_txn(MDB_txn *txn, struct state *st, enum doc_kind kind,
	    const char *ws, const char *id, const json_t *doc);

/* Loads id. Returns 0 and sets *out (caller decrefs), FZ_ENOTFOUND (no
 * such id in ws; another workspace's record is not found either) or
 * FZ_ESTORE. */
int	docs_get_txn(MDB_txn *txn, struct state *st, enum doc_kind kind,
	    const char *ws, const char *id, json_t **out);

/* Lists ws's records newest first: those with an ordinal below before
 * (0: from the newest), at most limit. Sets *out to a new array (caller
 * decrefs) and *next to the ordinal to pass as before for the next page,
 * or 0 when nothing is left. Returns 0 or FZ_E*. */
int	docs_list_txn(MDB_txn *txn, struct state *st, enum doc_kind kind,
	    const char *ws, uint64_t before, size_t limit, json_t **out,
	    uint64_t *next);

/* Sets *ord to the ordinal of id, a record of ws. Returns 0,
 * FZ_ENOTFOUND (none in ws) or FZ_ESTORE. */
int	docs_ordinal_txn(MDB_txn *txn, struct state *st, enum doc_kind kind,
	    const char *ws, const char *id, uint64_t *ord);

/* Calls fn(txn, st, ws, ord, doc, arg) for every record of kind, of
 * every workspace, in id order; doc is borrowed for the call. Stops at
 * the first status fn returns other than 0 and returns it; else 0 or
 * FZ_E*. */
typedef int	docs_each_fn(MDB_txn *txn, struct state *st, const char *ws,
		    uint64_t ord, const json_t *doc, void *arg);
int	docs_each_txn(MDB_txn *txn, struct state *st, enum doc_kind kind,
	    docs_each_fn *fn, void *arg);

#endif
