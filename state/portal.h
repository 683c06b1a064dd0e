/*
 * portal.h: the client's side of a sent pack, reached by share token
 * with no API key (embedded store only), and the sign-offs it records.
 *
 * A sign-off is {"id","projectId","signerName","signerEmail","comment",
 * "signedAt"}, one per project.
 */
#ifndef FZ_STATE_PORTAL_H
#define FZ_STATE_PORTAL_H

#include <stdint.h>

#include <jansson.h>

#include "state/packs.h"

struct state;

/*
 * GET /p/:token: returns in *out the project (name, type, launch date,
 * status), the agency (workspace name), the personal message and the
 * masked sections, plus the sign-off if there is one. The first view of
 * a sent project moves it to "viewed" and journals pack.viewed, once per
 * project. done gets 0 with data, FZ_ENOTFOUND (unknown token) or
 * FZ_E*; before this returns unless the view writes (a write, state.h).
 */
void	portal_view(struct state *st, const struct packs_ctx *ctx,
	    const char *token, int64_t now_ms, state_done_cb *done,
	    void *arg);

/*
 * POST /p/:token/signoff with validated {"name","email","comment"?}:
 * records the sign-off, moves the project to "signed_off" and journals
 * client.signed_off. done gets 0 with data the sign-off, FZ_ENOTFOUND,
 * FZ_ECONFLICT (already signed off) or FZ_E*. A write (state.h).
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
