#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/fz.h"
#include "common/log.h"
#include "common/secure.h"
#include "relay/edge.h"
#include "relay/http/http.h"
#include "relay/metrics.h"
#include "relay/reply.h"

static const struct {
	int		 status;
	const char	*code;
} api_errors[] = {
	[API_VALIDATION_ERROR] = { 400, "VALIDATION_ERROR" },
	[API_UNAUTHORIZED] = { 401, "UNAUTHORIZED" },
	[API_FORBIDDEN] = { 403, "FORBIDDEN" },
	[API_PLAN_LIMIT] = { 403, "PLAN_LIMIT" },
	[API_NOT_FOUND] = { 404, "NOT_FOUND" },
	[API_METHOD_NOT_ALLOWED] = { 405, "METHOD_NOT_ALLOWED" },
	[API_REQUEST_TIMEOUT] = { 408, "REQUEST_TIMEOUT" },
	[API_CONFLICT] = { 409, "CONFLICT" },
	[API_PAYLOAD_TOO_LARGE] = { 413, "PAYLOAD_TOO_LARGE" },
	[API_URI_TOO_LONG] = { 414, "URI_TOO_LONG" },
	[API_UNSUPPORTED_MEDIA_TYPE] = { 415, "UNSUPPORTED_MEDIA_TYPE" },
	[API_RATE_LIMITED] = { 429, "RATE_LIMITED" },
	[API_HEADERS_TOO_LARGE] = { 431, "HEADERS_TOO_LARGE" },
	[API_INTERNAL_ERROR] = { 500, "INTERNAL_ERROR" },
	[API_NOT_IMPLEMENTED] = { 501, "NOT_IMPLEMENTED" },
	[API_UPSTREAM_ERROR] = { 502, "UPSTREAM_ERROR" },
	[API_UPSTREAM_UNAVAILABLE] = { 503, "UPSTREAM_UNAVAILABLE" },
	[API_SERVICE_UNAVAILABLE] = { 503, "SERVICE_UNAVAILABLE" },
	[API_UPSTREAM_TIMEOUT] = { 504, "UPSTREAM_TIMEOUT" },
	[API_HTTP_VERSION] = { 505, "HTTP_VERSION_NOT_SUPPORTED" },
};

int
reply_status(enum api_error err)
{
	if ((size_t)err >= FZ_NELEM(api_errors))
		return 500;
	return api_errors[err].status;
}

const char *
reply_code(enum api_error err)
{
	if ((size_t)err >= FZ_NELEM(api_errors))
		return "INTERNAL_ERROR";
	return api_errors[err].code;
}

int
reply_request_id_ok(const char *s)
{
	size_t len = strlen(s);

	return len > 0 && len <= REPLY_REQUEST_ID_MAX &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._:-") == len;
}

struct rq *
reply_begin(struct edge *edge, struct http_req *http)
{
	const char *theirs = http_req_header(http, "X-Request-ID");
	struct rq *rq;

	if ((rq = calloc(1, sizeof(*rq))) == NULL)
		return NULL;
	rq->http = http;
	rq->edge = edge;
	rq->start_us = clock_mono_us();
	if (theirs != NULL && reply_request_id_ok(theirs))
		strcpy(rq->id, theirs);
	else if (secure_id("req", rq->id) != 0) {
		free(rq);
		return NULL;
	}
	return rq;
}

void
reply_discard(struct rq *rq)
{
	if (rq == NULL)
		return;
	router_params_clear(&rq->params);
	json_decref(rq->body);
	free(rq);
}

void
reply_header(struct rq *rq, const char *name, const char *value)
{
	http_req_add_header(rq->http, name, value);
}

/* own, if not NULL, is body, from malloc: it is taken, not copied. */
static void
reply_finish(struct rq *rq, int status, const char *ctype, const char *body,
    size_t len, const json_t *data, char *own)
{
	const char *pattern = rq->route != NULL ? rq->route->pattern : "-";
	int64_t us = clock_mono_us() - rq->start_us;

	/* The route pattern, not the path: paths may carry share tokens. */
	if (status >= 500)
		log_warn("%s %s %d %lld.%03lldms %s", http_req_method(rq->http),
		    pattern, status, (long long)(us / 1000),
		    (long long)(us % 1000), rq->id);
	else
		log_debug("%s %s %d %lld.%03lldms %s",
		    http_req_method(rq->http), pattern, status,
		    (long long)(us / 1000), (long long)(us % 1000), rq->id);
	/* The route's method, never the client's token: series stay few. */
	metrics_request(rq->route != NULL ? rq->route->method : "-", pattern,
	    status, us);
	edge_finished(rq, status, data);
	http_req_add_header(rq->http, "X-Request-ID", rq->id);
	if (own != NULL)
		http_reply_take(rq->http, status, ctype, own, len);
	else
		http_reply(rq->http, status, ctype, body, len);
	reply_discard(rq);
}

static json_t *
reply_meta(struct rq *rq, json_t *extra)
{
	char ts[CLOCK_RFC3339_SIZE];
	json_t *meta;

	meta = json_pack("{s:s, s:s}", "request_id", rq->id, "timestamp",
	    clock_rfc3339(clock_now_ms(), ts));
	if (meta != NULL && extra != NULL)
		json_object_update(meta, extra);
	json_decref(extra);
	return meta;
}

static void
reply_envelope(struct rq *rq, int status, json_t *env, const json_t *data)
{
	static const char fallback[] = "{\"data\":null,\"meta\":null,"
	    "\"error\":{\"code\":\"INTERNAL_ERROR\",\"message\":"
	    "\"response could not be built\"}}";
	char *s = NULL;

	if (env != NULL)
		s = json_dumps(env, JSON_COMPACT);
	if (s == NULL) {
		log_err("reply: cannot render a response (out of memory)");
		reply_finish(rq, 500, "application/json", fallback,
		    sizeof(fallback) - 1, NULL, NULL);
	} else
		reply_finish(rq, status, "application/json", s, strlen(s),
		    data, s);
	json_decref(env);
}

/*
 * The meta object as text (caller frees), or NULL (no memory). Plain meta
 * is written directly: the request id is of a safe alphabet and the
 * timestamp fixed, so the bytes are what the encoder would give.
 */
static char *
reply_meta_text(struct rq *rq, json_t *extra, size_t *len)
{
	static const char a[] = "{\"request_id\":\"",
	    b[] = "\",\"timestamp\":\"", c[] = "\"}";
	char ts[CLOCK_RFC3339_SIZE], *m;
	size_t il, n = 0;
	json_t *meta;

	if (extra != NULL) {
		meta = reply_meta(rq, extra);
		m = meta != NULL ? json_dumps(meta, JSON_COMPACT) : NULL;
		json_decref(meta);
		if (m != NULL)
			*len = strlen(m);
		return m;
	}
	il = strlen(rq->id);
	if ((m = malloc(sizeof(a) + il + sizeof(b) + sizeof(ts) + sizeof(c))) ==
	    NULL)
		return NULL;
	memcpy(m + n, a, sizeof(a) - 1);
	n += sizeof(a) - 1;
	memcpy(m + n, rq->id, il);
	n += il;
	memcpy(m + n, b, sizeof(b) - 1);
	n += sizeof(b) - 1;
	memcpy(m + n, clock_rfc3339(clock_now_ms(), ts), sizeof(ts) - 1);
	n += sizeof(ts) - 1;
	memcpy(m + n, c, sizeof(c));
	*len = n + sizeof(c) - 1;
	return m;
}

/* The envelope around data's text; json, if not NULL, is data itself,
 * for the Idempotency-Key record. Takes meta_extra. */
static void
reply_ok_env(struct rq *rq, int status, const char *data, size_t len,
    json_t *meta_extra, const json_t *json)
{
	static const char head[] = "{\"data\":", mid[] = ",\"meta\":",
	    tail[] = ",\"error\":null}";
	char *m, *out = NULL;
	size_t mlen = 0, n;

	if ((m = reply_meta_text(rq, meta_extra, &mlen)) == NULL ||
	    (out = malloc(sizeof(head) + len + sizeof(mid) + mlen +
	    sizeof(tail))) == NULL) {
		reply_envelope(rq, 500, NULL, NULL);
		goto out;
	}
	n = 0;
	memcpy(out + n, head, sizeof(head) - 1);
	n += sizeof(head) - 1;
	memcpy(out + n, data, len);
	n += len;
	memcpy(out + n, mid, sizeof(mid) - 1);
	n += sizeof(mid) - 1;
	memcpy(out + n, m, mlen);
	n += mlen;
	memcpy(out + n, tail, sizeof(tail) - 1);
	n += sizeof(tail) - 1;
	reply_finish(rq, status, "application/json", out, n, json, out);
out:
	free(m);
}

void
reply_ok(struct rq *rq, int status, json_t *data, json_t *meta_extra)
{
	char *s;

	if (data == NULL)
		data = json_null();
	if ((s = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL) {
		json_decref(meta_extra);
		reply_envelope(rq, 500, NULL, NULL);
	} else
		reply_ok_env(rq, status, s, strlen(s), meta_extra, data);
	free(s);
	json_decref(data);
}

void
reply_ok_text(struct rq *rq, int status, const char *data, size_t len,
    json_t *meta_extra)
{
	reply_ok_env(rq, status, data, len, meta_extra, NULL);
}

void
reply_error_raw(struct rq *rq, int status, const char *code,
    const char *message, json_t *details)
{
	json_t *e, *env;

	e = json_pack("{s:s, s:s}", "code", code, "message", message);
	if (e != NULL && details != NULL)
		json_object_set(e, "details", details);
	json_decref(details);
	env = json_pack("{s:n, s:o, s:o}", "data", "meta",
	    reply_meta(rq, NULL), "error", e);
	reply_envelope(rq, status, env, NULL);
}

void
reply_error(struct rq *rq, enum api_error err, const char *message,
    json_t *details)
{
	reply_error_raw(rq, reply_status(err), reply_code(err), message,
	    details);
}

void
reply_raw(struct rq *rq, int status, const char *ctype, const char *body,
    size_t len)
{
	reply_finish(rq, status, ctype, body, len, NULL, NULL);
}

void
reply_raw_take(struct rq *rq, int status, const char *ctype, char *body,
    size_t len)
{
	reply_finish(rq, status, ctype, body, len, NULL, body);
}

json_t *
reply_detail(json_t *details, const char *field, const char *msg)
{
	if (details == NULL && (details = json_array()) == NULL)
		return NULL;
	json_array_append_new(details, json_pack("{s:s, s:s}", "field", field,
	    "message", msg));
	return details;
}

size_t
reply_refusal(char *buf, size_t size)
{
	char id[FZ_ID_SIZE], ts[CLOCK_RFC3339_SIZE], body[320];
	int blen, n;

	if (secure_id("req", id) != 0)
		return 0;
	blen = snprintf(body, sizeof(body), "{\"data\":null,\"meta\":{"
	    "\"request_id\":\"%s\",\"timestamp\":\"%s\"},\"error\":{"
	    "\"code\":\"%s\",\"message\":\"too many connections; retry "
	    "shortly\"}}", id, clock_rfc3339(clock_now_ms(), ts),
	    reply_code(API_SERVICE_UNAVAILABLE));
	if (blen < 0 || (size_t)blen >= sizeof(body))
		return 0;
	n = snprintf(buf, size, "HTTP/1.1 503 %s\r\nServer: fzrelay\r\n"
	    "Content-Type: application/json\r\nContent-Length: %d\r\n"
	    "Retry-After: 1\r\nConnection: close\r\nX-Request-ID: %s\r\n"
	    "\r\n%s", http_reason(503), blen, id, body);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}
