#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "actions/hooks.h"
#include "common/cfg.h"
#include "common/clock.h"
#include "common/cursor.h"
#include "common/fz.h"
#include "relay/edge.h"
#include "relay/reply.h"
#include "relay/validate.h"
#include "state/hooks.h"
#include "state/journal.h"
#include "state/outbox.h"

#define HOOKS_URL_MAX		2048
#define HOOKS_DESC_MAX		500
#define HOOKS_ROTATE_GRACE_MS	(24LL * 3600 * 1000)
#define HOOKS_REPLAY_MAX	10000

/*
 * The subscription-time half of the SSRF guard: http(s) only, and no
 * loopback, private, link-local or multicast literal (or "localhost")
 * unless allow_private_targets. A name is checked again where it
 * resolves, at connect time (triggers/deliver.c).
 */
static const char *
hooks_url_problem(const char *url, int allow_private)
{
	const char *host, *end;
	char h[256];
	unsigned char a[16];
	size_t n;

	if (strncasecmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return "must be an http:// or https:// URL";
	if (strchr(url, ' ') != NULL || strchr(host, '@') != NULL)
		return "must be a plain URL without credentials";
	if (*host == '[') {
		end = strchr(host, ']');
		host++;
	} else
		end = host + strcspn(host, ":/?#");
	if (end == NULL || (n = (size_t)(end - host)) == 0 || n >= sizeof(h))
		return "must name a host";
	memcpy(h, host, n);
	h[n] = '\0';
	if (allow_private)
		return NULL;
	if (strcasecmp(h, "localhost") == 0 ||
	    (n > 10 && strcasecmp(h + n - 10, ".localhost") == 0))
		return "targets a private address (allow_private_targets is off)";
	if (inet_pton(AF_INET, h, a) == 1) {
		if (a[0] == 0 || a[0] == 10 || a[0] == 127 ||
		    (a[0] == 169 && a[1] == 254) ||
		    (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		    (a[0] == 192 && a[1] == 168) ||
		    (a[0] == 100 && (a[1] & 0xc0) == 64) || a[0] >= 224)
			return "targets a private address "
			    "(allow_private_targets is off)";
	} else if (inet_pton(AF_INET6, h, a) == 1) {
		static const unsigned char zero[16];

		if (memcmp(a, zero, 15) == 0 || (a[0] & 0xfe) == 0xfc ||
		    (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || a[0] == 0xff ||
		    (memcmp(a, zero, 10) == 0 && a[10] == 0xff &&
		    a[11] == 0xff))
			return "targets a private address "
			    "(allow_private_targets is off)";
	}
	return NULL;
}

/* Accepts "pack_sent" as well as "pack.sent". Returns the bit or 0. */
static unsigned
hooks_event_bit(const char *s)
{
	static const struct {
		const char	*zapier;
		const char	*dotted;
	} names[] = {
		{ "pack_sent", JOURNAL_PACK_SENT },
		{ "pack_viewed", JOURNAL_PACK_VIEWED },
		{ "client_signed_off", JOURNAL_SIGNED_OFF },
	};
	size_t i;

	for (i = 0; i < FZ_NELEM(names); i++)
		if (strcmp(s, names[i].zapier) == 0)
			return journal_type_bit(names[i].dotted);
	return journal_type_bit(s);
}

/* The subscription as the API shows it: never the previous secret, the
 * current one only when asked; a record older than statuses is active. */
static json_t *
hooks_view(json_t *h, int with_secret)
{
	json_object_del(h, "previousSecret");
	json_object_del(h, "previousSecretUntil");
	if (!with_secret)
		json_object_del(h, "secret");
	if (json_object_get(h, "status") == NULL) {
		json_object_set_new(h, "status", json_string(HOOKS_ACTIVE));
		json_object_set_new(h, "statusReason", json_null());
	}
	return h;
}

/* A Zapier hook as Zapier's fields name it (h is borrowed). Returns a new
 * object or NULL. */
static json_t *
hooks_zapier_view(const json_t *h)
{
	json_t *reason = json_object_get(h, "statusReason");

	return json_pack("{s:O, s:O, s:O, s:s, s:O, s:O, s:O}", "id",
	    json_object_get(h, "id"), "event", json_array_get(json_object_get(
	    h, "events"), 0), "target_url", json_object_get(h, "url"),
	    "status", hooks_status(h), "status_reason", reason != NULL ? reason :
	    json_null(), "key_id", json_object_get(h, "keyId") != NULL ?
	    json_object_get(h, "keyId") : json_null(), "created_at",
	    json_object_get(h, "createdAt"));
}

static void
hooks_answer(struct rq *rq, int err, int status, json_t *data)
{
	if (err == 0) {
		reply_ok(rq, status, data, NULL);
		return;
	}
	json_decref(data);
	if (err == FZ_ENOTFOUND)
		reply_error(rq, API_NOT_FOUND, "no such subscription", NULL);
	else
		reply_error(rq, API_INTERNAL_ERROR, "storage failure", NULL);
}

/* Takes the written record out of res for the answer, or NULL. */
static json_t *
hooks_take(struct state_result *res)
{
	json_t *h = res->err == 0 ? res->data : NULL;

	if (h != NULL)
		res->data = NULL;
	return h;
}

static void
hooks_zapier_created_cb(struct state_result *res, void *arg)
{
	struct rq *rq = arg;
	json_t *data = NULL;

	/* What Zapier keeps as subscribeData: no more than it needs. */
	if (res->err == 0)
		data = json_pack("{s:O, s:O, s:O}", "id",
		    json_object_get(res->data, "id"), "event", json_array_get(
		    json_object_get(res->data, "events"), 0), "target_url",
		    json_object_get(res->data, "url"));
	hooks_answer(rq, res->err != 0 ? res->err : data != NULL ? 0 :
	    FZ_ENOMEM, 201, data);
}

static void
hooks_deleted_cb(struct state_result *res, void *arg)
{
	struct rq *rq = arg;

	hooks_answer(rq, res->err, 200, res->err ? NULL : json_pack("{s:s, "
	    "s:b}", "id", router_param(&rq->params, "id"), "deleted", 1));
}

/* The secret is shown at creation and rotation: the caller needs it to
 * verify. */
static void
hooks_created_cb(struct state_result *res, void *arg)
{
	json_t *h = hooks_take(res);

	hooks_answer(arg, res->err, 201, h != NULL ? hooks_view(h, 1) : NULL);
}

static void
hooks_rotated_cb(struct state_result *res, void *arg)
{
	json_t *h = hooks_take(res);

	hooks_answer(arg, res->err, 200, h != NULL ? hooks_view(h, 1) : NULL);
}

static void
hooks_enabled_cb(struct state_result *res, void *arg)
{
	json_t *h = hooks_take(res);

	hooks_answer(arg, res->err, 200, h != NULL ? hooks_view(h, 0) : NULL);
}

static void
hooks_replayed_cb(struct state_result *res, void *arg)
{
	struct rq *rq = arg;

	hooks_answer(rq, res->err, 202, res->err ? NULL : json_pack("{s:s, "
	    "s:I, s:b}", "id", router_param(&rq->params, "id"), "queued",
	    (json_int_t)res->n, "truncated", res->n == HOOKS_REPLAY_MAX));
}

static const char *
hooks_path_id(struct rq *rq)
{
	const char *id = router_param(&rq->params, "id");

	if (id == NULL || !validate_id_ok(id, "hook")) {
		reply_error(rq, API_NOT_FOUND, "no such subscription", NULL);
		return NULL;
	}
	return id;
}

void
hooks_zapier_subscribe(struct rq *rq)
{
	const struct cfg *cfg = edge_cfg(rq->edge);
	const char *url, *event, *why, *field;
	struct vctx v;
	unsigned bit = 0;

	validate_begin(&v, rq->body);
	field = json_object_get(rq->body, "hookUrl") != NULL ? "hookUrl" :
	    "target_url";
	url = validate_string(&v, field, 1, HOOKS_URL_MAX, 0);
	if (url != NULL && (why = hooks_url_problem(url,
	    cfg->allow_private_targets)) != NULL)
		validate_fail(&v, field, why);
	event = validate_string(&v, "event", 1, 64, 0);
	if (event != NULL && (bit = hooks_event_bit(event)) == 0)
		validate_fail(&v, "event", "want pack_sent, pack_viewed or "
		    "client_signed_off");
	if (validate_end(&v, rq) != 0)
		return;
	/* Bound to this key: revoking it stops the hook (state/hooks.h). */
	hooks_create(edge_state(rq->edge), rq->ws.id, HOOKS_KIND_ZAPIER,
	    rq->key.id, url, bit, NULL, clock_now_ms(),
	    hooks_zapier_created_cb, rq);
}

void
hooks_zapier_list(struct rq *rq)
{
	json_t *list = NULL, *out = NULL, *h;
	size_t i;
	int err;

	if ((err = hooks_list(edge_state(rq->edge), rq->ws.id,
	    HOOKS_KIND_ZAPIER, &list)) == 0 && (out = json_array()) == NULL)
		err = FZ_ENOMEM;
	json_array_foreach(list, i, h)
		if (err == 0 && json_array_append_new(out,
		    hooks_zapier_view(h)) != 0)
			err = FZ_ENOMEM;
	json_decref(list);
	if (err != 0) {
		json_decref(out);
		out = NULL;
	}
	hooks_answer(rq, err, 200, out);
}

void
hooks_zapier_get(struct rq *rq)
{
	const char *id;
	json_t *h = NULL, *view = NULL;
	int err;

	if ((id = hooks_path_id(rq)) == NULL)
		return;
	if ((err = hooks_get(edge_state(rq->edge), rq->ws.id,
	    HOOKS_KIND_ZAPIER, id, &h)) == 0 &&
	    (view = hooks_zapier_view(h)) == NULL)
		err = FZ_ENOMEM;
	json_decref(h);
	hooks_answer(rq, err, 200, view);
}

void
hooks_zapier_unsubscribe(struct rq *rq)
{
	const char *id;

	if ((id = hooks_path_id(rq)) == NULL)
		return;
	hooks_delete(edge_state(rq->edge), rq->ws.id, HOOKS_KIND_ZAPIER, id,
	    hooks_deleted_cb, rq);
}

void
hooks_webhook_create(struct rq *rq)
{
	const struct cfg *cfg = edge_cfg(rq->edge);
	const char *url, *why, *desc;
	const json_t *events;
	struct vctx v;
	json_t *e;
	unsigned mask = 0, bit;
	size_t i;

	validate_begin(&v, rq->body);
	url = validate_string(&v, "url", 1, HOOKS_URL_MAX, 0);
	if (url != NULL && (why = hooks_url_problem(url,
	    cfg->allow_private_targets)) != NULL)
		validate_fail(&v, "url", why);
	desc = validate_string(&v, "description", 0, HOOKS_DESC_MAX, 0);
	events = json_object_get(rq->body, "events");
	if (!json_is_array(events) || json_array_size(events) == 0)
		validate_fail(&v, "events", "want a non-empty array of "
		    "pack.sent, pack.viewed, client.signed_off");
	else
		json_array_foreach(events, i, e) {
			if (!json_is_string(e) || (bit = hooks_event_bit(
			    json_string_value(e))) == 0) {
				validate_fail(&v, "events", "want pack.sent, "
				    "pack.viewed or client.signed_off");
				break;
			}
			mask |= bit;
		}
	if (validate_end(&v, rq) != 0)
		return;
	/* The workspace's, not the key's: it outlives key rotation. */
	hooks_create(edge_state(rq->edge), rq->ws.id, HOOKS_KIND_WEBHOOK, NULL,
	    url, mask, desc != NULL && *desc ? desc : NULL, clock_now_ms(),
	    hooks_created_cb, rq);
}

void
hooks_webhook_list(struct rq *rq)
{
	json_t *list = NULL, *h;
	size_t i;
	int err;

	err = hooks_list(edge_state(rq->edge), rq->ws.id, HOOKS_KIND_WEBHOOK,
	    &list);
	json_array_foreach(list, i, h)
		hooks_view(h, 0);
	hooks_answer(rq, err, 200, list);
}

void
hooks_webhook_get(struct rq *rq)
{
	const char *id;
	json_t *h = NULL;
	int err;

	if ((id = hooks_path_id(rq)) == NULL)
		return;
	err = hooks_get(edge_state(rq->edge), rq->ws.id, HOOKS_KIND_WEBHOOK, id,
	    &h);
	hooks_answer(rq, err, 200, err ? NULL : hooks_view(h,
	    rq->key.scope >= SCOPE_ADMIN));
}

void
hooks_webhook_delete(struct rq *rq)
{
	const char *id;

	if ((id = hooks_path_id(rq)) == NULL)
		return;
	hooks_delete(edge_state(rq->edge), rq->ws.id, HOOKS_KIND_WEBHOOK, id,
	    hooks_deleted_cb, rq);
}

static int
hooks_rotate_fn(json_t *h, void *arg)
{
	char secret[HOOKS_SECRET_SIZE], until[CLOCK_RFC3339_SIZE];
	int err;

	(void)arg;
	if ((err = hooks_secret_new(secret)) != 0)
		return err;
	json_object_set(h, "previousSecret", json_object_get(h, "secret"));
	json_object_set_new(h, "previousSecretUntil", json_string(
	    clock_rfc3339(clock_now_ms() + HOOKS_ROTATE_GRACE_MS, until)));
	json_object_set_new(h, "secret", json_string(secret));
	return 0;
}

void
hooks_webhook_rotate(struct rq *rq)
{
	const char *id;

	if ((id = hooks_path_id(rq)) == NULL)
		return;
	hooks_update(edge_state(rq->edge), rq->ws.id, HOOKS_KIND_WEBHOOK, id,
	    hooks_rotate_fn, NULL, 0, hooks_rotated_cb, rq);
}

static int
hooks_enable_fn(json_t *h, void *arg)
{
	(void)arg;
	json_object_set_new(h, "enabled", json_true());
	json_object_set_new(h, "failingSince", json_null());
	return 0;
}

void
hooks_webhook_enable(struct rq *rq)
{
	const char *id;

	if ((id = hooks_path_id(rq)) == NULL)
		return;
	/* A Zapier hook's id is no endpoint's, here as on every
	 * /webhooks/:id route. */
	hooks_update(edge_state(rq->edge), rq->ws.id, HOOKS_KIND_WEBHOOK, id,
	    hooks_enable_fn, NULL, 0, hooks_enabled_cb, rq);
}

void
hooks_webhook_deliveries(struct rq *rq)
{
	const char *id;
	json_t *h = NULL, *list = NULL;
	int err;

	if ((id = hooks_path_id(rq)) == NULL)
		return;
	if ((err = hooks_get(edge_state(rq->edge), rq->ws.id,
	    HOOKS_KIND_WEBHOOK, id, &h)) == 0)
		err = outbox_deliveries(edge_state(rq->edge), id, 100, &list);
	json_decref(h);
	hooks_answer(rq, err, 200, list);
}

/* "2026-05-27T12:00:00Z" or with .mmm: UTC only, as the API writes. */
static int
hooks_parse_time(const char *s, int64_t *ms)
{
	struct tm tm;
	const char *p;
	int frac = 0;

	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9' ||
		    p[3] < '0' || p[3] > '9')
			return -1;
		frac = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
		p += 4;
	}
	if (strcmp(p, "Z") != 0)
		return -1;
	*ms = (int64_t)timegm(&tm) * 1000 + frac;
	return 0;
}

void
hooks_webhook_replay(struct rq *rq)
{
	const unsigned char *key = edge_cursor_key(rq->edge);
	const char *id, *since, *after;
	char scope[64];
	struct vctx v;
	json_t *h = NULL;
	uint64_t from = 0;
	int64_t since_ms = 0;
	int err;

	if ((id = hooks_path_id(rq)) == NULL)
		return;
	validate_begin(&v, rq->body);
	since = validate_string(&v, "since", 0, 40, 0);
	after = validate_string(&v, "after", 0, 128, 0);
	snprintf(scope, sizeof(scope), "%s:events", rq->ws.id);
	if (since != NULL && *since && hooks_parse_time(since, &since_ms) != 0)
		validate_fail(&v, "since", "want an RFC 3339 UTC time such as "
		    "2026-05-27T12:00:00.000Z");
	if (after != NULL && *after && cursor_decode(key, scope, after,
	    &from) != 0)
		validate_fail(&v, "after", "want a cursor from GET /events");
	if (v.details == NULL && (since == NULL || !*since) &&
	    (after == NULL || !*after))
		validate_fail(&v, "since", "send since (a time) or after (an "
		    "event cursor)");
	if (validate_end(&v, rq) != 0)
		return;
	if ((err = hooks_get(edge_state(rq->edge), rq->ws.id,
	    HOOKS_KIND_WEBHOOK, id, &h)) != 0) {
		hooks_answer(rq, err, 0, NULL);
		return;
	}
	journal_replay(edge_state(rq->edge), id, rq->ws.id, hooks_mask(h), from,
	    since_ms, HOOKS_REPLAY_MAX, hooks_replayed_cb, rq);
	json_decref(h);
}
