/*
 * reveals.h: a credential's password shown to the client in the portal,
 * and the audit list of every time that happened.
 *
 * The REST API never returns a password. The portal's page asks for one
 * item's password on an explicit click; the password is opened (seal.h)
 * for that answer only, and each reveal is recorded for the agency:
 *   {"revealedAt", "section", "item", "sectionTitle", "label",
 *    "ipAddress", "userAgent"}
 * (the address and user agent as the edge saw them, or null). A link
 * reveals at most REVEALS_PER_MINUTE passwords in any 60 seconds: the
 * records themselves are the count, so the limit holds across restarts
 * and bounds how fast the audit list can grow.
 */
#ifndef FZ_STATE_REVEALS_H
#define FZ_STATE_REVEALS_H

#include <stdint.h>

#include <jansson.h>

#include "state/packs.h"
#include "state/state.h"

#define REVEALS_PER_MINUTE	20

/*
 * POST /p/:token/reveal with validated {"section", "item", "label",
 * "ipAddress"?, "userAgent"?, "view"}: the item is the one at those
 * indexes of the pack's sections, and must still be the credential the
 * page showed under label (else the pack changed since). Records the
 * reveal and, when "view" is true and no view is recorded yet, the
 * client's first view (pack.viewed): revealing is acting on the pack.
 * done gets 0 with data {"password"} (caller cleanses what it can),
 * FZ_ENOTFOUND (no such token, or the item has no password),
 * FZ_ECONFLICT with field "item" (no such credential there any more),
 * FZ_ELIMIT with n the seconds until one more is allowed (nothing is
 * written), or FZ_E*. Over the limit, done runs before this returns
 * and nothing waits for the disk. A write (state.h); ctx is borrowed
 * until done.
 */
void	reveals_record(struct state *st, const struct packs_ctx *ctx,
	    const char *token, const json_t *body, int64_t now_ms,
	    state_done_cb *done, void *arg);

/* GET /projects/:id/pack/reveals: newest first, those with an ordinal
 * below before (0: from the newest), at most limit; *next is the before
 * of the next page, 0 at the end. Returns 0 with *out (caller decrefs),
 * FZ_ENOTFOUND (no such project in ws) or FZ_E*. Loop thread. */
int	reveals_list(struct state *st, const char *ws, const char *project_id,
	    uint64_t before, unsigned limit, json_t **out, uint64_t *next);

#endif
