#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cfg.h"
#include "common/clock.h"
#include "common/hmap.h"
#include "common/log.h"
#include "common/text.h"
#include "relay/auth.h"
#include "relay/http/http.h"
#include "relay/http/limits.h"
#include "relay/peer.h"
#include "relay/reply.h"
#include "state/apikey.h"

#define AUTH_MAX_BUCKETS	200000

struct auth {
	struct state	*st;
	const struct cfg *cfg;		/* borrowed; swapped on reload */
	struct limiter	*per_key;
	struct limiter	*per_addr;	/* failed attempts */
	struct limiter	*per_link;	/* share-link actions */
	struct hmap	*touched;	/* key id -> int64_t last use (ms) */
};

struct auth *
auth_new(struct state *st, const struct cfg *cfg)
{
	struct auth *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->st = st;
	a->cfg = cfg;
	a->per_key = limiter_new(cfg->rate_limit_per_minute, AUTH_MAX_BUCKETS);
	a->per_addr = limiter_new(cfg->auth_fail_limit_per_minute,
	    AUTH_MAX_BUCKETS);
	a->per_link = limiter_new(AUTH_LINK_PER_MINUTE, AUTH_MAX_BUCKETS);
	a->touched = hmap_new(sizeof(int64_t));
	if (a->per_key == NULL || a->per_addr == NULL || a->per_link == NULL ||
	    a->touched == NULL) {
		auth_free(a);
		return NULL;
	}
	return a;
}

void
auth_reconfigure(struct auth *a, const struct cfg *cfg)
{
	a->cfg = cfg;
	limiter_set_rate(a->per_key, cfg->rate_limit_per_minute);
	limiter_set_rate(a->per_addr, cfg->auth_fail_limit_per_minute);
}

static void
auth_retry_after(struct rq *rq, const struct limit_info *li)
{
	char v[TEXT_U64_SIZE];

	text_u64(v, li->retry_after_s);
	reply_header(rq, "Retry-After", v);
}

static void
auth_rate_headers(struct rq *rq, const struct limit_info *li)
{
	char v[TEXT_U64_SIZE];

	text_u64(v, li->limit);
	reply_header(rq, "X-RateLimit-Limit", v);
	text_u64(v, li->remaining);
	reply_header(rq, "X-RateLimit-Remaining", v);
	text_u64(v, li->reset_s);
	reply_header(rq, "X-RateLimit-Reset", v);
}

/* Returns how many lines of header name the request carries. */
static int
auth_lines(const struct http_req *http, const char *name)
{
	int pos = 0, n = 0;

	while (http_req_header_next(http, name, &pos) != NULL)
		n++;
	return n;
}

/* Returns the token in "Bearer <token>" and its length, or NULL. */
static const char *
auth_bearer(const char *h, size_t *len)
{
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	*len = strcspn(h, " \t");
	if (*len == 0 || h[*len] != '\0')
		return NULL;
	return h;
}

/* RFC 6750: a 401 names the scheme, and says when the token itself was
 * the problem. */
static void
auth_unauthorized(struct rq *rq, int bad_token, const char *msg)
{
	reply_header(rq, "WWW-Authenticate", bad_token ?
	    "Bearer realm=\"fzrelay\", error=\"invalid_token\"" :
	    "Bearer realm=\"fzrelay\"");
	reply_error(rq, API_UNAUTHORIZED, msg, NULL);
}

/*
 * Counts a wrong token against the client's address. Only failures are
 * limited: a valid key is never refused for what others sharing its
 * address (a NAT, Zapier's egress, a proxy) got wrong, and a token
 * cannot be guessed in the attempts the limit allows anyway.
 */
static void
auth_failed(struct auth *a, struct rq *rq, const char *msg)
{
	char addr[PEER_ADDR_SIZE];
	struct limit_info li;

	if (!limiter_take(a->per_addr, peer_client(a->cfg, rq->http, addr),
	    clock_mono_ms(), &li)) {
		auth_retry_after(rq, &li);
		reply_error(rq, API_RATE_LIMITED, "too many failed "
		    "authentication attempts from this address", NULL);
		return;
	}
	auth_unauthorized(rq, 1, msg);
}

static void
auth_touch(struct auth *a, const char *key_id)
{
	int64_t *t;
	int created;

	if ((t = hmap_put(a->touched, key_id, &created)) != NULL)
		*t = clock_now_ms();
}

/* A service key acts for the workspace its caller names. Returns 0, or
 * -1 after answering. */
static int
auth_act_for(struct auth *a, struct rq *rq)
{
	const char *as = http_req_header(rq->http, "X-Finalizo-Workspace");
	int err;

	if (as == NULL || strcmp(as, rq->ws.id) == 0)
		return 0;
	if ((err = workspace_get(a->st, as, &rq->ws)) == 0)
		return 0;
	reply_error(rq, err == FZ_ENOTFOUND ? API_FORBIDDEN :
	    API_INTERNAL_ERROR, err == FZ_ENOTFOUND ? "X-Finalizo-Workspace "
	    "names no workspace here" : "workspace lookup failed", NULL);
	return -1;
}

int
auth_check(struct auth *a, struct rq *rq)
{
	const struct route *r = rq->route;
	const char *tok;
	struct limit_info li;
	enum plan plan;
	char msg[160];
	size_t len;
	int err;

	/* Two lines would let a proxy and fzrelay judge different keys. */
	tok = auth_lines(rq->http, "Authorization") == 1 ? auth_bearer(
	    http_req_header(rq->http, "Authorization"), &len) : NULL;
	if (tok == NULL) {
		auth_unauthorized(rq, 0, "missing API key: send one "
		    "Authorization: Bearer fz_live_... header");
		return -1;
	}
	err = apikey_authenticate(a->st, tok, len, &rq->key, &rq->ws);
	if (err == FZ_ENOTFOUND) {
		auth_failed(a, rq, "unknown API key");
		return -1;
	}
	if (err != 0) {
		reply_error(rq, API_INTERNAL_ERROR, "key lookup failed", NULL);
		return -1;
	}
	if (rq->key.revoked_ms != 0) {
		auth_failed(a, rq, "API key revoked");
		return -1;
	}
	rq->authed = 1;
	auth_touch(a, rq->key.id);
	/* The plan that opens a route is the key's own workspace's: a
	 * service key's edge has held its caller to that caller's plan, and
	 * may reach a route of another plan for it (a pro workspace's
	 * Zapier list is the upstream's GET /projects). */
	plan = rq->ws.plan;
	if (rq->key.scope == SCOPE_SERVICE && auth_act_for(a, rq) != 0)
		return -1;
	if (!limiter_take(a->per_key, rq->key.id, clock_mono_ms(), &li)) {
		auth_rate_headers(rq, &li);
		auth_retry_after(rq, &li);
		reply_error(rq, API_RATE_LIMITED, "rate limit exceeded for this "
		    "API key", NULL);
		return -1;
	}
	auth_rate_headers(rq, &li);
	if (plan < r->plan) {
		snprintf(msg, sizeof(msg), "this endpoint needs the %s plan%s; "
		    "the workspace is on %s", workspace_plan_name(r->plan),
		    r->plan < PLAN_AGENCY ? " or higher" : "",
		    workspace_plan_name(plan));
		reply_error(rq, API_PLAN_LIMIT, msg, NULL);
		return -1;
	}
	if (rq->key.scope < r->scope) {
		snprintf(msg, sizeof(msg), "this API key lacks the %s scope",
		    apikey_scope_name(r->scope));
		reply_error(rq, API_FORBIDDEN, msg, NULL);
		return -1;
	}
	return 0;
}

int
auth_link_take(struct auth *a, const char *token, unsigned *retry_after_s)
{
	struct limit_info li;

	if (limiter_take(a->per_link, token, clock_mono_ms(), &li))
		return 1;
	*retry_after_s = (unsigned)li.retry_after_s;
	return 0;
}

struct auth_batch {
	struct apikey_touch	*t;
	size_t			 n;
};

static int
auth_collect_cb(const char *key, void *value, void *arg)
{
	struct auth_batch *b = arg;

	snprintf(b->t[b->n].id, sizeof(b->t[b->n].id), "%s", key);
	b->t[b->n].used_ms = *(int64_t *)value;
	b->n++;
	return 0;
}

static int
auth_forget_cb(const char *key, void *value, void *arg)
{
	(void)key;
	(void)value;
	(void)arg;
	return 1;
}

void
auth_flush(struct auth *a)
{
	struct auth_batch b = { NULL, 0 };
	size_t n = hmap_count(a->touched);

	limiter_sweep(a->per_key, clock_mono_ms());
	limiter_sweep(a->per_addr, clock_mono_ms());
	limiter_sweep(a->per_link, clock_mono_ms());
	if (n == 0)
		return;
	if ((b.t = calloc(n, sizeof(*b.t))) == NULL)
		return;		/* kept for the next flush */
	hmap_each(a->touched, auth_collect_cb, &b);
	/* Last-used times are a hint: one lost to a failed write is not
	 * retried, the next use records a newer one. */
	apikey_touch(a->st, b.t, b.n, state_warn_cb, "record key last-used "
	    "times");
	hmap_each(a->touched, auth_forget_cb, NULL);
	free(b.t);
}

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	if (a->touched != NULL && a->per_key != NULL && a->per_addr != NULL &&
	    a->per_link != NULL)
		auth_flush(a);
	limiter_free(a->per_key);
	limiter_free(a->per_addr);
	limiter_free(a->per_link);
	hmap_free(a->touched);
	free(a);
}
