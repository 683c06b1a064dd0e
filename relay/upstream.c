#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfg.h"
#include "common/clock.h"
#include "common/fz.h"
#include "common/log.h"
#include "common/text.h"
#include "relay/call.h"
#include "relay/fetch.h"
#include "relay/upstream.h"
#include "state/journal.h"
#include "state/store_impl.h"

#define UPSTREAM_BODY_MAX	(8u << 20)

struct upstream {
	struct fetch	*fetch;
	struct state	*st;
	char		*base;		/* upstream_url without trailing '/' */
	char		*token;
	long		 timeout_ms;
	unsigned	 failures;	/* consecutive */
	int64_t		 open_until;	/* breaker open until (monotonic) */
	int		 probing;	/* one request let through */
};

/* One call in flight. */
struct ucall {
	struct upstream		*u;
	enum store_op		 op;
	char			*ws;
	char			*url;
	char			*body;
	const char		*method;
	struct curl_slist	*hdrs;
	store_cb		*cb;
	void			*arg;
	char			*resp;
	size_t			 len;
	int			 retried;
	int			 too_big;
	int			 probe;		/* the breaker's one probe */
	struct store_res	 res;		/* held while journaling */
};

static const struct store_backend upstream_backend;

static void
ucall_free(struct ucall *c)
{
	if (c == NULL)
		return;
	curl_slist_free_all(c->hdrs);
	free(c->ws);
	free(c->url);
	free(c->body);
	free(c->resp);
	free(c);
}

static size_t
ucall_write_cb(char *p, size_t sz, size_t n, void *arg)
{
	struct ucall *c = arg;
	size_t len = sz * n;
	char *np;

	if (c->len + len > UPSTREAM_BODY_MAX) {
		c->too_big = 1;
		return 0;
	}
	if ((np = realloc(c->resp, c->len + len + 1)) == NULL)
		return 0;
	c->resp = np;
	memcpy(c->resp + c->len, p, len);
	c->len += len;
	c->resp[c->len] = '\0';
	return len;
}

/* Each store operation is one upstream request: path, then the record id
 * and tail when tail is not NULL. */
static const struct {
	enum store_op	 op;
	const char	*method;
	const char	*path;
	const char	*tail;
	int		 list;		/* takes ?limit= and ?cursor= */
} ucall_routes[] = {
	{ STORE_OP_PING, "GET", "/readyz", NULL, 0 },
	{ STORE_OP_CLIENT_LIST, "GET", "/api/v1/clients", NULL, 1 },
	{ STORE_OP_CLIENT_GET, "GET", "/api/v1/clients/", "", 0 },
	{ STORE_OP_CLIENT_CREATE, "POST", "/api/v1/clients", NULL, 0 },
	{ STORE_OP_PROJECT_LIST, "GET", "/api/v1/projects", NULL, 1 },
	{ STORE_OP_PROJECT_GET, "GET", "/api/v1/projects/", "", 0 },
	{ STORE_OP_PROJECT_CREATE, "POST", "/api/v1/projects", NULL, 0 },
	{ STORE_OP_PROJECT_UPDATE, "PATCH", "/api/v1/projects/", "", 0 },
	{ STORE_OP_PACK_GET, "GET", "/api/v1/projects/", "/pack", 0 },
	{ STORE_OP_PACK_PUT, "PUT", "/api/v1/projects/", "/pack", 0 },
	{ STORE_OP_PACK_SEND, "POST", "/api/v1/projects/", "/pack/send", 0 },
	{ STORE_OP_SIGNOFF_GET, "GET", "/api/v1/projects/", "/signoff", 0 },
	{ STORE_OP_PACK_REVEALS, "GET", "/api/v1/projects/", "/pack/reveals",
	    1 },
	{ STORE_OP_SIGNOFF_LIST, "GET", "/api/v1/signoffs", NULL, 1 },
	{ STORE_OP_TEMPLATE_LIST, "GET", "/api/v1/templates", NULL, 0 },
};

/* Appends a list's query to path (n bytes of size used): limit, cursor
 * and the filters, under their REST names, which the upstream takes as
 * the edge does. Returns 0, FZ_ENOMEM or FZ_ETOOBIG. */
static int
ucall_query(const struct store_req *req, char *path, size_t size, size_t n)
{
	const char *key;
	json_t *val;
	char *esc;
	int m;

	/* The edge lets only base64url cursors through (relay/call.c), so
	 * they need no escaping here. */
	m = snprintf(path + n, size - n, "?limit=%u%s%s", req->limit,
	    req->cursor ? "&cursor=" : "", req->cursor ? req->cursor : "");
	if (m < 0 || (size_t)m >= size - n)
		return FZ_ETOOBIG;
	n += (size_t)m;
	json_object_foreach(req->filter, key, val) {
		if ((esc = curl_easy_escape(NULL, json_string_value(val) ?
		    json_string_value(val) : "", 0)) == NULL)
			return FZ_ENOMEM;
		m = snprintf(path + n, size - n, "&%s=%s", key, esc);
		curl_free(esc);
		if (m < 0 || (size_t)m >= size - n)
			return FZ_ETOOBIG;
		n += (size_t)m;
	}
	return 0;
}

/* The request of an operation: method and path (with query). Returns 0,
 * FZ_ENOTSUP for what only the embedded store offers (the portal),
 * FZ_ENOMEM or FZ_ETOOBIG. */
static int
ucall_route(const struct store_req *req, const char **method, char *path,
    size_t size)
{
	const char *id = req->id != NULL ? req->id : "";
	size_t i;
	int n;

	for (i = 0; i < FZ_NELEM(ucall_routes); i++) {
		if (ucall_routes[i].op != req->op)
			continue;
		*method = ucall_routes[i].method;
		n = snprintf(path, size, "%s%s%s", ucall_routes[i].path,
		    ucall_routes[i].tail != NULL ? id : "",
		    ucall_routes[i].tail != NULL ? ucall_routes[i].tail : "");
		if (n < 0 || (size_t)n >= size)
			return FZ_ETOOBIG;
		if (ucall_routes[i].list && req->limit > 0)
			return ucall_query(req, path, size, (size_t)n);
		return 0;
	}
	return FZ_ENOTSUP;
}

static void
ucall_journaled_cb(struct state_result *r, void *arg)
{
	struct ucall *c = arg;

	if (r->err != 0)
		log_err("pack.sent for %s could not be journaled",
		    json_string_value(json_object_get(c->res.data, "id")));
	c->cb(&c->res, c->arg);
	ucall_free(c);
}

/* After a pack went out upstream: the relay's journal records it, from
 * the upstream's answer (the project with its client and share_url),
 * and the caller hears of the send once the event is on disk. Returns 0
 * if res (taken) is answered then, else -1 (nothing to journal). */
static int
ucall_journal_send(struct ucall *c, struct store_res *res)
{
	const json_t *p = res->data;
	const json_t *client = json_object_get(p, "client");
	json_t *snap, *rec = json_object_get(p, "eventRecorded");

	if (json_is_false(rec) || c->ws == NULL)
		return -1;
	snap = json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?,"
	    " s:O?, s:O?, s:O?, s:O?}",
	    "project_id", json_object_get(p, "id"),
	    "project_name", json_object_get(p, "name"),
	    "project_type", json_object_get(p, "projectType"),
	    "launch_date", json_object_get(p, "launchDate"),
	    "status", json_object_get(p, "status"),
	    "client_id", json_object_get(p, "clientId"),
	    "client_name", json_object_get(client, "name"),
	    "client_email", json_object_get(client, "email"),
	    "personal_message", json_object_get(p, "personalMessage"),
	    "share_url", json_object_get(p, "share_url"),
	    "sent_at", json_object_get(p, "sentAt"),
	    "pack_revision", json_object_get(p, "packRevision"));
	if (snap == NULL) {
		log_err("pack.sent for %s could not be journaled",
		    json_string_value(json_object_get(p, "id")));
		return -1;
	}
	c->res = *res;
	journal_record(c->u->st, JOURNAL_PACK_SENT, c->ws, snap,
	    clock_now_ms(), ucall_journaled_cb, c);
	json_decref(snap);
	return 0;
}

static void
upstream_breaker(struct upstream *u, int probe, int ok)
{
	if (probe)
		u->probing = 0;
	if (ok) {
		if (u->failures >= UPSTREAM_BREAKER_FAILURES)
			log_info("upstream store reachable again");
		u->failures = 0;
		u->open_until = 0;
		return;
	}
	if (++u->failures >= UPSTREAM_BREAKER_FAILURES) {
		if (u->failures == UPSTREAM_BREAKER_FAILURES)
			log_warn("upstream store failing: answering "
			    "UPSTREAM_UNAVAILABLE for %d ms, then probing",
			    UPSTREAM_BREAKER_COOL_MS);
		u->open_until = clock_mono_ms() + UPSTREAM_BREAKER_COOL_MS;
	}
}

static int	ucall_send(struct ucall *c);

/* Reads the upstream's answer into res. Returns 1 if the upstream is
 * healthy (it answered, even with a 4xx), 0 if it failed. */
static int
ucall_parse(struct ucall *c, long code, struct store_res *res)
{
	json_t *env = NULL, *err, *meta;
	const char *s;

	if (c->resp != NULL)
		env = json_loadb(c->resp, c->len, 0, NULL);
	if (!json_is_object(env) || (code >= 500 && code != 503)) {
		res->err = FZ_EBADGW;
		res->message = code >= 500 ? "the upstream store failed" :
		    "the upstream store answered something other than the "
		    "API envelope";
		json_decref(env);
		return 0;
	}
	if (code >= 200 && code < 300) {
		res->data = json_incref(json_object_get(env, "data"));
		meta = json_object_get(env, "meta");
		if ((s = json_string_value(json_object_get(meta,
		    "next_cursor"))) != NULL && strlen(s) < STORE_CURSOR_MAX)
			strcpy(res->next_cursor, s);
		res->created = code == 201;
		json_decref(env);
		return 1;
	}
	err = json_object_get(env, "error");
	if (code == 503 || (s = json_string_value(json_object_get(err,
	    "code"))) == NULL) {
		res->err = code == 503 ? FZ_EUNAVAIL : FZ_EBADGW;
		res->message = "the upstream store is not ready";
		json_decref(env);
		return code != 503;
	}
	res->err = FZ_EUPSTREAM;
	res->status = (int)code;
	snprintf(res->code, sizeof(res->code), "%s", s);
	snprintf(res->text, sizeof(res->text), "%s", json_string_value(
	    json_object_get(err, "message")) ? json_string_value(
	    json_object_get(err, "message")) : "upstream error");
	res->details = json_incref(json_object_get(err, "details"));
	json_decref(env);
	return 1;
}

static void
ucall_done_cb(CURL *easy, CURLcode rc, void *arg)
{
	struct ucall *c = arg;
	struct upstream *u = c->u;
	struct store_res res;
	long code = 0;
	int healthy = 0;

	memset(&res, 0, sizeof(res));
	if (rc == CURLE_OK)
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(easy);
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		res.err = FZ_EUNAVAIL;
		res.message = "shutting down";
		goto out;
	}
	if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	    rc == CURLE_SEND_ERROR || rc == CURLE_GOT_NOTHING) {
		/* Only reads are safe to send twice. */
		if (strcmp(c->method, "GET") == 0 && !c->retried) {
			c->retried = 1;
			free(c->resp);
			c->resp = NULL;
			c->len = 0;
			if (ucall_send(c) == 0)
				return;
		}
		res.err = FZ_EUNAVAIL;
		res.message = "the upstream store cannot be reached";
	} else if (rc == CURLE_OPERATION_TIMEDOUT)
		res.err = FZ_ETIMEOUT;
	else if (rc == CURLE_URL_MALFORMAT || rc == CURLE_OUT_OF_MEMORY ||
	    rc == CURLE_BAD_FUNCTION_ARGUMENT) {
		/* Our side failed: no verdict on the upstream's health. */
		res.err = FZ_EBADGW;
		res.message = "the upstream request could not be made";
		if (c->probe)
			u->probing = 0;
		goto out;
	} else if (rc != CURLE_OK) {
		res.err = FZ_EBADGW;
		res.message = c->too_big ? "the upstream answer is too large" :
		    "the upstream exchange failed";
	} else
		healthy = ucall_parse(c, code, &res);
	upstream_breaker(u, c->probe, healthy);
	if (res.err == 0 && c->op == STORE_OP_PACK_SEND &&
	    ucall_journal_send(c, &res) == 0)
		return;
out:
	c->cb(&res, c->arg);
	ucall_free(c);
}

static int
ucall_send(struct ucall *c)
{
	CURL *easy;

	if ((easy = curl_easy_init()) == NULL)
		return FZ_ENOMEM;
	curl_easy_setopt(easy, CURLOPT_URL, c->url);
	curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, c->method);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, c->hdrs);
	if (c->body != NULL) {
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, c->body);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(c->body));
	}
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, c->u->timeout_ms);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, ucall_write_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, c);
	if (fetch_start(c->u->fetch, easy, ucall_done_cb, c) != 0) {
		curl_easy_cleanup(easy);
		return FZ_ENOMEM;
	}
	return 0;
}

/* Appends one header line, freeing the list if that fails. */
static struct curl_slist *
ucall_header(struct curl_slist *h, const char *name, const char *value)
{
	struct curl_slist *n;
	char line[512];

	snprintf(line, sizeof(line), "%s: %s", name, value);
	n = curl_slist_append(h, line);
	memset(line, 0, sizeof(line));		/* may hold the token */
	if (n == NULL)
		curl_slist_free_all(h);
	return n;
}

static struct curl_slist *
ucall_headers(const struct upstream *u, const struct store_req *req)
{
	struct curl_slist *h = NULL, *n = NULL;
	char auth[300];

	snprintf(auth, sizeof(auth), "Bearer %s", u->token);
	h = ucall_header(h, "Authorization", auth);
	memset(auth, 0, sizeof(auth));
	if (h != NULL && req->request_id != NULL)
		h = ucall_header(h, "X-Request-ID", req->request_id);
	if (h != NULL && req->workspace_id != NULL)
		h = ucall_header(h, "X-Finalizo-Workspace", req->workspace_id);
	if (h != NULL && req->idempotency_key != NULL)
		h = ucall_header(h, "Idempotency-Key", req->idempotency_key);
	if (h != NULL)
		h = ucall_header(h, "Content-Type", "application/json");
	/* No "Expect: 100-continue" round trip for small bodies. */
	if (h != NULL && (n = curl_slist_append(h, "Expect:")) == NULL)
		curl_slist_free_all(h);
	return h != NULL ? n : NULL;
}

static int
upstream_submit(void *impl, const struct store_req *req, store_cb *cb,
    void *arg)
{
	struct upstream *u = impl;
	struct store_res res;
	struct ucall *c;
	/* Room for the longest list query: cursor, and the filters at
	 * their longest, every byte percent-escaped. */
	char path[STORE_CURSOR_MAX + 3 * TEXT_EMAIL_SIZE + 3 * CALL_TEXT_MAX +
	    256];
	const char *method;
	size_t n;
	int err;

	memset(&res, 0, sizeof(res));
	if ((err = ucall_route(req, &method, path, sizeof(path))) != 0) {
		res.err = err;
		cb(&res, arg);
		return 0;
	}
	if (u->open_until != 0 && clock_mono_ms() < u->open_until) {
		res.err = FZ_EUNAVAIL;
		res.message = "the upstream store is failing; retry shortly";
		cb(&res, arg);
		return 0;
	}
	/* Cool-down over: one request probes, the rest wait. */
	if (u->open_until != 0 && u->probing) {
		res.err = FZ_EUNAVAIL;
		res.message = "the upstream store is being probed";
		cb(&res, arg);
		return 0;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return FZ_ENOMEM;
	if (u->open_until != 0)
		c->probe = u->probing = 1;
	c->u = u;
	c->op = req->op;
	c->method = method;
	c->cb = cb;
	c->arg = arg;
	n = strlen(u->base) + strlen(path) + 1;
	if ((c->url = malloc(n)) == NULL ||
	    (req->workspace_id != NULL &&
	    (c->ws = strdup(req->workspace_id)) == NULL) ||
	    (req->body != NULL && (c->body = json_dumps(req->body,
	    JSON_COMPACT)) == NULL) ||
	    (c->hdrs = ucall_headers(u, req)) == NULL)
		goto fail;
	snprintf(c->url, n, "%s%s", u->base, path);
	if (req->body == NULL && strcmp(method, "GET") != 0 &&
	    (c->body = strdup("{}")) == NULL)
		goto fail;
	if (ucall_send(c) != 0)
		goto fail;
	return 0;
fail:
	if (c->probe)
		u->probing = 0;
	ucall_free(c);
	return FZ_ENOMEM;
}

static int
upstream_apply(struct upstream *u, const struct cfg *cfg)
{
	char *base, *token;
	size_t n;

	if ((base = strdup(cfg->upstream_url)) == NULL)
		return FZ_ENOMEM;
	if ((token = strdup(cfg->upstream_token)) == NULL) {
		free(base);
		return FZ_ENOMEM;
	}
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		base[--n] = '\0';
	free(u->base);
	if (u->token != NULL) {
		memset(u->token, 0, strlen(u->token));
		free(u->token);
	}
	u->base = base;
	u->token = token;
	u->timeout_ms = (long)cfg->upstream_timeout_ms;
	return 0;
}

static void
upstream_free(void *impl)
{
	struct upstream *u = impl;

	if (u == NULL)
		return;
	free(u->base);
	if (u->token != NULL) {
		memset(u->token, 0, strlen(u->token));
		free(u->token);
	}
	free(u);
}

static int
upstream_breaker_open(void *impl)
{
	struct upstream *u = impl;

	return u->open_until != 0;
}

static const struct store_backend upstream_backend = {
	.kind = "http",
	.submit = upstream_submit,
	.breaker_open = upstream_breaker_open,
	.free = upstream_free,
};

struct store *
upstream_new(struct fetch *fetch, struct state *st, const struct cfg *cfg)
{
	struct upstream *u;

	if (cfg->upstream_url == NULL || cfg->upstream_token == NULL)
		return NULL;
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	u->fetch = fetch;
	u->st = st;
	if (upstream_apply(u, cfg) != 0) {
		upstream_free(u);
		return NULL;
	}
	return store_wrap(&upstream_backend, u);
}

int
upstream_reconfigure(struct store *s, const struct cfg *cfg)
{
	struct upstream *u = store_impl(s, &upstream_backend);

	if (u == NULL || cfg->upstream_url == NULL ||
	    cfg->upstream_token == NULL)
		return 0;
	return upstream_apply(u, cfg);
}
