/*
 * portal.h: the client's side of a sent pack, reached by share token
 * with no API key (embedded store only), and the sign-offs it records.
 *
 * A sign-off is {"id","projectId","signerName","signerEmail","comment",
 * "signedAt","ipAddress","userAgent"}, one per project; the last two are
 * the evidence of who signed, as the edge saw it (null when it had none).
 *
 * Reading the page records no view: mail link scanners and chat
 * unfurlers fetch a share link before any person does. pack.viewed is
 * recorded once per project, when the page reports a person has it in
 * front of them (portal_view_record) or when the client acts (signs off,
 * reveals a password). Only the link's first fetch is kept
 * (firstFetchedAt), so the agency can tell "delivered" from "seen".
 */
#ifndef FZ_STATE_PORTAL_H
#define FZ_STATE_PORTAL_H

#include <stdint.h>

#include <jansson.h>

#include "state/packs.h"

struct state;

/*
 * GET /p/:token: sets *out (caller decrefs) to the project (name, type,
 * launch date, status, viewedAt), the agency (workspace name), the
 * personal message and the masked sections, plus the sign-off if there
 * is one (id, signer's name, comment, time: the link's holder sees
 * neither the signer's email nor the evidence). Returns 0, FZ_ENOTFOUND
 * (unknown token) or FZ_E*. Reads only. Loop thread.
 */
int	portal_view(struct state *st, const struct packs_ctx *ctx,
	    const char *token, json_t **out);

/*
 * GET and HEAD /p/:token: portal_view, and the link's first fetch is
 * kept on its project (firstFetchedAt) by a write this queues and does
 * not wait for; once it is kept nothing is written again. Never an
 * event. Returns as portal_view. Loop thread.
 */
int	portal_fetch(struct state *st, const struct packs_ctx *ctx,
	    const char *token, int64_t now_ms, json_t **out);

/*
 * POST /p/:token/view: the first for a project sets its viewedAt, moves
 * it from "sent" to "viewed" and journals pack.viewed; later ones write
 * nothing. done gets 0 with data as portal_view's, FZ_ENOTFOUND or
 * FZ_E*; before this returns unless the view writes (a write, state.h).
 */
void	portal_view_record(struct state *st, const struct packs_ctx *ctx,
	    const char *token, int64_t now_ms, state_done_cb *done,
	    void *arg);

/*
 * POST /p/:token/signoff with validated {"name","email","comment"?,
 * "ipAddress"?,"userAgent"?}, email normalized: records the sign-off,
 * moves the project to "signed_off" and journals client.signed_off,
 * after pack.viewed if no view was recorded yet (the client acted). done
 * gets 0 with data the sign-off, FZ_ENOTFOUND, FZ_ECONFLICT (already
 * signed off), FZ_EDENIED with field "email" (not the address of the
 * project's client: nothing is written) or FZ_E*. A write (state.h).
 */
void	portal_signoff(struct state *st, const char *token,
	    const json_t *body, int64_t now_ms, state_done_cb *done,
	    void *arg);

/* GET /projects/:id/signoff. Returns 0, FZ_ENOTFOUND (no such project,
 * or not signed off yet) or FZ_E*. */
int	portal_signoff_get(struct state *st, const char *ws,
	    const char *project_id, json_t **out);

/* GET /signoffs: newest first (see docs_list_txn). */
int	portal_signoff_list(struct state *st, const char *ws, uint64_t before,
	    unsigned limit, json_t **out, uint64_t *next);

#endif
