#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions/hooks.h"
#include "common/cfg.h"
#include "common/clock.h"
#include "common/cursor.h"
#include "common/fz.h"
#include "relay/edge.h"
#include "relay/reply.h"
#include "relay/target.h"
#include "relay/validate.h"
#include "state/hooks.h"
#include "state/journal.h"
#include "state/outbox.h"

#define HOOKS_URL_MAX		2048
#define HOOKS_DESC_MAX		500
#define HOOKS_ROTATE_GRACE_MS	(24LL * 3600 * 1000)
#define HOOKS_REPLAY_MAX	10000

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
	if (url != NULL && (why = target_url_problem(url,
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
	if (url != NULL && (why = target_url_problem(url,
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
	if (since != NULL && *since && clock_parse_rfc3339(since, &since_ms) != 0)
		validate_fail(&v, "since", "want an RFC 3339 time such as "
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
