#include "common/fz.h"
#include "relay/edge.h"
#include "relay/health.h"
#include "relay/reply.h"
#include "state/store.h"

void
health_live(struct rq *rq)
{
	reply_ok(rq, 200, json_pack("{s:s}", "status", "ok"), NULL);
}

static void
health_ping_cb(struct store_res *res, void *arg)
{
	struct rq *rq = arg;
	const char *kind = store_kind(edge_store(rq->edge));

	json_decref(res->data);
	if (res->err != 0) {
		reply_error(rq, API_SERVICE_UNAVAILABLE, res->message != NULL ?
		    res->message : "store not ready", json_pack("[{s:s, s:s}]",
		    "field", "store", "message", fz_strerror(res->err)));
		return;
	}
	reply_ok(rq, 200, json_pack("{s:s, s:s}", "status", "ready", "store",
	    kind), NULL);
}

void
health_ready(struct rq *rq)
{
	struct store_req req = { 0 };

	/* The journal and keys live in the state even when records are
	 * upstream, so it must take writes in either mode. */
	if (state_ready(edge_state(rq->edge)) != 0) {
		reply_error(rq, API_SERVICE_UNAVAILABLE, "the state directory "
		    "does not take writes", NULL);
		return;
	}
	req.op = STORE_OP_PING;
	req.request_id = rq->id;
	if (store_submit(edge_store(rq->edge), &req, health_ping_cb, rq) != 0)
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
}
