/*
 * packs.h: handover packs, one per project, and sending them.
 *
 * Stored as {"sections", "revision", "sentRevision", "shareToken",
 * "updatedAt"}; a credential item keeps its password only as
 * "passwordSealed" (state/seal.h). Every rendering masks passwords:
 * "password": "********" and "password_set": true, or null and false.
 */
#ifndef FZ_STATE_PACKS_H
#define FZ_STATE_PACKS_H

#include <stdint.h>

#include <jansson.h>

#include "state/state.h"

struct state;

/* What the pack operations need beyond the state. */
struct packs_ctx {
	const unsigned char	*seal_key;	/* 32 bytes */
	const char		*public_url;	/* share links: url/p/token */
};

/* GET /projects/:id/pack. Returns 0 with *out, FZ_ENOTFOUND or FZ_E*. */
int	packs_get(struct state *st, const struct packs_ctx *ctx,
	    const char *ws, const char *project_id, json_t **out);

/* PUT /projects/:id/pack with validated {"sections"}: replaces sections,
 * seals new passwords, keeps a credential's stored password when the
 * item (same section title and label) sends none or the mask. done gets
 * 0 with data the rendered pack, FZ_ENOTFOUND, FZ_ECONFLICT (signed off),
 * or FZ_E*. A write (state.h); ctx is borrowed until done. */
void	packs_put(struct state *st, const struct packs_ctx *ctx,
	    const char *ws, const char *project_id, const json_t *body,
	    int64_t now_ms, state_done_cb *done, void *arg);

/*
 * POST /projects/:id/pack/send with validated {"personalMessage"?}.
 * The first send makes the share token, moves the project to "sent" and
 * journals pack.sent; a repeat records a new pack.sent only if the pack
 * changed since the last send (the status never goes back), and is
 * otherwise a no-op answered with the current state. done gets 0 with
 * data the rendered project plus "share_url", FZ_ENOTFOUND, FZ_ECONFLICT
 * (already signed off) or FZ_E*. A write (state.h).
 */
void	packs_send(struct state *st, const struct packs_ctx *ctx,
	    const char *ws, const char *project_id, const json_t *body,
	    int64_t now_ms, state_done_cb *done, void *arg);

/* Writes ctx->public_url + "/p/" + token into a new string; caller
 * frees. */
char	*packs_share_url(const struct packs_ctx *ctx, const char *token);

#endif
