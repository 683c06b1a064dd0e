#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions/portal_form.h"
#include "actions/writes.h"
#include "common/fz.h"
#include "common/text.h"
#include "relay/auth.h"
#include "relay/edge.h"
#include "relay/form.h"
#include "relay/http/http.h"
#include "relay/portal_page.h"
#include "relay/reply.h"
#include "relay/validate.h"
#include "state/store.h"

/* A sign-off on its way to the store, with the form to show again. */
struct portal_form_call {
	struct rq	*rq;
	json_t		*fields;	/* the form as posted */
};

/* Returns the form's value of field, or NULL. Borrowed. */
static const char *
portal_form_value(const json_t *fields, const char *field)
{
	return json_string_value(json_object_get(fields, field));
}

static void
portal_form_values(struct portal_form *f, const json_t *fields)
{
	memset(f, 0, sizeof(*f));
	f->name = portal_form_value(fields, "name");
	f->email = portal_form_value(fields, "email");
	f->comment = portal_form_value(fields, "comment");
}

/* Words for a field the checks refused, as the person can act on them. */
static void
portal_form_errors(struct portal_form *f, const json_t *details)
{
	const json_t *d;
	const char *field, *value;
	size_t i;

	json_array_foreach(details, i, d) {
		field = json_string_value(json_object_get(d, "field"));
		if (field == NULL)
			continue;
		if (strcmp(field, "name") == 0) {
			value = f->name;
			f->name_error = value == NULL || *value == '\0' ?
			    "Enter your name." : "Enter your name as plain "
			    "text, at most 200 characters.";
		} else if (strcmp(field, "email") == 0) {
			value = f->email;
			f->email_error = value == NULL || *value == '\0' ?
			    "Enter your email address." : "Enter an email "
			    "address such as name@example.com.";
		} else if (strcmp(field, "comment") == 0)
			f->comment_error = "Keep the comment to plain text, "
			    "at most 5,000 characters.";
	}
}

static void
portal_form_done_cb(struct store_res *res, void *arg)
{
	struct portal_form_call *c = arg;
	struct rq *rq = c->rq;
	const char *token = router_param(&rq->params, "token");
	struct portal_form f;
	char thanks[320];
	int status = 200;

	portal_form_values(&f, c->fields);
	switch (res->err) {
	case 0:
		snprintf(thanks, sizeof(thanks), "Thank you, %s. Your "
		    "sign-off is recorded.", json_string_value(json_object_get(
		    res->data, "signerName")));
		f.notice = thanks;
		break;
	case FZ_EDENIED:
		status = 403;
		f.email_error = "This is not the address this pack was sent "
		    "to. Use the email address the link came to.";
		break;
	case FZ_ECONFLICT:
		status = 409;
		f.notice = "This pack was already signed off.";
		f.alert = 1;
		break;
	case FZ_ENOTFOUND:
	case FZ_ENOTSUP:
		portal_page_problem(rq, 404, "Check that the whole link from "
		    "the email was used, or ask the sender for a new one.");
		goto out;
	default:
		status = res->err == FZ_EUNAVAIL || res->err == FZ_ETIMEOUT ?
		    503 : 500;
		f.notice = "Your sign-off could not be recorded. Try again in "
		    "a moment.";
		f.alert = 1;
		break;
	}
	portal_page_answer(rq, token, status, &f);
out:
	json_decref(res->data);
	json_decref(res->details);
	json_decref(c->fields);
	free(c);
}

void
portal_form_signoff(struct rq *rq)
{
	const char *token = router_param(&rq->params, "token");
	struct portal_form_call *c = NULL;
	struct store_req req = { 0 };
	struct portal_form f;
	json_t *fields = NULL, *in = NULL;
	char retry[TEXT_U64_SIZE];
	const char *body;
	unsigned wait_s;
	struct vctx v;
	size_t len;

	if (token == NULL || strlen(token) > 64) {
		portal_page_problem(rq, 404, "Check that the whole link from "
		    "the email was used, or ask the sender for a new one.");
		return;
	}
	body = http_req_body(rq->http, &len);
	if (!form_is_form(rq)) {
		portal_page_problem(rq, 415, "Sign off with the form on the "
		    "pack's page.");
		return;
	}
	if (form_parse(body, len, &fields) != 0) {
		portal_page_problem(rq, 400, "The form could not be read. Go "
		    "back to the pack's page and try again.");
		return;
	}
	validate_begin(&v, fields);
	in = writes_signoff_check(&v, rq);
	if (v.details != NULL) {
		portal_form_values(&f, fields);
		portal_form_errors(&f, v.details);
		json_decref(v.details);
		portal_page_answer(rq, token, 400, &f);
		goto out;
	}
	/* The same limit on guessing the client's email as the JSON
	 * sign-off has. */
	if (in != NULL && !auth_link_take(edge_auth(rq->edge), token,
	    &wait_s)) {
		text_u64(retry, wait_s);
		reply_header(rq, "Retry-After", retry);
		portal_page_problem(rq, 429, "Too many sign-offs were tried "
		    "through this link. Wait a minute and try again.");
		goto out;
	}
	if (in == NULL || (c = calloc(1, sizeof(*c))) == NULL) {
		portal_page_problem(rq, 500, "Out of memory; try again.");
		goto out;
	}
	c->rq = rq;
	c->fields = fields;
	fields = NULL;
	req.op = STORE_OP_PORTAL_SIGNOFF;
	req.id = token;
	req.body = in;
	req.request_id = rq->id;
	if (store_submit(edge_store(rq->edge), &req, portal_form_done_cb, c) !=
	    0) {
		json_decref(c->fields);
		free(c);
		portal_page_problem(rq, 500, "Out of memory; try again.");
	}
out:
	json_decref(in);
	json_decref(fields);
}
