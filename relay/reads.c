#include <string.h>

#include "common/fz.h"
#include "relay/accept.h"
#include "relay/call.h"
#include "relay/http/http.h"
#include "relay/portal_page.h"
#include "relay/reads.h"
#include "relay/redact.h"
#include "relay/reply.h"
#include "relay/validate.h"

/* The filters of GET /projects and GET /clients. */
static const struct call_filter reads_project_filters[] = {
	{ "clientEmail", "clientEmail", CALL_EMAIL, NULL },
	{ "clientId", "clientId", CALL_ID, "client" },
	{ "status", "status", CALL_STATUS, NULL },
	{ "q", "q", CALL_TEXT, NULL },
};
static const struct call_filter reads_client_filters[] = {
	{ "email", "email", CALL_EMAIL, NULL },
	{ "q", "q", CALL_TEXT, NULL },
};

/* Answers a list route with its filters. */
static void
reads_list(struct rq *rq, enum store_op op, const struct call_filter *f,
    size_t n)
{
	struct store_req req = { 0 };

	req.op = op;
	if (call_list_query(rq, &req, f, n) != 0)
		return;
	call_store(rq, &req);
	json_decref(req.filter);
}

/* Answers a route addressing one record by its ":id", which must carry
 * prefix; a malformed id names nothing, so it is 404 like a missing one. */
static void
reads_one(struct rq *rq, enum store_op op, const char *prefix)
{
	struct store_req req = { 0 };
	const char *id = router_param(&rq->params, "id");

	if (id == NULL || !validate_id_ok(id, prefix)) {
		reply_error(rq, API_NOT_FOUND, "no such record", NULL);
		return;
	}
	req.op = op;
	req.id = id;
	/* A pack's share link is not for read keys (relay/redact.h). */
	if (op == STORE_OP_PACK_GET && redact_share_hidden(rq))
		call_store_map(rq, &req, redact_share_json);
	else
		call_store(rq, &req);
}

void
reads_clients(struct rq *rq)
{
	reads_list(rq, STORE_OP_CLIENT_LIST, reads_client_filters,
	    FZ_NELEM(reads_client_filters));
}

void
reads_client(struct rq *rq)
{
	reads_one(rq, STORE_OP_CLIENT_GET, "client");
}

void
reads_projects(struct rq *rq)
{
	reads_list(rq, STORE_OP_PROJECT_LIST, reads_project_filters,
	    FZ_NELEM(reads_project_filters));
}

void
reads_project(struct rq *rq)
{
	reads_one(rq, STORE_OP_PROJECT_GET, "project");
}

void
reads_pack(struct rq *rq)
{
	reads_one(rq, STORE_OP_PACK_GET, "project");
}

void
reads_pack_reveals(struct rq *rq)
{
	struct store_req req = { 0 };
	const char *id = router_param(&rq->params, "id");

	if (id == NULL || !validate_id_ok(id, "project")) {
		reply_error(rq, API_NOT_FOUND, "no such record", NULL);
		return;
	}
	req.op = STORE_OP_PACK_REVEALS;
	req.id = id;
	if (call_list_params(rq, &req) != 0)
		return;
	call_store(rq, &req);
}

void
reads_signoff(struct rq *rq)
{
	reads_one(rq, STORE_OP_SIGNOFF_GET, "project");
}

void
reads_signoffs(struct rq *rq)
{
	reads_list(rq, STORE_OP_SIGNOFF_LIST, NULL, 0);
}

void
reads_templates(struct rq *rq)
{
	struct store_req req = { 0 };

	req.op = STORE_OP_TEMPLATE_LIST;
	call_store(rq, &req);
}

void
reads_portal(struct rq *rq)
{
	struct store_req req = { 0 };
	const char *token = router_param(&rq->params, "token");

	int json = accept_wants_json(http_req_header(rq->http, "Accept"));

	if (token == NULL || strlen(token) > 64) {
		if (json)
			reply_error(rq, API_NOT_FOUND, "no such pack", NULL);
		else
			portal_page_problem(rq, 404, "Check that the whole "
			    "link from the email was used, or ask the sender "
			    "for a new one.");
		return;
	}
	if (!json) {
		portal_page_serve(rq, token);
		return;
	}
	reply_header(rq, "Vary", "Accept");
	reply_header(rq, "Cache-Control", "no-store");
	req.op = STORE_OP_PORTAL_FETCH;
	req.id = token;
	call_store(rq, &req);
}
