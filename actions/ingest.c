#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "actions/ingest.h"
#include "actions/validate.h"
#include "common/cfg.h"
#include "common/clock.h"
#include "common/fz.h"
#include "common/log.h"
#include "common/sign.h"
#include "relay/edge.h"
#include "relay/http.h"
#include "relay/reply.h"
#include "state/journal.h"

#define INGEST_SKEW_S	300

static int
ingest_authentic(struct rq *rq, const char *cfg_secret)
{
	const char *id = http_req_header(rq->http, "webhook-id");
	const char *ts = http_req_header(rq->http, "webhook-timestamp");
	const char *sig = http_req_header(rq->http, "webhook-signature");
	const char *body;
	char *secret, *end;
	long long t;
	size_t len;
	int ok;

	if (id == NULL || ts == NULL || sig == NULL)
		return 0;
	t = strtoll(ts, &end, 10);
	if (*ts == '\0' || *end != '\0' ||
	    llabs(t - clock_now_ms() / 1000) > INGEST_SKEW_S)
		return 0;
	if ((secret = sign_secret(cfg_secret)) == NULL)
		return 0;
	body = http_req_body(rq->http, &len);
	ok = sign_verify(secret, id, t, body, len, sig);
	OPENSSL_cleanse(secret, strlen(secret));
	free(secret);
	return ok;
}

/* A validated report waiting for its pass's write (relay/edge.h). */
struct ingest_job {
	struct edge_job		 job;		/* first: the edge links it */
	struct rq		*rq;
	struct journal_report	 r;		/* points into rq->body */
};

static void
ingest_answer(struct rq *rq, const struct journal_report *r)
{
	switch (r->err) {
	case 0:
		reply_ok(rq, 201, json_pack("{s:b, s:I}", "duplicate", 0, "seq",
		    (json_int_t)r->seq), NULL);
		break;
	case FZ_EEXIST:
		reply_ok(rq, 200, json_pack("{s:b}", "duplicate", 1), NULL);
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

/*
 * The reports of one loop pass share a write transaction: each event
 * written alone rewrote the same index and branch pages, and that, not
 * the fsync, bounded ingest.
 */
static void
ingest_batch(struct edge *e, struct edge_job *jobs)
{
	struct journal_report *r;
	struct edge_job *j, *next;
	struct ingest_job *ij;
	size_t n = 0, i;

	for (j = jobs; j != NULL; j = j->next)
		n++;
	if ((r = calloc(n, sizeof(*r))) != NULL) {
		for (i = 0, j = jobs; j != NULL; j = j->next)
			r[i++] = ((struct ingest_job *)(void *)j)->r;
		journal_ingest_batch(edge_state(e), r, n);
	}
	for (i = 0, j = jobs; j != NULL; j = next, i++) {
		next = j->next;
		ij = (struct ingest_job *)(void *)j;
		if (r != NULL)
			ij->r = r[i];
		else
			ij->r.err = FZ_ENOMEM;
		ingest_answer(ij->rq, &ij->r);
		free(ij);
	}
	free(r);
}

void
ingest_events(struct rq *rq)
{
	const struct cfg *cfg = edge_cfg(rq->edge);
	const char *id, *type, *ws;
	const json_t *data;
	struct ingest_job *ij;
	struct vctx v;

	if (cfg->ingest_secret == NULL) {
		reply_error(rq, API_NOT_FOUND, "event ingest is not configured "
		    "(ingest_secret)", NULL);
		return;
	}
	if (!ingest_authentic(rq, cfg->ingest_secret)) {
		reply_error(rq, API_UNAUTHORIZED, "missing, stale or wrong "
		    "webhook signature", NULL);
		return;
	}
	validate_begin(&v, rq->body);
	id = validate_string(&v, "id", 1, 200, 0);
	type = validate_string(&v, "type", 1, 40, 0);
	if (type != NULL && strcmp(type, JOURNAL_PACK_VIEWED) != 0 &&
	    strcmp(type, JOURNAL_SIGNED_OFF) != 0)
		validate_fail(&v, "type", "want pack.viewed or "
		    "client.signed_off");
	ws = validate_id(&v, "workspace_id", "ws", 1);
	data = json_object_get(rq->body, "data");
	if (!json_is_object(data))
		validate_fail(&v, "data", "want an object of event fields");
	if (validate_end(&v, rq) != 0)
		return;
	if ((ij = calloc(1, sizeof(*ij))) == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return;
	}
	ij->rq = rq;
	ij->r.type = type;
	ij->r.ws = ws;
	ij->r.source_id = id;
	ij->r.data = data;
	ij->r.now_ms = clock_now_ms();
	edge_batch(rq->edge, &ij->job, ingest_batch);
}
