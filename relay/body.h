/*
 * body.h: request bodies as the API takes them: JSON objects only.
 *
 * ROUTE_JSON_BODY routes get rq->body parsed by the edge; a
 * ROUTE_OWN_BODY route reads the text itself (body_json_text) and
 * falls back to body_parse, which answers like the edge would.
 */
#ifndef FZ_RELAY_BODY_H
#define FZ_RELAY_BODY_H

#include <stddef.h>

struct rq;

/* Returns rq's body when it is declared as JSON and not empty (borrowed
 * from rq, not NUL-terminated; *len set), else NULL. */
const char	*body_json_text(struct rq *rq, size_t *len);

/* Parses rq's body into rq->body (an empty body is an empty object).
 * Returns 0, or -1 after answering: 415 for another media type, 400 for
 * malformed JSON or anything but an object. */
int	body_parse(struct rq *rq);

#endif
