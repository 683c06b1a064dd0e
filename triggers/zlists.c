#include <stdio.h>
#include <stdlib.h>

#include "common/cursor.h"
#include "common/fz.h"
#include "relay/call.h"
#include "relay/edge.h"
#include "relay/reply.h"
#include "relay/zflat.h"
#include "triggers/zlists.h"

static const struct call_filter zlists_q[] = {
	{ "q", "q", CALL_TEXT, NULL },
};

/* Answers a list of the store's with ?q= as its one filter. */
static void
zlists_answer(struct rq *rq, enum store_op op, call_map_fn *map)
{
	struct store_req req = { 0 };

	req.op = op;
	if (call_list_query(rq, &req, zlists_q, FZ_NELEM(zlists_q)) != 0)
		return;
	call_store_bare(rq, &req, map);
	json_decref(req.filter);
}

void
zlists_projects(struct rq *rq)
{
	zlists_answer(rq, STORE_OP_PROJECT_LIST, zflat_project_choice);
}

void
zlists_clients(struct rq *rq)
{
	zlists_answer(rq, STORE_OP_CLIENT_LIST, zflat_client);
}

/* A page of the templates: from offset (0: the first), at most limit. */
struct zlists_page {
	struct rq	*rq;
	uint64_t	 offset;
	unsigned	 limit;
	char		 scope[96];
};

/*
 * The store answers every template at once (there are a few built-in
 * ones); the page is cut here, and its cursor, the offset of the next
 * page, is signed and bound to the workspace and this list like every
 * other. The built-in list does not change while a daemon runs.
 */
static void
zlists_templates_cb(struct store_res *res, void *arg)
{
	struct zlists_page *pg = arg;
	struct rq *rq = pg->rq;
	json_t *page = NULL, *t;
	size_t i, n = json_array_size(res->data);

	if (res->err == 0 && !json_is_array(res->data))
		res->err = FZ_EBADGW;
	if (res->err == 0) {
		if ((page = json_array()) == NULL) {
			res->err = FZ_ENOMEM;
			goto out;
		}
		for (i = pg->offset; i < n && i < pg->offset + pg->limit; i++)
			if ((t = json_array_get(res->data, i)) != NULL &&
			    json_array_append(page, t) != 0) {
				res->err = FZ_ENOMEM;
				goto out;
			}
		if (pg->offset + pg->limit < n &&
		    cursor_encode(edge_cursor_key(rq->edge), pg->scope,
		    pg->offset + pg->limit, res->next_cursor) != 0) {
			res->err = FZ_ECRYPTO;
			goto out;
		}
		json_decref(res->data);
		res->data = page;
		page = NULL;
	}
out:
	json_decref(page);
	free(pg);
	rq->map = zflat_template;
	call_answer_bare(rq, res);
}

void
zlists_templates(struct rq *rq)
{
	struct store_req req = { 0 };
	struct zlists_page *pg;

	if (call_list_params(rq, &req) != 0)
		return;
	if ((pg = calloc(1, sizeof(*pg))) == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return;
	}
	pg->rq = rq;
	pg->limit = req.limit;
	snprintf(pg->scope, sizeof(pg->scope), "%s:zapier:templates",
	    rq->ws.id);
	if (req.cursor != NULL && cursor_decode(edge_cursor_key(rq->edge),
	    pg->scope, req.cursor, &pg->offset) != 0) {
		free(pg);
		reply_error(rq, API_VALIDATION_ERROR, "cursor is not valid for "
		    "this list", reply_detail(NULL, "cursor", "not a cursor "
		    "this list issued"));
		return;
	}
	req.op = STORE_OP_TEMPLATE_LIST;
	if (call_submit(rq, &req, zlists_templates_cb, pg) != 0)
		free(pg);
}
