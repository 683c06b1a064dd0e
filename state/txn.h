/*
 * txn.h: what state/ modules do inside one another's transactions. For
 * state/ alone (and its unit tests): nothing above state/ sees a
 * transaction, an LMDB type or an LMDB error; they call the modules'
 * own headers, whose writes complete through callbacks (state.h).
 * Each *_txn function runs in the transaction it is given, on the
 * thread that owns it, and neither commits nor aborts it.
 */
#ifndef FZ_STATE_TXN_H
#define FZ_STATE_TXN_H

#include <stdint.h>

#include <jansson.h>
#include <lmdb.h>

#include "state/state.h"

struct apikey;
struct packs_ctx;
struct workspace;

/* workspace */
/* As workspace_get, inside txn (any kind); for state/ modules. */
int	workspace_get_txn(MDB_txn *txn, struct state *st,
	    const char *id, struct workspace *out);

/* apikey */
/* Returns 0 and fills *out, FZ_ENOTFOUND or FZ_E*. */
int	apikey_get_txn(MDB_txn *txn, struct state *st, const char *id,
	    struct apikey *out);

/* clients */
/*
 * Creates a client, or finds the one with this email. email must be
 * normalized (text_email_normalize); company may be NULL. Sets *out to
 * the client (caller decrefs) and *created to 1 if it is new. Returns 0
 * or FZ_E*. Write transactions only.
 */
int	clients_ensure_txn(MDB_txn *txn, struct state *st,
	    const char *ws, const char *name, const char *email,
	    const char *company, int64_t now_ms, json_t **out, int *created);

/* Writes the id of ws's client with email (normalized) into id
 * (FZ_ID_SIZE bytes). Returns 0, FZ_ENOTFOUND or FZ_E*. */
int	clients_find_txn(MDB_txn *txn, struct state *st, const char *ws,
	    const char *email, char *id);

/* Returns 0 and sets *out (caller decrefs), FZ_ENOTFOUND or FZ_E*. */
int	clients_get_txn(MDB_txn *txn, struct state *st, const char *ws,
	    const char *id, json_t **out);

/* projects */
/* Loads a project as stored. Returns 0 and sets *out (caller decrefs),
 * FZ_ENOTFOUND or FZ_E*. ws NULL skips the workspace check (portal). */
int	projects_get_txn(MDB_txn *txn, struct state *st,
	    const char *ws, const char *id, json_t **out);

/* Stores p (its "id" and "workspaceId" name it) with updatedAt = now,
 * and its entries in the list indexes (state/projidx.h). */
int	projects_put_txn(MDB_txn *txn, struct state *st, json_t *p,
	    int64_t now_ms);

/* Returns a new copy of p as the API shows it (client attached), or NULL
 * (caller decrefs). */
json_t	*projects_render_txn(MDB_txn *txn, struct state *st,
	    const json_t *p);

/* Returns the flat event snapshot of p: project_id, project_name,
 * project_type, launch_date, status, client_id, client_name,
 * client_email. New object or NULL. */
json_t	*projects_snapshot_txn(MDB_txn *txn, struct state *st,
	    const json_t *p);

/* packs */
/* Creates project_id's pack with sections (borrowed; template sections,
 * no passwords). */
int	packs_init_txn(MDB_txn *txn, struct state *st,
	    const char *project_id, const json_t *sections, int64_t now_ms);

/* Loads project_id's pack as stored (passwords sealed). Returns 0 and
 * sets *out (caller decrefs), or FZ_E*. */
int	packs_load_txn(MDB_txn *txn, struct state *st,
	    const char *project_id, json_t **out);

/* Renders the stored pack of project p (masked, share_url once sent).
 * Returns a new object or NULL. */
json_t	*packs_render_txn(MDB_txn *txn, struct state *st,
	    const struct packs_ctx *ctx, const json_t *p);

/* portal */
/* Resolves a share token to its project as stored. Returns 0 and sets
 * *p (caller decrefs), FZ_ENOTFOUND or FZ_E*. */
int	portal_project_txn(MDB_txn *txn, struct state *st,
	    const char *token, json_t **p);

/* Records the client's first view of p unless one is recorded: viewedAt,
 * "sent" becomes "viewed", pack.viewed is journaled and p is stored.
 * Returns 0 or FZ_E*. Write transactions only. */
int	portal_first_view_txn(MDB_txn *txn, struct state *st, json_t *p,
	    int64_t now_ms);

/* journal */
/*
 * Appends an event of type for workspace ws: its fields are those of
 * data (borrowed, a flat object) plus id, type, occurred_at and
 * workspace_id. Returns 0 and sets *seq, or FZ_E*. Only inside a write
 * transaction.
 */
int	journal_append_txn(MDB_txn *txn, struct state *st,
	    const char *type, const char *ws, int64_t now_ms,
	    const json_t *data, uint64_t *seq);

/* hooks */
/* Called by journal_append_txn: enqueues event seq (event_id) of type
 * bit in ws for every enabled subscription that wants it. Returns 0 or
 * FZ_E*. */
int	hooks_fanout_txn(MDB_txn *txn, struct state *st,
	    const char *ws, unsigned bit, uint64_t seq, const char *event_id,
	    int64_t now_ms);

/* Brings the stored status of every subscription of ws in line with its
 * workspace's plan and the keys that made them (state/hooks.h), failing
 * the queued deliveries of those that stop. Called where plans change
 * and keys are revoked, in the same transaction. Write transactions
 * only. */
int	hooks_reconcile_ws_txn(MDB_txn *txn, struct state *st,
	    const char *ws, int64_t now_ms);

/* outbox */
/* Queues seq for hook_id, due at due_ms, with a fresh delivery record.
 * An existing delivery (a replay) is reset to pending. */
int	outbox_enqueue_txn(MDB_txn *txn, struct state *st,
	    const char *hook_id, uint64_t seq, const char *event_id,
	    int64_t due_ms, int64_t now_ms);

/* Removes every delivery of hook_id, queued or done. */
int	outbox_drop_hook_txn(MDB_txn *txn, struct state *st,
	    const char *hook_id);

/* Fails every queued delivery of hook_id for good, recording why (an
 * attempt with no status code) in its history; done ones are kept. */
int	outbox_fail_hook_txn(MDB_txn *txn, struct state *st,
	    const char *hook_id, const char *why, int64_t now_ms);

/* Sets *seq to the lowest sequence still queued (UINT64_MAX if none):
 * the first event a subscriber is still owed. */
int	outbox_min_seq_txn(MDB_txn *txn, struct state *st,
	    uint64_t *seq);

#endif
