#include "actions/zsearch.h"
#include "common/fz.h"
#include "relay/call.h"
#include "relay/reply.h"
#include "relay/validate.h"
#include "relay/zflat.h"

static const struct call_filter zsearch_project[] = {
	{ "name", "q", CALL_TEXT, NULL },
	{ "client_email", "clientEmail", CALL_EMAIL, NULL },
};

static const struct call_filter zsearch_client[] = {
	{ "email", "email", CALL_EMAIL, NULL },
};

/* Answers a search: the store's list op under filters, at least one of
 * which must be given (else 400 naming each). */
static void
zsearch_answer(struct rq *rq, enum store_op op,
    const struct call_filter *f, size_t n, call_map_fn *map)
{
	struct store_req req = { 0 };
	struct vctx v;
	size_t i;

	req.op = op;
	if (call_list_query(rq, &req, f, n) != 0)
		return;
	if (req.filter == NULL) {
		validate_begin(&v, NULL);
		for (i = 0; i < n; i++)
			validate_fail(&v, f[i].param, n > 1 ? "is required "
			    "unless another of the search's fields is given" :
			    "is required");
		validate_end(&v, rq);
		return;
	}
	call_store_bare(rq, &req, map);
	json_decref(req.filter);
}

void
zsearch_find_project(struct rq *rq)
{
	zsearch_answer(rq, STORE_OP_PROJECT_LIST, zsearch_project,
	    FZ_NELEM(zsearch_project), zflat_project);
}

void
zsearch_find_client(struct rq *rq)
{
	zsearch_answer(rq, STORE_OP_CLIENT_LIST, zsearch_client,
	    FZ_NELEM(zsearch_client), zflat_client);
}
