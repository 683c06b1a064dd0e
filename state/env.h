/*
 * env.h: transactions on the environment, for state/ modules only.
 *
 * state_write() runs fn inside one write transaction and commits it; if
 * fn or the commit hits MDB_MAP_FULL the transaction is aborted, the map
 * doubled and fn run again, so fn must only depend on what it reads in
 * the transaction. state_read() runs fn in a read-only transaction.
 */
#ifndef FZ_STATE_ENV_H
#define FZ_STATE_ENV_H

#include <stdint.h>

#include <lmdb.h>

#include "state/state.h"

enum state_db {
	DB_META,
	DB_WORKSPACES,		/* ws id -> struct workspace */
	DB_APIKEYS,		/* key id -> struct apikey */
	DB_APIKEY_HASH,		/* SHA-256 of token -> key id */
	DB_CLIENTS,		/* see state/docs.h for the doc layout */
	DB_CLIENTS_ORDER,
	DB_CLIENT_EMAIL,	/* ws id, NUL, normalized email -> client id */
	DB_PROJECTS,
	DB_PROJECTS_ORDER,
	DB_SIGNOFFS,
	DB_SIGNOFFS_ORDER,
	DB_PACKS,		/* project id -> pack JSON (passwords sealed) */
	DB_SHARE,		/* share token -> project id */
	DB_IDEMPOTENCY,		/* ws, NUL, key -> recorded response */
	DB_IDEM_EXPIRY,		/* be64 created ms, ws, NUL, key -> empty */
	DB_JOURNAL,		/* uint64 sequence (MDB_INTEGERKEY) -> event */
	DB_JOURNAL_WS,		/* ws, NUL, be64 seq -> type code */
	DB_JOURNAL_TYPE,	/* ws, NUL, type code, be64 seq -> empty */
	DB_HOOKS,		/* hook id -> subscription JSON */
	DB_HOOKS_WS,		/* ws, NUL, hook id -> empty */
	DB_OUTBOX,		/* be64 due ms, hook id, NUL, be64 seq -> empty */
	DB_OUTBOX_SEQ,		/* be64 seq, hook id -> be64 due ms */
	DB_DELIVERIES,		/* hook id, NUL, be64 seq -> delivery JSON */
	DB_COUNT
};

/* fn returns 0 or an FZ_E* code; an MDB error is mapped by the caller
 * with state_mdb_err(). */
typedef int state_txn_fn(MDB_txn *txn, struct state *st, void *arg);

/* Returns fn's status, FZ_ESTORE if LMDB failed, or 0 once committed.
 * Loop thread only. */
int	state_write(struct state *st, state_txn_fn *fn, void *arg);

/* As state_write, for background work that no answer depends on (key
 * last-used times, delivery outcomes, expiry): under group commit it
 * holds no answer back, and reaches disk with the next flush. */
int	state_write_bg(struct state *st, state_txn_fn *fn, void *arg);

/* Returns fn's status or FZ_ESTORE. Loop thread only. */
int	state_read(struct state *st, state_txn_fn *fn, void *arg);

/*
 * A rider: fn(txn, st, arg) runs inside the next state_write transaction,
 * after that write's own work and before its commit, so that both reach
 * the disk together or not at all; a rider that fails fails the write.
 * state_ride_end drops the rider and returns 1 if a committed
 * transaction carried it, else 0; *arg gets the rider's arg back. One
 * rider at a time. Loop thread only.
 */
void	state_ride(struct state *st, state_txn_fn *fn, void *arg);
int	state_ride_end(struct state *st, void **arg);

/*
 * A module's cache beside the environment (what it derives from stored
 * records, kept valid by the module itself). state_cache returns the
 * slot's value, NULL at first; state_cache_set stores v and the function
 * state_close frees it with. Loop thread only.
 */
enum state_cache_slot {
	STATE_CACHE_HOOKS,		/* state/hooks.c: subscriptions */
	STATE_CACHE_COUNT
};
void	*state_cache(struct state *st, enum state_cache_slot slot);
void	 state_cache_set(struct state *st, enum state_cache_slot slot,
	    void *v, void (*free_fn)(void *));

/* Returns the handle of a named database. */
MDB_dbi	state_dbi(const struct state *st, enum state_db db);

/* Big-endian 64-bit keys sort as numbers under LMDB's byte order. */
void		state_be64_put(unsigned char *p, uint64_t v);
uint64_t	state_be64_get(const unsigned char *p);

/* Maps an LMDB return code to 0, FZ_ENOTFOUND, FZ_EEXIST or FZ_ESTORE.
 * MDB_MAP_FULL comes back as FZ_ETOOBIG so state_write can grow. */
int	state_mdb_err(int rc);

/* Moves cur to the last key below k's bytes, for a walk back from there
 * with MDB_PREV; k and v then hold that entry. Returns LMDB's code
 * (MDB_NOTFOUND: no key below). Borrowed as any cursor read. */
int	state_seek_before(MDB_cursor *cur, MDB_val *k, MDB_val *v);

#endif
