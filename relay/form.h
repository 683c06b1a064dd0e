/*
 * form.h: request bodies a browser sends from an HTML form
 * (application/x-www-form-urlencoded), read into the same JSON object of
 * strings the API's checks take (relay/validate.h), so a form and a JSON
 * body are validated alike.
 */
#ifndef FZ_FORM_H
#define FZ_FORM_H

#include <stddef.h>

#include <jansson.h>

struct rq;

/* Returns 1 if rq's Content-Type is application/x-www-form-urlencoded,
 * with or without parameters. */
int	form_is_form(struct rq *rq);

/* Reads body (len bytes) "a=1&b=x+y%21": '+' is a space, %XX a byte.
 * Returns 0 and sets *out to an object of strings (caller decrefs),
 * FZ_EINVAL (a malformed escape, a name given twice, a name or value that
 * is not UTF-8 or holds a NUL) or FZ_ENOMEM. Any thread. */
int	form_parse(const char *body, size_t len, json_t **out);

#endif
