/*
 * hooks.h: webhook subscriptions of a workspace, and the fan-out that
 * gives every new event one outbox delivery per matching subscription.
 *
 * A subscription is stored as
 *   {"id": "hook_...", "workspaceId", "kind": "zapier"|"webhook", "url",
 *    "events": [...], "description", "secret": "whsec_...",
 *    "previousSecret", "previousSecretUntil", "enabled",
 *    "failingSince", "keyId", "status", "statusReason", "createdAt"}
 * Zapier REST hooks get a secret too (never shown): every delivery is
 * signed the same way.
 *
 * A Zapier hook belongs to the API key that subscribed it ("keyId"); a
 * CRM webhook belongs to its workspace alone and outlives key rotation.
 * Each stands as its "status" says ("statusReason" says why, for people):
 *   active   delivered to;
 *   paused   its workspace's plan lacks it (Zapier hooks need pro,
 *            webhooks agency, as their routes do): nothing is queued for
 *            it, and it is active again once the plan has it again;
 *   revoked  the key that subscribed a Zapier hook was revoked or is
 *            gone: for good (DELETE removes the record).
 * A subscription leaving active fails its queued deliveries at once, with
 * the reason. Records made before keys were bound have no "keyId" and no
 * "status": they stand as active, bound to no key, and pause with the
 * plan like the others.
 */
#ifndef FZ_STATE_HOOKS_H
#define FZ_STATE_HOOKS_H

#include <stdint.h>

#include <jansson.h>

#include "state/state.h"
#include "state/workspace.h"

struct state;

#define HOOKS_KIND_ZAPIER	"zapier"
#define HOOKS_KIND_WEBHOOK	"webhook"
/* The daemon's own report of portal events to the edge it serves as an
 * upstream store (report_url): one subscription for all workspaces. */
#define HOOKS_KIND_REPORT	"report"
#define HOOKS_REPORT_ID		"hook_report"

#define HOOKS_ACTIVE		"active"
#define HOOKS_PAUSED		"paused"
#define HOOKS_REVOKED		"revoked"

/* Room for a statusReason, NUL included. */
#define HOOKS_REASON_SIZE	128

/* "whsec_" and base64 of 32 random bytes, and NUL. */
#define HOOKS_SECRET_SIZE	(6 + 44 + 1)

/* Writes a new signing secret into out (HOOKS_SECRET_SIZE bytes).
 * Returns 0 or FZ_ECRYPTO. */
int	hooks_secret_new(char *out);

/* Creates a subscription of kind to url for the events in mask
 * (journal.h bits), bound to the API key key_id (Zapier hooks; NULL: to
 * none). description may be NULL. done gets 0 with data the stored
 * record, or FZ_E*. A write (state.h). */
void	hooks_create(struct state *st, const char *ws, const char *kind,
	    const char *key_id, const char *url, unsigned mask,
	    const char *description, int64_t now_ms, state_done_cb *done,
	    void *arg);

/* Returns 0 with *out the record, FZ_ENOTFOUND (also for another
 * workspace's hook, or another kind when kind is not NULL) or FZ_E*. */
int	hooks_get(struct state *st, const char *ws, const char *kind,
	    const char *id, json_t **out);

/* Lists ws's subscriptions of kind (NULL: all). Returns 0 with a new
 * array in *out, or FZ_E*. */
int	hooks_list(struct state *st, const char *ws, const char *kind,
	    json_t **out);

/* Deletes a subscription and its pending deliveries. done gets 0,
 * FZ_ENOTFOUND or FZ_E*. ws NULL skips the workspace check (410 Gone).
 * A write (state.h). */
void	hooks_delete(struct state *st, const char *ws, const char *kind,
	    const char *id, state_done_cb *done, void *arg);

/* Applies fn to the stored record of id in one write transaction and
 * stores the result: fn returns 0 to store, an FZ_E* code to abort. fn
 * runs on the writer thread with a copy of fn_arg[0..fn_arg_size-1]
 * (at most HOOKS_UPDATE_ARG_MAX bytes). ws and kind as for hooks_get
 * (NULL: no check). done gets fn's code, FZ_ENOTFOUND or FZ_E*, with
 * data the updated record. A write. */
#define HOOKS_UPDATE_ARG_MAX	64
typedef int hooks_update_fn(json_t *hook, void *arg);
void	hooks_update(struct state *st, const char *ws, const char *kind,
	    const char *id, hooks_update_fn *fn, const void *fn_arg,
	    size_t fn_arg_size, state_done_cb *done, void *arg);

/* Returns the plan a subscription of kind needs: PLAN_PRO for Zapier
 * hooks, PLAN_AGENCY for webhooks (the plans of their routes,
 * cmd/routes.c), 0 for the report hook. */
enum plan	hooks_plan(const char *kind);

/*
 * Judges hook (a stored record, borrowed) as it stands now, against its
 * workspace's plan and the key that made it, in one read: sets *status
 * to HOOKS_ACTIVE, HOOKS_PAUSED or HOOKS_REVOKED (static) and, unless
 * active, writes why into reason (HOOKS_REASON_SIZE bytes; NULL: not
 * wanted). A revoked record stays revoked. Returns 0 or FZ_E*.
 */
int	hooks_standing(struct state *st, const json_t *hook,
	    const char **status, char *reason);

/* Brings id's stored status in line with hooks_standing, judged again
 * inside the write, and fails its queued deliveries unless it is active.
 * done gets 0 with res.n 1 if the status changed, FZ_ENOTFOUND or FZ_E*.
 * A write (state.h). */
void	hooks_reconcile(struct state *st, const char *id, int64_t now_ms,
	    state_done_cb *done, void *arg);

/* Makes (or updates) the report subscription to url, signed with the
 * whsec_ secret, for pack.viewed and client.signed_off of every
 * workspace; url NULL removes it. Returns 0 or FZ_E*. */
int	hooks_set_report(struct state *st, const char *url, const char *secret,
	    int64_t now_ms);

/* Returns a record's "status" (borrowed from it), HOOKS_ACTIVE for a
 * record made before there was one. */
const char	*hooks_status(const json_t *hook);

/* Returns the journal bit mask of a record's "events" array. */
unsigned	hooks_mask(const json_t *hook);

#endif
