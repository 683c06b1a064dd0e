#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "actions/ingest.h"
#include "common/cfg.h"
#include "common/clock.h"
#include "common/fz.h"
#include "common/jscan.h"
#include "common/log.h"
#include "common/sign.h"
#include "common/text.h"
#include "relay/body.h"
#include "relay/edge.h"
#include "relay/http/http.h"
#include "relay/reply.h"
#include "relay/validate.h"
#include "state/journal.h"

#define INGEST_SKEW_S	300
#define INGEST_ID_MAX	200
#define INGEST_TYPE_MAX	40
/* Members of a body read on the fast path; a body of more takes the
 * full parser. */
#define INGEST_MEMBERS	16

/*
 * Reads webhook-timestamp: decimal seconds since the epoch, within
 * INGEST_SKEW_S of now. Any other text, a sign, or a value that would
 * overflow is refused before any arithmetic on it.
 */
static int
ingest_timestamp(const char *s, int64_t now_s, int64_t *t)
{
	int64_t v = 0;
	size_t i, len = strlen(s);

	if (len == 0 || len > 12 || strspn(s, "0123456789") != len)
		return -1;
	for (i = 0; i < len; i++)
		v = v * 10 + (s[i] - '0');
	if (v < now_s - INGEST_SKEW_S || v > now_s + INGEST_SKEW_S)
		return -1;
	*t = v;
	return 0;
}

/* Checks the Standard Webhooks signature over the raw body, before any
 * of it is parsed: an unsigned body costs a hash, never a parse. */
static int
ingest_authentic(struct rq *rq, const char *cfg_secret)
{
	const char *id = http_req_header(rq->http, "webhook-id");
	const char *ts = http_req_header(rq->http, "webhook-timestamp");
	const char *sig = http_req_header(rq->http, "webhook-signature");
	const char *body;
	char *secret;
	int64_t t;
	size_t len;
	int ok;

	if (id == NULL || ts == NULL || sig == NULL ||
	    ingest_timestamp(ts, clock_now_ms() / 1000, &t) != 0)
		return 0;
	if ((secret = sign_secret(cfg_secret)) == NULL)
		return 0;
	body = http_req_body(rq->http, &len);
	ok = sign_verify(secret, id, t, body, len, sig);
	OPENSSL_cleanse(secret, strlen(secret));
	free(secret);
	return ok;
}

/* A validated report and its request, until the report is journaled. */
struct ingest_job {
	struct rq		*rq;
	struct journal_report	 r;		/* points below, or into rq */
	char			 id[INGEST_ID_MAX + 1];
	char			 type[INGEST_TYPE_MAX + 1];
	char			 ws[FZ_ID_SIZE];
	char			 text[];	/* a plain body, compact */
};

/* Returns 1 if member m is named name. */
static int
ingest_is(const struct jscan_member *m, const char *name)
{
	return m->klen == strlen(name) && memcmp(m->key, name, m->klen) == 0;
}

/* Copies a string member's value into dst (size bytes), if it fits and
 * is a string without control characters. Returns 0 or -1. */
static int
ingest_copy(char *dst, size_t size, const struct jscan_member *m)
{
	if (m == NULL || m->type != JSCAN_STRING || m->vlen == 0 ||
	    m->vlen >= size || text_has_control(m->val, m->vlen, 0))
		return -1;
	memcpy(dst, m->val, m->vlen);
	dst[m->vlen] = '\0';
	return 0;
}

/*
 * The fast path: a plain body (common/jscan.h) whose fields all pass is
 * read without building a JSON tree, and its data goes to the journal as
 * the text it already is. Returns the job (caller frees), or NULL when
 * the body needs the full parser, which also says what is wrong with it.
 * Whatever it takes, ingest_parsed would take the same way.
 */
static struct ingest_job *
ingest_plain(struct rq *rq)
{
	struct jscan_member m[INGEST_MEMBERS];
	const struct jscan_member *id = NULL, *type = NULL, *ws = NULL,
	    *data = NULL;
	struct ingest_job *ij;
	const char *body;
	size_t len, olen, n, i;

	if ((body = body_json_text(rq, &len)) == NULL ||
	    (ij = malloc(sizeof(*ij) + len + 1)) == NULL)
		return NULL;
	memset(ij, 0, sizeof(*ij));
	if (jscan_object(body, len, ij->text, &olen, m, FZ_NELEM(m), &n) != 0)
		goto no;
	for (i = 0; i < n; i++)
		if (ingest_is(&m[i], "id"))
			id = &m[i];
		else if (ingest_is(&m[i], "type"))
			type = &m[i];
		else if (ingest_is(&m[i], "workspace_id"))
			ws = &m[i];
		else if (ingest_is(&m[i], "data"))
			data = &m[i];
	if (ingest_copy(ij->id, sizeof(ij->id), id) != 0 ||
	    ingest_copy(ij->type, sizeof(ij->type), type) != 0 ||
	    ingest_copy(ij->ws, sizeof(ij->ws), ws) != 0 ||
	    data == NULL || data->type != JSCAN_OBJECT ||
	    (strcmp(ij->type, JOURNAL_PACK_VIEWED) != 0 &&
	    strcmp(ij->type, JOURNAL_SIGNED_OFF) != 0) ||
	    !validate_id_ok(ij->ws, "ws"))
		goto no;
	ij->r.data_text = data->val;
	ij->r.data_len = data->vlen;
	return ij;
no:
	free(ij);
	return NULL;
}

/* The full path: validates rq->body. Returns the job (caller frees), or
 * NULL after answering. */
static struct ingest_job *
ingest_parsed(struct rq *rq)
{
	const char *id, *type, *ws;
	const json_t *data;
	struct ingest_job *ij;
	struct vctx v;

	validate_begin(&v, rq->body);
	id = validate_string(&v, "id", 1, INGEST_ID_MAX, 0);
	type = validate_string(&v, "type", 1, INGEST_TYPE_MAX, 0);
	if (type != NULL && strcmp(type, JOURNAL_PACK_VIEWED) != 0 &&
	    strcmp(type, JOURNAL_SIGNED_OFF) != 0)
		validate_fail(&v, "type", "want pack.viewed or "
		    "client.signed_off");
	ws = validate_id(&v, "workspace_id", "ws", 1);
	data = json_object_get(rq->body, "data");
	if (!json_is_object(data))
		validate_fail(&v, "data", "want an object of event fields");
	if (validate_end(&v, rq) != 0)
		return NULL;
	if ((ij = calloc(1, sizeof(*ij))) == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return NULL;
	}
	strcpy(ij->id, id);
	strcpy(ij->type, type);
	strcpy(ij->ws, ws);
	ij->r.data = data;
	return ij;
}

/* Written directly, as the encoder would: one answer per event, and the
 * route takes no Idempotency-Key that would need the data as JSON. */
static void
ingest_answer(struct rq *rq, const struct journal_report *r)
{
	static const char dup[] = "{\"duplicate\":true}";
	char text[64];
	int n;

	switch (r->err) {
	case 0:
		n = snprintf(text, sizeof(text), "{\"duplicate\":false,"
		    "\"seq\":%llu}", (unsigned long long)r->seq);
		reply_ok_text(rq, 201, text, (size_t)n, NULL);
		break;
	case FZ_EEXIST:
		reply_ok_text(rq, 200, dup, sizeof(dup) - 1, NULL);
		break;
	case FZ_ENOTFOUND:
		reply_error(rq, API_VALIDATION_ERROR, "no such workspace",
		    reply_detail(NULL, "workspace_id", "not found"));
		break;
	default:
		reply_error(rq, API_INTERNAL_ERROR, "journal write failed",
		    NULL);
		break;
	}
}

/* Reports queued together share one durable commit (state.h). */
static void
ingest_done_cb(struct state_result *res, void *arg)
{
	struct ingest_job *ij = arg;

	ij->r.err = res->err;
	ingest_answer(ij->rq, &ij->r);
	free(ij);
}

void
ingest_events(struct rq *rq)
{
	const struct cfg *cfg = edge_cfg(rq->edge);
	struct ingest_job *ij;

	if (cfg->ingest_secret == NULL) {
		reply_error(rq, API_NOT_FOUND, "event ingest is not configured "
		    "(ingest_secret)", NULL);
		return;
	}
	if (!ingest_authentic(rq, cfg->ingest_secret)) {
		reply_header(rq, "WWW-Authenticate", "Standard-Webhooks "
		    "realm=\"fzrelay-ingest\", headers=\"webhook-id "
		    "webhook-timestamp webhook-signature\"");
		reply_error(rq, API_UNAUTHORIZED, "missing, stale or wrong "
		    "webhook signature", NULL);
		return;
	}
	/* Only a signed body is parsed. */
	if ((ij = ingest_plain(rq)) == NULL &&
	    (body_parse(rq) != 0 || (ij = ingest_parsed(rq)) == NULL))
		return;
	ij->rq = rq;
	ij->r.type = ij->type;
	ij->r.ws = ij->ws;
	ij->r.source_id = ij->id;
	ij->r.now_ms = clock_now_ms();
	journal_ingest(edge_state(rq->edge), &ij->r, ingest_done_cb, ij);
}
