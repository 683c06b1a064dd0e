#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/fz.h"
#include "common/hmap.h"
#include "common/log.h"
#include "common/secure.h"
#include "relay/http/http.h"
#include "relay/idemkey.h"
#include "relay/reply.h"
#include "state/idem.h"

/*
 * A successful answer whose record is being written: a retry in the
 * meantime is replayed from here, as it would be from the record.
 */
struct idemkey_held {
	struct idemkey	*g;
	char		 name[FZ_ID_SIZE + IDEM_KEY_MAX + 2];
	unsigned char	 fp[SECURE_SHA256_SIZE];
	int		 status;
	json_t		*data;
};

struct idemkey {
	struct state	*st;
	/* "ws key" of writes under way (NULL) or just answered (held). */
	struct hmap	*busy;
};

static int
idemkey_drop_cb(const char *key, void *value, void *arg)
{
	struct idemkey_held *h = *(struct idemkey_held **)value;

	(void)key;
	(void)arg;
	if (h != NULL) {
		json_decref(h->data);
		free(h);
	}
	return 1;
}

struct idemkey *
idemkey_new(struct state *st)
{
	struct idemkey *g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->st = st;
	if ((g->busy = hmap_new(sizeof(struct idemkey_held *))) == NULL) {
		free(g);
		return NULL;
	}
	return g;
}

void
idemkey_free(struct idemkey *g)
{
	if (g == NULL)
		return;
	hmap_each(g->busy, idemkey_drop_cb, NULL);
	hmap_free(g->busy);
	free(g);
}

static void
idemkey_put_cb(struct state_result *res, void *arg)
{
	struct idemkey_held *h = arg;

	if (res->err != 0)
		log_warn("could not record the answer for an Idempotency-Key: "
		    "%s", fz_strerror(res->err));
	hmap_del(h->g->busy, h->name);
	json_decref(h->data);
	free(h);
}

/* Answers rq from a held answer (a replay or a conflict). */
static void
idemkey_replay(struct rq *rq, const struct idemkey_held *h)
{
	if (h == NULL) {
		reply_error(rq, API_CONFLICT, "a request with this "
		    "Idempotency-Key is still in progress", NULL);
		return;
	}
	if (!secure_equal(h->fp, rq->idem_fp, sizeof(rq->idem_fp))) {
		reply_error(rq, API_CONFLICT, "Idempotency-Key was already "
		    "used with a different request", NULL);
		return;
	}
	reply_header(rq, "Idempotent-Replayed", "true");
	reply_ok(rq, h->status, json_incref(h->data), NULL);
}

/* Key of the in-flight table: workspace and Idempotency-Key. */
static void
idemkey_name(const struct rq *rq, char *buf, size_t size)
{
	snprintf(buf, size, "%s %s", rq->ws.id, rq->idem_key);
}

int
idemkey_begin(struct idemkey *g, struct rq *rq)
{
	const char *key = http_req_header(rq->http, "Idempotency-Key");
	char name[FZ_ID_SIZE + IDEM_KEY_MAX + 2], *fp_in = NULL;
	const char *body;
	struct idem_entry ent;
	struct idemkey_held **slot;
	size_t klen, blen, n;
	int err, created;

	if (key == NULL)
		return 1;
	klen = strlen(key);
	if (klen == 0 || klen > IDEM_KEY_MAX ||
	    strspn(key, "!#$%&'*+-.0123456789:=@ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`"
	    "abcdefghijklmnopqrstuvwxyz|~") != klen) {
		reply_error(rq, API_VALIDATION_ERROR, "Idempotency-Key must be "
		    "1..255 visible ASCII characters", reply_detail(NULL,
		    "Idempotency-Key", "malformed"));
		return 0;
	}
	strcpy(rq->idem_key, key);
	/* The fingerprint covers what the write would do: method, path and
	 * body exactly as sent. */
	body = http_req_body(rq->http, &blen);
	n = strlen(http_req_method(rq->http)) + strlen(http_req_path(rq->http))
	    + blen + 2;
	if ((fp_in = malloc(n)) == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return 0;
	}
	n = (size_t)snprintf(fp_in, n, "%s\n%s\n", http_req_method(rq->http),
	    http_req_path(rq->http));
	memcpy(fp_in + n, body, blen);
	err = secure_sha256(fp_in, n + blen, rq->idem_fp);
	free(fp_in);
	if (err != 0) {
		reply_error(rq, API_INTERNAL_ERROR, "digest failed", NULL);
		return 0;
	}
	idemkey_name(rq, name, sizeof(name));
	if ((slot = hmap_get(g->busy, name)) != NULL) {
		idemkey_replay(rq, *slot);
		return 0;
	}
	err = idem_get(g->st, rq->ws.id, key, clock_now_ms(), &ent);
	if (err == 0) {
		if (!secure_equal(ent.fingerprint, rq->idem_fp,
		    sizeof(rq->idem_fp))) {
			json_decref(ent.data);
			reply_error(rq, API_CONFLICT, "Idempotency-Key was "
			    "already used with a different request", NULL);
			return 0;
		}
		if (ent.status == 0) {
			/* The write was applied, its answer never recorded
			 * (fzrelay stopped in between, most likely). */
			json_decref(ent.data);
			reply_error(rq, API_CONFLICT, "the request with this "
			    "Idempotency-Key was applied, but its answer was "
			    "not recorded; read the record instead of "
			    "retrying", NULL);
			return 0;
		}
		reply_header(rq, "Idempotent-Replayed", "true");
		reply_ok(rq, ent.status, ent.data, NULL);
		return 0;
	}
	if (err != FZ_ENOTFOUND) {
		reply_error(rq, API_INTERNAL_ERROR, "idempotency lookup "
		    "failed", NULL);
		return 0;
	}
	if ((slot = hmap_put(g->busy, name, &created)) == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return 0;
	}
	*slot = NULL;
	rq->idem = 1;
	/* The key is recorded in the transaction of the write itself: a
	 * crash between the write and its answer's record cannot let a
	 * retry write again. A write that happens elsewhere (the upstream
	 * store) takes no claim, and none is kept for it. */
	if (idem_claim(g->st, rq->ws.id, rq->idem_key, rq->idem_fp,
	    clock_now_ms(), &rq->idem_claimed) != 0)
		log_warn("an Idempotency-Key could not be claimed (%s)", rq->id);
	return 1;
}

void
idemkey_handled(struct idemkey *g)
{
	idem_claim_end(g->st);
}

void
idemkey_finished(struct idemkey *g, struct rq *rq, int status,
    const json_t *data)
{
	char name[FZ_ID_SIZE + IDEM_KEY_MAX + 2];
	struct idemkey_held **slot, *h;

	if (!rq->idem)
		return;
	rq->idem = 0;
	/* Answered without a write of its own: the claim must not ride the
	 * record of this answer, nor any later write. */
	idem_claim_end(g->st);
	idemkey_name(rq, name, sizeof(name));
	if (status >= 200 && status < 300 && data != NULL &&
	    (slot = hmap_get(g->busy, name)) != NULL &&
	    (h = calloc(1, sizeof(*h))) != NULL) {
		/* Held until recorded, so a retry right after this answer is
		 * replayed, not told the answer was lost. */
		h->g = g;
		strcpy(h->name, name);
		memcpy(h->fp, rq->idem_fp, sizeof(h->fp));
		h->status = status;
		h->data = json_incref((json_t *)data);
		*slot = h;
		idem_put(g->st, rq->ws.id, rq->idem_key, rq->idem_fp, status,
		    data, clock_now_ms(), idemkey_put_cb, h);
		return;
	}
	hmap_del(g->busy, name);
	/* A claim that rode a committed write stays, answer or not: the
	 * write was applied, and a retry must learn so, not apply it again. */
	if (status >= 200 && status < 300 && data != NULL)
		log_warn("the answer to an Idempotency-Key could not be held "
		    "(%s)", rq->id);
	else if (rq->idem_claimed)
		log_warn("a write under an Idempotency-Key was applied but "
		    "answered %d; a retry will get 409 (%s)", status, rq->id);
}

