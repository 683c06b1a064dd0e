/*
 * packcheck.h: the shape of a handover pack a client may PUT:
 *   {"sections": [{"title", "items": [item, ...]}, ...]}
 * with an item {"type": "link"|"document"|"note"|"credential", "label",
 * "url"?, "text"?, "username"?, "password"?}. link and document need a
 * "url" (an http(s) URL, or "" while still a placeholder); note needs
 * "text" (may be ""). Unknown fields are dropped, so a pack read with GET
 * can be PUT back as it is.
 */
#ifndef FZ_PACKCHECK_H
#define FZ_PACKCHECK_H

#include <jansson.h>

struct vctx;

#define PACKCHECK_MAX_SECTIONS	50
#define PACKCHECK_MAX_ITEMS	200

/* Checks v's body and returns a new, cleaned {"sections": [...]} (caller
 * decrefs), or NULL with every failure recorded in v as
 * "sections[i].items[j].field". */
json_t	*packcheck_sections(struct vctx *v);

#endif
