#include <stdio.h>

#include "common/clock.h"
#include "relay/account.h"
#include "relay/reply.h"

static json_t *
account_workspace(const struct workspace *ws)
{
	return json_pack("{s:s, s:s, s:s}", "id", ws->id, "name", ws->name,
	    "plan", workspace_plan_name(ws->plan));
}

/* Scopes are ordered, so a key holding write lists read and write. */
static json_t *
account_scopes(enum scope scope)
{
	json_t *a = json_array();
	int s;

	for (s = SCOPE_READ; a != NULL && s <= (int)scope; s++)
		json_array_append_new(a, json_string(apikey_scope_name(s)));
	return a;
}

void
account_auth(struct rq *rq)
{
	char created[CLOCK_RFC3339_SIZE];
	json_t *data;

	data = json_pack("{s:o, s:{s:s, s:s, s:o, s:s, s:s}}",
	    "workspace", account_workspace(&rq->ws),
	    "key", "id", rq->key.id, "name", rq->key.name,
	    "scopes", account_scopes(rq->key.scope), "prefix", rq->key.prefix,
	    "created_at", clock_rfc3339(rq->key.created_ms, created));
	if (data == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return;
	}
	reply_ok(rq, 200, data, NULL);
}

void
account_me(struct rq *rq)
{
	char label[2 * FZ_NAME_MAX + 8];
	json_t *data;

	snprintf(label, sizeof(label), "%s (%s)", rq->ws.name, rq->key.name);
	data = json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", rq->ws.id,
	    "name", rq->ws.name, "plan", workspace_plan_name(rq->ws.plan),
	    "label", label, "workspace", account_workspace(&rq->ws));
	if (data == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return;
	}
	reply_ok(rq, 200, data, NULL);
}
