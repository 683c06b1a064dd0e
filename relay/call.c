#include <sys/queue.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/fz.h"
#include "relay/call.h"
#include "relay/edge.h"
#include "relay/http/http.h"
#include "relay/reply.h"

#define CALL_LIMIT_DEFAULT	50
#define CALL_LIMIT_MAX		100

int
call_list_params(struct rq *rq, struct store_req *req)
{
	struct evkeyvalq q;
	const char *s, *query = http_req_query(rq->http);
	char *end;
	unsigned long v;
	int rc = -1;

	TAILQ_INIT(&q);
	req->limit = CALL_LIMIT_DEFAULT;
	req->cursor = NULL;
	if (query == NULL || *query == '\0')
		return 0;
	if (evhttp_parse_query_str(query, &q) != 0) {
		reply_error(rq, API_VALIDATION_ERROR, "malformed query string",
		    reply_detail(NULL, "query", "cannot be parsed"));
		goto out;
	}
	if ((s = evhttp_find_header(&q, "limit")) != NULL) {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 ||
		    v < 1 || v > CALL_LIMIT_MAX) {
			reply_error(rq, API_VALIDATION_ERROR, "limit must be a "
			    "whole number from 1 to 100", reply_detail(NULL,
			    "limit", "must be 1..100"));
			goto out;
		}
		req->limit = (unsigned)v;
	}
	if ((s = evhttp_find_header(&q, "cursor")) != NULL && *s != '\0') {
		/* Cursors are base64url: anything else is not one of ours,
		 * and must not reach an upstream URL. */
		if (strlen(s) >= STORE_CURSOR_MAX || strspn(s,
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_") != strlen(s)) {
			reply_error(rq, API_VALIDATION_ERROR, "cursor is not "
			    "valid for this list", reply_detail(NULL, "cursor",
			    "not a cursor this list issued"));
			goto out;
		}
		/* Kept on rq: the query list dies below. */
		strcpy(rq->cursor, s);
		req->cursor = rq->cursor;
	}
	rc = 0;
out:
	evhttp_clear_headers(&q);
	return rc;
}

static void
call_done_cb(struct store_res *res, void *arg)
{
	struct rq *rq = arg;
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
				reply_error(rq, API_INTERNAL_ERROR, "out of "
				    "memory", NULL);
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

void
call_store_map(struct rq *rq, struct store_req *req, call_map_fn *map)
{
	rq->map = map;
	call_store(rq, req);
}

void
call_store(struct rq *rq, struct store_req *req)
{
	req->workspace_id = rq->authed ? rq->ws.id : NULL;
	req->request_id = rq->id;
	req->idempotency_key = rq->idem ? rq->idem_key : NULL;
	if (store_submit(edge_store(rq->edge), req, call_done_cb, rq) != 0)
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
}
