/*
 * reply.h: the request context handlers receive, and the only code that
 * builds the response envelope
 *
 *   {"data": ..., "meta": {"request_id", "timestamp", ...}, "error": null}
 *
 * or, on failure, data null and error {"code", "message", "details"?}.
 * Every answer carries X-Request-ID equal to meta.request_id. Each
 * reply_* call answers the request once and frees rq: the handler must
 * not touch rq afterwards.
 */
#ifndef FZ_REPLY_H
#define FZ_REPLY_H

#include <stdint.h>

#include <jansson.h>

#include "relay/route.h"
#include "state/idem.h"
#include "state/store.h"

struct http_req;
struct edge;

/* "req_" and FZ_ID_RANDOM characters, or a client's own id. */
#define REPLY_REQUEST_ID_MAX	128

enum api_error {
	API_VALIDATION_ERROR,		/* 400 */
	API_UNAUTHORIZED,		/* 401 */
	API_FORBIDDEN,			/* 403 */
	API_PLAN_LIMIT,			/* 403 */
	API_NOT_FOUND,			/* 404 */
	API_METHOD_NOT_ALLOWED,		/* 405 */
	API_REQUEST_TIMEOUT,		/* 408 */
	API_CONFLICT,			/* 409 */
	API_PAYLOAD_TOO_LARGE,		/* 413 */
	API_URI_TOO_LONG,		/* 414 */
	API_UNSUPPORTED_MEDIA_TYPE,	/* 415 */
	API_RATE_LIMITED,		/* 429 */
	API_HEADERS_TOO_LARGE,		/* 431 */
	API_INTERNAL_ERROR,		/* 500 */
	API_NOT_IMPLEMENTED,		/* 501 */
	API_UPSTREAM_ERROR,		/* 502 */
	API_UPSTREAM_UNAVAILABLE,	/* 503 */
	API_SERVICE_UNAVAILABLE,	/* 503 */
	API_UPSTREAM_TIMEOUT,		/* 504 */
	API_HTTP_VERSION,		/* 505 */
};

struct rq {
	struct http_req		*http;
	struct edge		*edge;		/* borrowed */
	const struct route	*route;		/* NULL before routing */
	struct router_params	 params;
	char			 id[REPLY_REQUEST_ID_MAX + 1];
	json_t			*body;		/* ROUTE_JSON_BODY routes */
	int			 authed;
	struct apikey		 key;
	struct workspace	 ws;
	int64_t			 start_us;	/* monotonic */
	char			 cursor[STORE_CURSOR_MAX];
	/* Reshapes the store's answer (relay/call.c); NULL: as is. */
	json_t			*(*map)(const json_t *data);
	/* Set while this write holds its Idempotency-Key (relay/edge.c);
	 * idem_claimed once a committed write recorded the key with it. */
	int			 idem;
	int			 idem_claimed;
	char			 idem_key[IDEM_KEY_MAX + 1];
	unsigned char		 idem_fp[SECURE_SHA256_SIZE];
};

/* Returns a context for http with its request id set (the client's
 * well-formed X-Request-ID, or a new one), or NULL. Freed by reply_*. */
struct rq	*reply_begin(struct edge *edge, struct http_req *http);

/* Frees rq without answering it: its request was dropped between its
 * head and its body (relay/edge.c). NULL is fine. */
void	reply_discard(struct rq *rq);

/* Returns 1 if s is acceptable as a client request id: 1..128 of
 * [A-Za-z0-9._:-]. */
int	reply_request_id_ok(const char *s);

/* Returns the HTTP status for err. */
int	reply_status(enum api_error err);

/* Returns the code string for err ("VALIDATION_ERROR", ...). */
const char	*reply_code(enum api_error err);

/* Adds a response header (e.g. rate-limit headers). */
void	reply_header(struct rq *rq, const char *name, const char *value);

/* Answers status with data (stolen; NULL means JSON null) in the
 * envelope. meta_extra (stolen, may be NULL) is merged into meta. */
void	reply_ok(struct rq *rq, int status, json_t *data, json_t *meta_extra);

/* As reply_ok with data given as JSON text (data[0..len-1], copied),
 * spliced into the envelope without being parsed: for event pages that
 * are stored ready to send. */
void	reply_ok_text(struct rq *rq, int status, const char *data, size_t len,
	    json_t *meta_extra);

/* Answers err with message (no secret may be in it) and details (a JSON
 * array of {"field","message"}, stolen, may be NULL). */
void	reply_error(struct rq *rq, enum api_error err, const char *message,
	    json_t *details);

/* As reply_error with an HTTP status and code given as they are, for an
 * upstream's error passed through. */
void	reply_error_raw(struct rq *rq, int status, const char *code,
	    const char *message, json_t *details);

/* Answers with a body outside the envelope (triggers, metrics, the API
 * description); X-Request-ID is still set. body is copied. */
void	reply_raw(struct rq *rq, int status, const char *ctype,
	    const char *body, size_t len);

/* As reply_raw, but takes body (from malloc) instead of copying it: a
 * trigger page goes to the socket as the journal built it. */
void	reply_raw_take(struct rq *rq, int status, const char *ctype,
	    char *body, size_t len);

/* Writes a whole "503 SERVICE_UNAVAILABLE" HTTP response, envelope and
 * a fresh request id included, into buf (size bytes) for a connection
 * refused before any request was read. Returns its length, or 0. */
size_t	reply_refusal(char *buf, size_t size);

/* Returns a details array with one {"field","message"} entry, or NULL. */
json_t	*reply_detail(json_t *details, const char *field, const char *msg);

#endif
