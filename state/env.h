/*
 * env.h: transactions on the environment, for state/ modules only.
 *
 * Writes go through state_submit() (state/writer.c runs them); reads
 * run fn in a read-only transaction with state_read().
 */
#ifndef FZ_STATE_ENV_H
#define FZ_STATE_ENV_H

#include <stdint.h>

#include <lmdb.h>

#include "common/fz.h"
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
	DB_REVEALS,		/* project id, NUL, be64 ordinal -> reveal */
	/* Filtered lists (state/projidx.h, state/clientidx.h). */
	DB_PROJECTS_SCAN,	/* ws, NUL, be64 ordinal -> project entry */
	DB_PROJECTS_CLIENT,	/* ws, NUL, client id, NUL, be64 ord -> entry */
	DB_PROJECTS_STATUS,	/* ws, NUL, status, NUL, be64 ord -> entry */
	DB_CLIENTS_SCAN,	/* ws, NUL, be64 ordinal -> client entry */
	DB_COUNT
};

/* fn returns 0 or an FZ_E* code; an MDB error is mapped with
 * state_mdb_err(). */
typedef int state_txn_fn(MDB_txn *txn, struct state *st, void *arg);

/*
 * One write. A module's op struct starts with this one, fills fn, done,
 * done_arg and its own inputs (copies: the op outlives the call that
 * queued it), and hands it to state_submit, which owns it from then on.
 * fn(txn, st, op) runs on the writer thread: it may touch txn, the
 * dbis, the op and nothing of the loop's; it sets res.data, res.field
 * and res.n as it needs (its return value is res.err). Then, on the
 * loop, done(&op->res, done_arg) runs and the op is freed with free_fn
 * (NULL: free()).
 */
struct state_op {
	state_txn_fn		*fn;
	void			(*free_fn)(void *op);
	state_done_cb		*done;
	void			*done_arg;
	struct state_result	 res;
	/* Set by the module: the caller's next step waits on this write
	 * (a delivery slot stays taken until its outcome is on disk), so
	 * the writer never holds its batch (state/spacing.h). */
	int			 prompt;
	/* The state's own. */
	struct state_op		*next;
	state_txn_fn		*rider;
	void			*rider_arg;
	int			*rider_committed;
	int			 batch_head;	/* first of its batch */
	size_t			 batch_ok;	/* head: ops the batch committed */
	int64_t			 batch_us;	/* head: its commit's time */
	int			 batch_err;	/* head: its commit failed */
};

/* Returns a zeroed op of size bytes (a module's op struct, which starts
 * with struct state_op) with fn, done and done_arg set, for
 * state_submit; or NULL after calling done with FZ_ENOMEM (done may be
 * NULL: nothing waits). Loop thread. */
void	*state_op_new(size_t size, state_txn_fn *fn, state_done_cb *done,
	    void *arg);

/* Queues op (see struct state_op); never fails: an op that cannot run
 * gets its error in done. Without a writer thread it runs now, in a
 * transaction of its own, and done is called before this returns. Loop
 * thread. */
void	state_submit(struct state *st, struct state_op *op);

/* A record write, the shape most writes take: fn(txn, st, rec) gets
 * copies of the workspace and record id, a reference to the validated
 * body and the time. */
#define STATE_REC_ID_MAX	128
struct state_rec {
	struct state_op	 op;		/* first */
	char		 ws[FZ_ID_SIZE];
	char		 id[STATE_REC_ID_MAX];
	json_t		*body;		/* a reference of its own, or NULL */
	int64_t		 now_ms;
	const void	*ctx;		/* the caller's module's; borrowed */
};

/* Queues fn as a record write (state_submit). ws and id may be NULL
 * (""); one too long to be any record's fails the write with
 * FZ_ENOTFOUND. Loop thread. */
void	state_submit_rec(struct state *st, state_txn_fn *fn, const char *ws,
	    const char *id, const json_t *body, int64_t now_ms,
	    const void *ctx, state_done_cb *done, void *arg);

/* Calls done at once with err and data (taken; freed after unless done
 * takes it): for a write found unneeded before it was queued. */
void	state_answer(state_done_cb *done, void *arg, int err, json_t *data);

/* Runs fn in a write transaction of its own and commits it, durably.
 * Returns fn's status, FZ_ESTORE, or FZ_ECONFLICT when a writer thread
 * runs (then every write goes through state_submit). For start-up and
 * the admin commands. */
int	state_write(struct state *st, state_txn_fn *fn, void *arg);

/* Returns fn's status or FZ_ESTORE. Loop thread only. */
int	state_read(struct state *st, state_txn_fn *fn, void *arg);

/*
 * A rider: fn(txn, st, arg) runs in the transaction of the next
 * state_submit, after that op's own fn and before its commit, so both
 * reach the disk together or not at all; a rider that fails fails the
 * op. arg is taken (freed with free() once that op is done, or by
 * state_ride_end if no op took it); *committed (which the caller zeroes)
 * is set to 1 on the loop, before the op's callback, if the op
 * committed. The rider goes with whatever write is queued next, so it
 * is set just before the code whose write it belongs with, and ended
 * right after. state_ride_end drops a
 * rider no op took. One rider at a time. Loop thread only.
 */
void	state_ride(struct state *st, state_txn_fn *fn, void *arg,
	    int *committed);
void	state_ride_end(struct state *st);

/*
 * A module's cache beside the environment (what it derives from stored
 * records, kept valid by the module itself). state_cache returns the
 * slot's value, NULL at first; state_cache_set stores v and the function
 * state_close frees it with. The thread that writes only (a cache of
 * what write transactions read).
 */
enum state_cache_slot {
	STATE_CACHE_HOOKS,		/* state/hooks.c: subscriptions */
	STATE_CACHE_PAGES,		/* state/pagecache.c: the loop's */
	STATE_CACHE_COUNT
};
void	*state_cache(struct state *st, enum state_cache_slot slot);
void	 state_cache_set(struct state *st, enum state_cache_slot slot,
	    void *v, void (*free_fn)(void *));

/* The id of the last committed snapshot, by this process or any other
 * on the directory: while it is unchanged, a read sees what the last
 * read saw. 0 if it cannot be told. Counts as a read (state_reads).
 * Loop thread. */
uint64_t	state_snapshot(struct state *st);

/* How many reads (state_read, state_snapshot) st has served. Loop
 * thread. */
uint64_t	state_reads(const struct state *st);

/* Returns the handle of a named database. */
MDB_dbi	state_dbi(const struct state *st, enum state_db db);

/* Big-endian 64-bit keys sort as numbers under LMDB's byte order. */
void		state_be64_put(unsigned char *p, uint64_t v);
uint64_t	state_be64_get(const unsigned char *p);

/* Maps an LMDB return code to 0, FZ_ENOTFOUND, FZ_EEXIST, FZ_ETOOBIG
 * (the map or a transaction is full) or FZ_ESTORE. */
int	state_mdb_err(int rc);

/* Moves cur to the last key below k's bytes, for a walk back from there
 * with MDB_PREV; k and v then hold that entry. Returns LMDB's code
 * (MDB_NOTFOUND: no key below). Borrowed as any cursor read. */
int	state_seek_before(MDB_cursor *cur, MDB_val *k, MDB_val *v);

#endif
