/*
 * clientidx.h: the index behind filtered client lists, for state/
 * modules only.
 *
 * Every client has one entry,  id NUL folded name NUL folded email
 * (text_fold), under its workspace and ordinal (DB_CLIENTS_SCAN); q, a
 * substring of either, is looked for there within the page's budget
 * (state/scan.h). An email filter goes through the email index, which
 * clients always had (DB_CLIENT_EMAIL): one client at most.
 */
#ifndef FZ_STATE_CLIENTIDX_H
#define FZ_STATE_CLIENTIDX_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <lmdb.h>

#include "state/clients.h"
#include "state/scan.h"

/* Enters client c (as just stored in ws by docs_put_txn). Returns 0 or
 * FZ_E*. Write transactions only. */
int	clientidx_put_txn(MDB_txn *txn, struct state *st, const char *ws,
	    const json_t *c);

/* Empties the index and enters every stored client. Returns 0 or FZ_E*;
 * *n counts the clients. Write transactions only. */
int	clientidx_build_txn(MDB_txn *txn, struct state *st, size_t *n);

/* Walks one page of ws's clients that pass f (state/clients.h), as
 * projidx_page_txn does projects. Returns 0 or FZ_E*. */
int	clientidx_page_txn(MDB_txn *txn, struct state *st, const char *ws,
	    const struct clients_filter *f, uint64_t before, size_t limit,
	    int (*take)(MDB_txn *, struct state *, const MDB_val *, void *),
	    void *arg, uint64_t *next);

#endif
