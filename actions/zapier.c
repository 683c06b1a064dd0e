#include <string.h>

#include "actions/writes.h"
#include "actions/zapier.h"
#include "relay/call.h"
#include "relay/reply.h"
#include "relay/validate.h"

/* The flat snake_case view of a project (as the REST API renders it). */
static json_t *
zapier_flat_project(const json_t *p)
{
	const json_t *c = json_object_get(p, "client");
	json_t *out;

	out = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O?, s:O, s:O?,"
	    " s:O?, s:O?, s:O?}",
	    "id", json_object_get(p, "id"),
	    "name", json_object_get(p, "name"),
	    "project_name", json_object_get(p, "name"),
	    "status", json_object_get(p, "status"),
	    "project_type", json_object_get(p, "projectType"),
	    "launch_date", json_object_get(p, "launchDate"),
	    "template_id", json_object_get(p, "templateId"),
	    "client_id", json_object_get(p, "clientId"),
	    "client_name", json_object_get(c, "name"),
	    "client_email", json_object_get(c, "email"),
	    "created_at", json_object_get(p, "createdAt"),
	    "updated_at", json_object_get(p, "updatedAt"));
	return out;
}

static json_t *
zapier_flat_sent(const json_t *p)
{
	json_t *out = zapier_flat_project(p);

	if (out == NULL)
		return NULL;
	json_object_set(out, "project_id", json_object_get(p, "id"));
	json_object_set(out, "share_url", json_object_get(p, "share_url"));
	json_object_set(out, "personal_message", json_object_get(p,
	    "personalMessage"));
	json_object_set(out, "sent_at", json_object_get(p, "sentAt"));
	json_object_set(out, "event_recorded", json_object_get(p,
	    "eventRecorded"));
	return out;
}

void
zapier_create_project(struct rq *rq)
{
	struct store_req req = { 0 };
	json_t *in;

	if ((in = writes_project_input(rq, &writes_project_zapier)) == NULL)
		return;
	req.op = STORE_OP_PROJECT_CREATE;
	req.body = in;
	call_store_map(rq, &req, zapier_flat_project);
	json_decref(in);
}

void
zapier_send_pack(struct rq *rq)
{
	struct store_req req = { 0 };
	const char *id, *msg;
	struct vctx v;
	json_t *in;

	validate_begin(&v, rq->body);
	id = validate_id(&v, "project_id", "project", 1);
	msg = validate_string(&v, "personal_message", 0, 5000, 1);
	if (validate_end(&v, rq) != 0)
		return;
	in = json_pack("{s:s*}", "personalMessage", msg != NULL && *msg ? msg :
	    NULL);
	if (in == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return;
	}
	req.op = STORE_OP_PACK_SEND;
	req.id = id;
	req.body = in;
	call_store_map(rq, &req, zapier_flat_sent);
	json_decref(in);
}
