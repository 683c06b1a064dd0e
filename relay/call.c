#include <sys/queue.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/fz.h"
#include "common/text.h"
#include "relay/call.h"
#include "relay/edge.h"
#include "relay/http/http.h"
#include "relay/reply.h"
#include "relay/validate.h"

/* A map function refused the store's record: it lacks a member the
 * answer needs, which only an upstream store's record can. */
#define CALL_UNMAPPED	"the store answered a record without a member " \
			"this answer needs"

#define CALL_LIMIT_DEFAULT	50
#define CALL_LIMIT_MAX		100

static const char *const call_statuses[] = { "draft", "sent", "viewed",
    "signed_off" };

/* Checks one filter's value s; returns what the store gets (s, or the
 * normalized email in email), or NULL after recording the failure. */
static const char *
call_filter_value(struct vctx *v, const struct call_filter *f,
    const char *s, char *email)
{
	char msg[64];
	size_t i, len = strlen(s);

	if (!text_utf8_valid(s, len)) {
		validate_fail(v, f->param, "must be UTF-8 text");
		return NULL;
	}
	switch (f->check) {
	case CALL_TEXT:
		if (len > CALL_TEXT_MAX) {
			snprintf(msg, sizeof(msg), "must be at most %d bytes",
			    CALL_TEXT_MAX);
			validate_fail(v, f->param, msg);
			return NULL;
		}
		if (text_has_control(s, len, 0)) {
			validate_fail(v, f->param, "must not contain control "
			    "characters");
			return NULL;
		}
		return s;
	case CALL_EMAIL:
		if (text_email_normalize(s, email) != 0) {
			validate_fail(v, f->param, "must be an email address "
			    "such as jane@example.com");
			return NULL;
		}
		return email;
	case CALL_ID:
		if (!validate_id_ok(s, f->prefix)) {
			snprintf(msg, sizeof(msg), "must be an id like %s_...",
			    f->prefix);
			validate_fail(v, f->param, msg);
			return NULL;
		}
		return s;
	case CALL_STATUS:
		for (i = 0; i < FZ_NELEM(call_statuses); i++)
			if (strcmp(s, call_statuses[i]) == 0)
				return s;
		validate_fail(v, f->param, "must be draft, sent, viewed or "
		    "signed_off");
		return NULL;
	}
	return NULL;
}

int
call_list_query(struct rq *rq, struct store_req *req,
    const struct call_filter *filters, size_t n)
{
	char email[TEXT_EMAIL_SIZE];
	struct evkeyvalq q;
	struct vctx v;
	const char *s, *val, *query = http_req_query(rq->http);
	json_t *out = NULL;
	char *end;
	unsigned long lim;
	size_t i;
	int rc = -1;

	TAILQ_INIT(&q);
	validate_begin(&v, NULL);
	req->limit = CALL_LIMIT_DEFAULT;
	req->cursor = NULL;
	req->filter = NULL;
	if (query == NULL || *query == '\0')
		return 0;
	if (evhttp_parse_query_str(query, &q) != 0) {
		reply_error(rq, API_VALIDATION_ERROR, "malformed query string",
		    reply_detail(NULL, "query", "cannot be parsed"));
		goto out;
	}
	if ((s = evhttp_find_header(&q, "limit")) != NULL) {
		errno = 0;
		lim = strtoul(s, &end, 10);
		if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 ||
		    lim < 1 || lim > CALL_LIMIT_MAX)
			validate_fail(&v, "limit", "must be 1..100");
		else
			req->limit = (unsigned)lim;
	}
	if ((s = evhttp_find_header(&q, "cursor")) != NULL && *s != '\0') {
		/* Cursors are base64url: anything else is not one of ours,
		 * and must not reach an upstream URL. */
		if (strlen(s) >= STORE_CURSOR_MAX || strspn(s,
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_") != strlen(s))
			validate_fail(&v, "cursor", "not a cursor this list "
			    "issued");
		else {
			/* Kept on rq: the query list dies below. */
			strcpy(rq->cursor, s);
			req->cursor = rq->cursor;
		}
	}
	for (i = 0; i < n; i++) {
		s = evhttp_find_header(&q, filters[i].param);
		if (s == NULL || *s == '\0' || (val = call_filter_value(&v,
		    &filters[i], s, email)) == NULL)
			continue;
		if ((out == NULL && (out = json_object()) == NULL) ||
		    json_object_set_new(out, filters[i].key,
		    json_string(val)) != 0) {
			reply_error(rq, API_INTERNAL_ERROR, "out of memory",
			    NULL);
			goto out;
		}
	}
	if (validate_end(&v, rq) != 0)
		goto out;
	req->filter = out;
	out = NULL;
	rc = 0;
out:
	json_decref(v.details);
	json_decref(out);
	evhttp_clear_headers(&q);
	return rc;
}

int
call_list_params(struct rq *rq, struct store_req *req)
{
	return call_list_query(rq, req, NULL, 0);
}

void
call_answer(struct rq *rq, struct store_res *res)
{
	json_t *meta = NULL, *details = NULL;
	char msg[160];
	const char *id;

	switch (res->err) {
	case 0:
		if (res->next_cursor[0] != '\0')
			meta = json_pack("{s:s}", "next_cursor",
			    res->next_cursor);
		if (rq->map != NULL) {
			json_t *mapped = rq->map(res->data);

			json_decref(res->data);
			if ((res->data = mapped) == NULL) {
				json_decref(meta);
				reply_error(rq, API_UPSTREAM_ERROR, CALL_UNMAPPED,
				    NULL);
				return;
			}
		}
		reply_ok(rq, res->created ? 201 : 200, res->data, meta);
		return;
	case FZ_ENOTFOUND:
		if (res->field != NULL) {
			snprintf(msg, sizeof(msg), "%s names no record of "
			    "this workspace", res->field);
			reply_error(rq, API_VALIDATION_ERROR, msg,
			    reply_detail(NULL, res->field, "not found"));
		} else
			reply_error(rq, API_NOT_FOUND, "no such record", NULL);
		break;
	case FZ_EEXIST:
		id = json_string_value(json_object_get(res->data, "id"));
		snprintf(msg, sizeof(msg), "already used by %s",
		    id != NULL ? id : "another record");
		if (res->field != NULL)
			details = reply_detail(NULL, res->field, msg);
		reply_error(rq, API_CONFLICT, res->message != NULL ?
		    res->message : "record exists", details);
		break;
	case FZ_ECONFLICT:
		reply_error(rq, API_CONFLICT, res->message != NULL ?
		    res->message : "the record's state does not allow this",
		    NULL);
		break;
	case FZ_EDENIED:
		reply_error(rq, API_FORBIDDEN, res->message != NULL ?
		    res->message : "not allowed", res->field != NULL ?
		    reply_detail(NULL, res->field, "does not match") : NULL);
		break;
	case FZ_ELIMIT:
		snprintf(msg, sizeof(msg), "%u", res->retry_after_s > 0 ?
		    res->retry_after_s : 1);
		reply_header(rq, "Retry-After", msg);
		reply_error(rq, API_RATE_LIMITED, res->message != NULL ?
		    res->message : "too many requests; try again later", NULL);
		break;
	case FZ_EUPSTREAM:
		reply_error_raw(rq, res->status, res->code, res->text,
		    res->details);
		res->details = NULL;
		break;
	case FZ_EUNAVAIL:
		reply_header(rq, "Retry-After", "5");
		reply_error(rq, API_UPSTREAM_UNAVAILABLE, res->message != NULL ?
		    res->message : "the upstream store cannot be reached", NULL);
		break;
	case FZ_ETIMEOUT:
		reply_error(rq, API_UPSTREAM_TIMEOUT, "the upstream store did "
		    "not answer in time", NULL);
		break;
	case FZ_EBADGW:
		reply_error(rq, API_UPSTREAM_ERROR, res->message != NULL ?
		    res->message : "the upstream store answered an error",
		    NULL);
		break;
	case FZ_ENOTSUP:
		reply_error(rq, API_NOT_FOUND, "not available with this store "
		    "(store = http)", NULL);
		break;
	case FZ_EINVAL:
		reply_error(rq, API_VALIDATION_ERROR, res->message != NULL ?
		    res->message : "invalid input", res->field != NULL ?
		    reply_detail(NULL, res->field, res->message != NULL ?
		    res->message : "invalid") : NULL);
		break;
	default:
		reply_error(rq, API_INTERNAL_ERROR, "storage failure; the "
		    "request changed nothing or can be retried", NULL);
		break;
	}
	json_decref(res->data);
	json_decref(res->details);
}

static void
call_done_cb(struct store_res *res, void *arg)
{
	call_answer(arg, res);
}

void
call_answer_bare(struct rq *rq, struct store_res *res)
{
	json_t *arr = NULL, *item, *m;
	enum api_error code = API_INTERNAL_ERROR;
	const char *why = "out of memory";
	char *body = NULL;
	size_t i;

	if (res->err != 0 || !json_is_array(res->data)) {
		if (res->err == 0)
			res->err = FZ_EBADGW;
		rq->map = NULL;
		call_answer(rq, res);
		return;
	}
	if ((arr = json_array()) == NULL)
		goto fail;
	json_array_foreach(res->data, i, item) {
		if ((m = rq->map(item)) == NULL) {
			code = API_UPSTREAM_ERROR;
			why = CALL_UNMAPPED;
			goto fail;
		}
		if (json_array_append_new(arr, m) != 0)
			goto fail;
	}
	if ((body = json_dumps(arr, JSON_COMPACT)) == NULL)
		goto fail;
	json_decref(arr);
	json_decref(res->data);
	if (res->next_cursor[0] != '\0')
		reply_header(rq, "X-Next-Cursor", res->next_cursor);
	reply_raw_take(rq, 200, "application/json", body, strlen(body));
	return;
fail:
	json_decref(arr);
	json_decref(res->data);
	reply_error(rq, code, why, NULL);
}

static void
call_bare_cb(struct store_res *res, void *arg)
{
	call_answer_bare(arg, res);
}

void
call_store_map(struct rq *rq, struct store_req *req, call_map_fn *map)
{
	rq->map = map;
	call_store(rq, req);
}

void
call_store_bare(struct rq *rq, struct store_req *req, call_map_fn *map)
{
	rq->map = map;
	call_submit(rq, req, call_bare_cb, rq);
}

int
call_submit(struct rq *rq, struct store_req *req, store_cb *cb, void *arg)
{
	req->workspace_id = rq->authed ? rq->ws.id : NULL;
	req->request_id = rq->id;
	req->idempotency_key = rq->idem ? rq->idem_key : NULL;
	if (store_submit(edge_store(rq->edge), req, cb, arg) != 0) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return -1;
	}
	return 0;
}

void
call_store(struct rq *rq, struct store_req *req)
{
	call_submit(rq, req, call_done_cb, rq);
}
