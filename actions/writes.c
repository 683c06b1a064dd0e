#include <string.h>

#include "actions/writes.h"
#include "common/fz.h"
#include "common/text.h"
#include "relay/auth.h"
#include "relay/call.h"
#include "relay/edge.h"
#include "relay/http/http.h"
#include "relay/packcheck.h"
#include "relay/peer.h"
#include "relay/prefetch.h"
#include "relay/reply.h"
#include "relay/validate.h"

#define WRITES_NAME_MAX		200
#define WRITES_TYPE_MAX		100
#define WRITES_MESSAGE_MAX	5000
/* A user agent kept as evidence: real ones are a few hundred bytes. */
#define WRITES_AGENT_MAX	512

static void
writes_submit(struct rq *rq, enum store_op op, const char *id, json_t *body)
{
	struct store_req req = { 0 };

	req.op = op;
	req.id = id;
	req.body = body;
	call_store(rq, &req);
	json_decref(body);
}

/* Returns the ":id" path parameter if it has the prefix, else answers
 * 404 and returns NULL. */
static const char *
writes_path_id(struct rq *rq, const char *prefix)
{
	const char *id = router_param(&rq->params, "id");

	if (id == NULL || !validate_id_ok(id, prefix)) {
		reply_error(rq, API_NOT_FOUND, "no such record", NULL);
		return NULL;
	}
	return id;
}

void
writes_client_create(struct rq *rq)
{
	char email[TEXT_EMAIL_SIZE];
	const char *name, *em, *company;
	struct vctx v;
	json_t *in;

	validate_begin(&v, rq->body);
	name = validate_name(&v, "name", 1, WRITES_NAME_MAX);
	em = validate_email(&v, "email", 1, email);
	company = validate_name(&v, "company", 0, WRITES_NAME_MAX);
	if (validate_end(&v, rq) != 0)
		return;
	in = json_pack("{s:s, s:s, s:s?}", "name", name, "email", em,
	    "company", company != NULL && *company ? company : NULL);
	if (in == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return;
	}
	writes_submit(rq, STORE_OP_CLIENT_CREATE, NULL, in);
}

const struct writes_project_names writes_project_api = {
	"name", "clientId", "clientName", "clientEmail",
	"projectType", "launchDate", "templateId",
};

const struct writes_project_names writes_project_zapier = {
	"project_name", "client_id", "client_name", "client_email",
	"project_type", "launch_date", "template_id",
};

json_t *
writes_project_check(struct vctx *v, const struct writes_project_names *n)
{
	char email[TEXT_EMAIL_SIZE];
	const char *name, *cid, *cname, *cemail, *type, *date, *tpl;
	const json_t *cj;

	name = validate_name(v, n->name, 1, WRITES_NAME_MAX);
	type = validate_name(v, n->project_type, 1, WRITES_TYPE_MAX);
	date = validate_date(v, n->launch_date, 1);
	tpl = validate_id(v, n->template_id, "tpl", 0);
	/* A client id that is absent, null or "" means "by name and email". */
	cj = json_object_get(v->body, n->client_id);
	cid = cname = cemail = NULL;
	if (cj != NULL && !json_is_null(cj) &&
	    !(json_is_string(cj) && json_string_length(cj) == 0))
		cid = validate_id(v, n->client_id, "client", 1);
	else {
		cname = validate_name(v, n->client_name, 1, WRITES_NAME_MAX);
		cemail = validate_email(v, n->client_email, 1, email);
	}
	if (v->details != NULL)
		return NULL;
	if (cid != NULL)
		return json_pack("{s:s, s:s, s:s, s:s, s:s?}", "name", name,
		    "projectType", type, "launchDate", date, "clientId", cid,
		    "templateId", tpl);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?}", "name", name,
	    "projectType", type, "launchDate", date, "clientName", cname,
	    "clientEmail", cemail, "templateId", tpl);
}

json_t *
writes_project_input(struct rq *rq, const struct writes_project_names *n)
{
	struct vctx v;
	json_t *in;

	validate_begin(&v, rq->body);
	in = writes_project_check(&v, n);
	if (validate_end(&v, rq) != 0) {
		json_decref(in);
		return NULL;
	}
	if (in == NULL)
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
	return in;
}

void
writes_project_create(struct rq *rq)
{
	json_t *in;

	if ((in = writes_project_input(rq, &writes_project_api)) != NULL)
		writes_submit(rq, STORE_OP_PROJECT_CREATE, NULL, in);
}

/* Returns 1 if the body carries field with a non-null value. */
static int
writes_sent(const struct rq *rq, const char *field)
{
	const json_t *j = json_object_get(rq->body, field);

	return j != NULL && !json_is_null(j);
}

void
writes_project_update(struct rq *rq)
{
	const char *id, *name, *type, *date;
	struct vctx v;
	json_t *in;

	if ((id = writes_path_id(rq, "project")) == NULL)
		return;
	validate_begin(&v, rq->body);
	/* A field sent in a PATCH must hold a value: "" would blank a
	 * required field. */
	name = validate_name(&v, "name", writes_sent(rq, "name"),
	    WRITES_NAME_MAX);
	type = validate_name(&v, "projectType", writes_sent(rq, "projectType"),
	    WRITES_TYPE_MAX);
	date = validate_date(&v, "launchDate", writes_sent(rq, "launchDate"));
	if (v.details == NULL && name == NULL && type == NULL && date == NULL)
		validate_fail(&v, "body", "name, projectType or launchDate "
		    "is required");
	if (validate_end(&v, rq) != 0)
		return;
	in = json_pack("{s:s*, s:s*, s:s*}", "name", name, "projectType", type,
	    "launchDate", date);
	if (in == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return;
	}
	writes_submit(rq, STORE_OP_PROJECT_UPDATE, id, in);
}

void
writes_pack_put(struct rq *rq)
{
	const char *id;
	struct vctx v;
	json_t *in;

	if ((id = writes_path_id(rq, "project")) == NULL)
		return;
	validate_begin(&v, rq->body);
	in = packcheck_sections(&v);
	if (validate_end(&v, rq) != 0) {
		json_decref(in);
		return;
	}
	if (in == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return;
	}
	writes_submit(rq, STORE_OP_PACK_PUT, id, in);
}

void
writes_pack_send(struct rq *rq)
{
	const char *id, *msg;
	struct vctx v;
	json_t *in;

	if ((id = writes_path_id(rq, "project")) == NULL)
		return;
	validate_begin(&v, rq->body);
	msg = validate_string(&v, "personalMessage", 0, WRITES_MESSAGE_MAX, 1);
	if (validate_end(&v, rq) != 0)
		return;
	in = json_pack("{s:s*}", "personalMessage", msg != NULL && *msg ? msg :
	    NULL);
	if (in == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return;
	}
	writes_submit(rq, STORE_OP_PACK_SEND, id, in);
}

/* Returns the portal's share token, or NULL after answering 404. */
static const char *
writes_token(struct rq *rq)
{
	const char *token = router_param(&rq->params, "token");

	if (token == NULL || strlen(token) > 64) {
		reply_error(rq, API_NOT_FOUND, "no such pack", NULL);
		return NULL;
	}
	return token;
}

/* Returns 1 if rq comes from a program that fetches links ahead of a
 * person (relay/prefetch.h): whatever it sends, it records no view. */
static int
writes_prefetcher(const struct rq *rq)
{
	return prefetch_agent(http_req_header(rq->http, "User-Agent"));
}

void
writes_view(struct rq *rq)
{
	const char *token;

	if ((token = writes_token(rq)) == NULL)
		return;
	/* A prefetcher gets the answer a repeat would get, from a read. */
	writes_submit(rq, writes_prefetcher(rq) ? STORE_OP_PORTAL_VIEW :
	    STORE_OP_PORTAL_VIEWED, token, NULL);
}

/* The User-Agent as evidence, into out (WRITES_AGENT_MAX + 1 bytes):
 * whole UTF-8 characters, one '?' for each control character and for
 * each byte that starts none, at most WRITES_AGENT_MAX bytes. Returns
 * out, or NULL if the request has none. */
static const char *
writes_user_agent(const struct rq *rq, char *out)
{
	const char *s = http_req_header(rq->http, "User-Agent");
	unsigned char c;
	size_t i, o, n;

	if (s == NULL || *s == '\0')
		return NULL;
	for (i = o = 0; s[i] != '\0'; i += n) {
		c = (unsigned char)s[i];
		n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (strnlen(s + i, n) < n || !text_utf8_valid(s + i, n))
			n = 1;
		else if (!text_has_control(s + i, n, 0)) {
			if (o + n > WRITES_AGENT_MAX)
				break;
			memcpy(out + o, s + i, n);
			o += n;
			continue;
		}
		if (o == WRITES_AGENT_MAX)
			break;
		out[o++] = '?';
	}
	out[o] = '\0';
	return out;
}

/* Adds the evidence of who sent rq to in: the client's address and
 * user agent (null when there is none). Returns in, or NULL. */
static json_t *
writes_evidence(struct rq *rq, json_t *in)
{
	char addr[PEER_ADDR_SIZE], agent[WRITES_AGENT_MAX + 1];
	const char *ua;

	if (in == NULL)
		return NULL;
	ua = writes_user_agent(rq, agent);
	if (json_object_set_new(in, "ipAddress", json_string(peer_client(
	    edge_cfg(rq->edge), rq->http, addr))) != 0 ||
	    json_object_set_new(in, "userAgent", ua != NULL ? json_string(ua) :
	    json_null()) != 0) {
		json_decref(in);
		return NULL;
	}
	return in;
}

json_t *
writes_signoff_check(struct vctx *v, struct rq *rq)
{
	char email[TEXT_EMAIL_SIZE];
	const char *name, *em, *comment;

	name = validate_name(v, "name", 1, WRITES_NAME_MAX);
	/* Matched against the project's client's (the store checks): the
	 * link alone is not enough to sign in the client's name. */
	em = validate_email(v, "email", 1, email);
	comment = validate_string(v, "comment", 0, WRITES_MESSAGE_MAX, 1);
	if (v->details != NULL)
		return NULL;
	return writes_evidence(rq, json_pack("{s:s, s:s, s:s?}", "name", name,
	    "email", em, "comment", comment != NULL && *comment ? comment :
	    NULL));
}

void
writes_signoff(struct rq *rq)
{
	char retry[TEXT_U64_SIZE];
	const char *token;
	unsigned wait_s;
	struct vctx v;
	json_t *in;

	if ((token = writes_token(rq)) == NULL)
		return;
	validate_begin(&v, rq->body);
	in = writes_signoff_check(&v, rq);
	if (validate_end(&v, rq) != 0)
		return;
	/* Each well-formed sign-off may be a guess at the client's email. */
	if (in != NULL && !auth_link_take(edge_auth(rq->edge), token,
	    &wait_s)) {
		json_decref(in);
		text_u64(retry, wait_s);
		reply_header(rq, "Retry-After", retry);
		reply_error(rq, API_RATE_LIMITED, "too many sign-offs through "
		    "this link; wait and try again", NULL);
		return;
	}
	if (in == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return;
	}
	writes_submit(rq, STORE_OP_PORTAL_SIGNOFF, token, in);
}

/* Checks that field is a whole number from 0 to max; returns it, or -1
 * after recording a failure. */
static long long
writes_index(struct vctx *v, const char *field, long long max)
{
	const json_t *j = json_object_get(v->body, field);

	if (j == NULL || json_is_null(j)) {
		validate_fail(v, field, "is required");
		return -1;
	}
	if (!json_is_integer(j) || json_integer_value(j) < 0 ||
	    json_integer_value(j) > max) {
		validate_fail(v, field, "must be a whole number from 0");
		return -1;
	}
	return json_integer_value(j);
}

void
writes_reveal(struct rq *rq)
{
	const char *token, *label;
	long long sec, item;
	struct vctx v;
	json_t *in;

	if ((token = writes_token(rq)) == NULL)
		return;
	validate_begin(&v, rq->body);
	sec = writes_index(&v, "section", PACKCHECK_MAX_SECTIONS);
	item = writes_index(&v, "item", PACKCHECK_MAX_ITEMS);
	label = validate_string(&v, "label", 1, WRITES_NAME_MAX, 0);
	if (validate_end(&v, rq) != 0)
		return;
	/* Revealing is the client acting on the pack: it counts as a view,
	 * unless a prefetcher sent it. */
	in = writes_evidence(rq, json_pack("{s:I, s:I, s:s, s:b}", "section",
	    (json_int_t)sec, "item", (json_int_t)item, "label", label, "view",
	    !writes_prefetcher(rq)));
	if (in == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return;
	}
	/* The password is for this answer alone. */
	reply_header(rq, "Cache-Control", "no-store");
	writes_submit(rq, STORE_OP_PORTAL_REVEAL, token, in);
}
