/*
 * validate.h: checking a JSON body field by field before anything is
 * written. Each check either yields the field's value or records a
 * {"field","message"} detail, so one answer names every bad field.
 * Field names are given as the client wrote them (camelCase for the
 * REST API, snake_case for Zapier actions).
 */
#ifndef FZ_VALIDATE_H
#define FZ_VALIDATE_H

#include <stddef.h>

#include <jansson.h>

#include "common/text.h"

struct rq;

struct vctx {
	const json_t	*body;		/* borrowed */
	json_t		*details;	/* NULL until a field fails */
};

/* Starts checking body (a JSON object, borrowed). */
void	validate_begin(struct vctx *v, const json_t *body);

/* Records a failure of field. */
void	validate_fail(struct vctx *v, const char *field, const char *msg);

/* Returns the trimmed-of-nothing string value of field if it is a string
 * of 1..max bytes with no control characters (newlines and tabs allowed
 * when multiline), NULL if absent and optional (or null), else records a
 * failure and returns NULL. Borrowed from body. */
const char	*validate_string(struct vctx *v, const char *field,
		    int required, size_t max, int multiline);

/* A display name: validate_string plus not only blanks. */
const char	*validate_name(struct vctx *v, const char *field,
		    int required, size_t max);

/* An email, normalized into out (TEXT_EMAIL_SIZE bytes). Returns out,
 * NULL if absent and optional, or NULL after recording a failure. */
const char	*validate_email(struct vctx *v, const char *field,
		    int required, char *out);

/* A real calendar date "YYYY-MM-DD". */
const char	*validate_date(struct vctx *v, const char *field,
		    int required);

/* A record id with the given prefix ("client" for "client_..."). */
const char	*validate_id(struct vctx *v, const char *field,
		    const char *prefix, int required);

/* Returns 1 if a value of s would be a well-formed id with prefix. */
int	validate_id_ok(const char *s, const char *prefix);

/* Answers rq with 400 VALIDATION_ERROR listing every failure and returns
 * -1 if any check failed; else returns 0 and answers nothing. */
int	validate_end(struct vctx *v, struct rq *rq);

#endif
