/*
 * redact.h: what a read-scope key does not see. A pack's share_url is
 * the client's key to the portal: with it and the client's email (which
 * a read key must see, to sync clients) anyone could sign in the
 * client's name, and a read key must not be able to change anything. So
 * answers to keys below write scope carry no share_url, in pack records
 * and in events alike. Webhook deliveries keep it: their endpoints are
 * set up with write keys, and carry the link to the client.
 */
#ifndef FZ_REDACT_H
#define FZ_REDACT_H

#include <stddef.h>

#include <jansson.h>

struct rq;

/* Returns 1 if rq's key may not see share links. */
int	redact_share_hidden(const struct rq *rq);

/*
 * Removes every ',"share_url":"..."' member from text[0..len-1], JSON
 * as fzrelay writes it (compact, share_url never first in its object),
 * in place. Returns the new length; text stays NUL-terminated if it was.
 */
size_t	redact_share_text(char *text, size_t len);

/* A call_map_fn (relay/call.h): data without its share_url; caller owns
 * the copy, NULL when out of memory. */
json_t	*redact_share_json(const json_t *data);

#endif
