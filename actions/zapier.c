#include <stdio.h>
#include <string.h>

#include "actions/writes.h"
#include "actions/zapier.h"
#include "common/fz.h"
#include "common/text.h"
#include "relay/call.h"
#include "relay/reply.h"
#include "relay/validate.h"
#include "relay/zflat.h"

#define ZAPIER_NAME_MAX		200

static json_t *
zapier_flat_sent(const json_t *p)
{
	json_t *out = zflat_project(p);

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
	call_store_map(rq, &req, zflat_project);
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

/* The client_email of rq's body (checked before), normalized into
 * email. Returns 0 or FZ_EINVAL. */
static int
zapier_client_email(const struct rq *rq, char *email)
{
	const char *s = json_string_value(json_object_get(rq->body,
	    "client_email"));

	return s != NULL ? text_email_normalize(s, email) : FZ_EINVAL;
}

/* Returns 1 if details (an error's) names field. */
static int
zapier_names(const json_t *details, const char *field)
{
	const json_t *d;
	size_t i;

	json_array_foreach(details, i, d)
		if (json_is_string(json_object_get(d, "field")) &&
		    strcmp(json_string_value(json_object_get(d, "field")),
		    field) == 0)
			return 1;
	return 0;
}

/* Answers 200 with client c (borrowed), the one the email names. */
static void
zapier_client_exists(struct rq *rq, const json_t *c)
{
	json_t *out;

	if ((out = zflat_client(c)) == NULL)
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
	else
		reply_ok(rq, 200, out, NULL);
}

static void
zapier_client_found_cb(struct store_res *res, void *arg)
{
	struct rq *rq = arg;
	const json_t *c = json_array_get(res->data, 0);

	if (res->err != 0) {
		call_answer(rq, res);
		return;
	}
	if (c == NULL)
		reply_error(rq, API_CONFLICT, "a client with this email exists "
		    "but could not be read; retry", NULL);
	else
		zapier_client_exists(rq, c);
	json_decref(res->data);
}

/* A client with the email exists: the embedded store hands it over
 * with the conflict, an upstream says 409 naming email, and then it is
 * looked up by that email. */
static void
zapier_client_cb(struct store_res *res, void *arg)
{
	struct rq *rq = arg;
	char email[TEXT_EMAIL_SIZE];
	struct store_req req = { 0 };
	json_t *filter;

	if (res->err == FZ_EEXIST && res->data != NULL) {
		zapier_client_exists(rq, res->data);
		json_decref(res->data);
		return;
	}
	if (res->err != FZ_EUPSTREAM || res->status != 409 ||
	    !zapier_names(res->details, "email") ||
	    zapier_client_email(rq, email) != 0) {
		call_answer(rq, res);
		return;
	}
	json_decref(res->data);
	json_decref(res->details);
	if ((filter = json_pack("{s:s}", "email", email)) == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return;
	}
	req.op = STORE_OP_CLIENT_LIST;
	req.limit = 1;
	req.filter = filter;
	call_submit(rq, &req, zapier_client_found_cb, rq);
	json_decref(filter);
}

void
zapier_create_client(struct rq *rq)
{
	char email[TEXT_EMAIL_SIZE], name[2 * ZAPIER_NAME_MAX + 2];
	struct store_req req = { 0 };
	const char *cname, *first, *last, *em;
	struct vctx v;
	json_t *in;

	validate_begin(&v, rq->body);
	cname = validate_name(&v, "client_name", 0, ZAPIER_NAME_MAX);
	first = validate_name(&v, "first_name", 0, ZAPIER_NAME_MAX);
	last = validate_name(&v, "last_name", 0, ZAPIER_NAME_MAX);
	em = validate_email(&v, "client_email", 1, email);
	name[0] = '\0';
	if (cname != NULL && *cname != '\0')
		snprintf(name, sizeof(name), "%s", cname);
	else if ((first != NULL && *first != '\0') ||
	    (last != NULL && *last != '\0'))
		snprintf(name, sizeof(name), "%s%s%s", first ? first : "",
		    first && *first && last && *last ? " " : "",
		    last ? last : "");
	if (name[0] == '\0' && !zapier_names(v.details, "client_name") &&
	    !zapier_names(v.details, "first_name") &&
	    !zapier_names(v.details, "last_name"))
		validate_fail(&v, "client_name", "is required (or first_name "
		    "and last_name)");
	else if (strlen(name) > ZAPIER_NAME_MAX)
		validate_fail(&v, "last_name", "first_name and last_name "
		    "must be at most 200 bytes together");
	if (validate_end(&v, rq) != 0)
		return;
	if ((in = json_pack("{s:s, s:s}", "name", name, "email", em)) == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return;
	}
	req.op = STORE_OP_CLIENT_CREATE;
	req.body = in;
	rq->map = zflat_client;
	call_submit(rq, &req, zapier_client_cb, rq);
	json_decref(in);
}
