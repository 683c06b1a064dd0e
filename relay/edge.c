#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>
#include <openssl/crypto.h>

#include "common/cfg.h"
#include "common/clock.h"
#include "common/fz.h"
#include "common/hmap.h"
#include "common/log.h"
#include "common/secure.h"
#include "relay/auth.h"
#include "relay/edge.h"
#include "relay/flusher.h"
#include "relay/http/http.h"
#include "relay/metrics.h"
#include "relay/reply.h"
#include "relay/http/router.h"
#include "relay/route.h"
#include "state/idem.h"
#include "state/journal.h"
#include "state/outbox.h"
#include "state/secret.h"
#include "state/state.h"

/* Batched last-used writes, rate-limit table sweeps, idempotency
 * record expiry. */
#define EDGE_FLUSH_MS	5000
#define EDGE_PRUNE_MAX	500

struct edge {
	struct event_base	*base;
	const struct cfg	*cfg;
	struct state		*st;
	struct store		*store;
	struct router		*router;
	struct auth		*auth;
	struct http_server	*http;
	struct event		*flush_timer;
	struct hmap		*idem_busy;	/* "ws NUL key" of writes under way */
	struct rq		*claimer;	/* its key rides the next write */
	struct event		*sync_ev;	/* group commit, once per pass */
	struct flusher		*flusher;
	struct event		*batch_ev;	/* runs the jobs, once per pass */
	struct edge_job		*jobs;		/* batched writes of this pass */
	struct edge_job		**jobs_tail;
	struct pending		*pending;	/* answers waiting for the sync */
	struct pending		**pending_tail;
	unsigned char		 cursor_key[SECRET_SIZE];
	void			(*synced_cb)(void *, uint64_t);
	void			*synced_arg;
	uint64_t		 flushing_seq;	/* journal's last when it began */
	uint64_t		 durable_seq;	/* events known to be on disk */
};

/* An answer held until the state is synced. */
struct pending {
	struct pending		*next;
	uint64_t		 upto;		/* commits it may show */
	struct http_req		*http;
	int			 status;
	const char		*ctype;		/* static */
	size_t			 len;
	char			*own;		/* the body, taken; else body[] */
	char			 body[];
};

static void
edge_limits(const struct cfg *cfg, struct http_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->max_body = cfg->max_body_bytes;
	lim->max_head = 16 * 1024;
	lim->header_timeout_ms = cfg->header_timeout_ms;
	lim->request_timeout_ms = cfg->request_timeout_ms;
	lim->idle_timeout_ms = cfg->idle_timeout_ms;
	lim->write_timeout_ms = cfg->request_timeout_ms;
	lim->max_conns = cfg->max_connections;
}

static void
edge_read_failed(struct rq *rq, int status)
{
	static const struct {
		int		 status;
		enum api_error	 err;
		const char	*msg;
	} map[] = {
		{ 400, API_VALIDATION_ERROR, "malformed HTTP request" },
		{ 408, API_REQUEST_TIMEOUT, "the request was not received "
		    "in time" },
		{ 413, API_PAYLOAD_TOO_LARGE, "request body exceeds "
		    "max_body_bytes" },
		{ 414, API_URI_TOO_LONG, "request line too long" },
		{ 431, API_HEADERS_TOO_LARGE, "request headers too large" },
		{ 501, API_NOT_IMPLEMENTED, "unsupported transfer encoding" },
		{ 505, API_HTTP_VERSION, "only HTTP/1.0 and HTTP/1.1 are "
		    "served" },
	};
	size_t i;

	for (i = 0; i < FZ_NELEM(map); i++)
		if (map[i].status == status) {
			reply_error(rq, map[i].err, map[i].msg, NULL);
			return;
		}
	reply_error(rq, API_VALIDATION_ERROR, "malformed HTTP request", NULL);
}

/* Returns 1 if ctype is application/json, with or without parameters. */
static int
edge_is_json(const char *ctype)
{
	size_t n = strlen("application/json");

	if (ctype == NULL || strncasecmp(ctype, "application/json", n) != 0)
		return 0;
	return ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ';
}

const char *
edge_json_text(struct rq *rq, size_t *len)
{
	const char *body = http_req_body(rq->http, len);

	if (*len == 0 ||
	    !edge_is_json(http_req_header(rq->http, "Content-Type")))
		return NULL;
	return body;
}

int
edge_parse_body(struct rq *rq)
{
	const char *body;
	json_error_t jerr;
	char msg[256];
	size_t len;

	body = http_req_body(rq->http, &len);
	if (len == 0) {
		/* An empty body means "no fields": validation names them. */
		rq->body = json_object();
		if (rq->body == NULL) {
			reply_error(rq, API_INTERNAL_ERROR, "out of memory",
			    NULL);
			return -1;
		}
		return 0;
	}
	if (!edge_is_json(http_req_header(rq->http, "Content-Type"))) {
		reply_error(rq, API_UNSUPPORTED_MEDIA_TYPE, "send the body as "
		    "Content-Type: application/json", NULL);
		return -1;
	}
	rq->body = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (rq->body == NULL) {
		snprintf(msg, sizeof(msg), "malformed JSON at line %d column "
		    "%d: %s", jerr.line, jerr.column, jerr.text);
		reply_error(rq, API_VALIDATION_ERROR, msg,
		    reply_detail(NULL, "body", jerr.text));
		return -1;
	}
	if (!json_is_object(rq->body)) {
		reply_error(rq, API_VALIDATION_ERROR, "the body must be a JSON "
		    "object", reply_detail(NULL, "body", "must be an object"));
		return -1;
	}
	return 0;
}

/* Key of the in-flight table: workspace and Idempotency-Key. */
static void
edge_idem_name(const struct rq *rq, char *buf, size_t size)
{
	snprintf(buf, size, "%s %s", rq->ws.id, rq->idem_key);
}

/*
 * Applies Idempotency-Key to a write. Returns 1 to go on to the handler
 * (the key is now held by rq), 0 after answering (a replay, or a
 * conflict).
 */
static int
edge_idempotency(struct edge *e, struct rq *rq)
{
	const char *key = http_req_header(rq->http, "Idempotency-Key");
	char name[FZ_ID_SIZE + IDEM_KEY_MAX + 2], *fp_in = NULL;
	const char *body;
	struct idem_entry ent;
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
	edge_idem_name(rq, name, sizeof(name));
	if (hmap_get(e->idem_busy, name) != NULL) {
		reply_error(rq, API_CONFLICT, "a request with this "
		    "Idempotency-Key is still in progress", NULL);
		return 0;
	}
	err = idem_get(e->st, rq->ws.id, key, clock_now_ms(), &ent);
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
	if (hmap_put(e->idem_busy, name, &created) == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return 0;
	}
	rq->idem = 1;
	return 1;
}

void
edge_finished(struct rq *rq, int status, const json_t *data)
{
	struct edge *e = rq->edge;
	char name[FZ_ID_SIZE + IDEM_KEY_MAX + 2];

	if (!rq->idem)
		return;
	rq->idem = 0;
	if (e->claimer == rq) {
		rq->idem_claimed = idem_claim_end(e->st);
		e->claimer = NULL;
	}
	edge_idem_name(rq, name, sizeof(name));
	hmap_del(e->idem_busy, name);
	/* A claim that rode a committed write stays, answer or not: the
	 * write was applied, and a retry must learn so, not apply it again. */
	if (status >= 200 && status < 300 && data != NULL) {
		if (idem_put(e->st, rq->ws.id, rq->idem_key, rq->idem_fp,
		    status, data, clock_now_ms()) != 0)
			log_warn("could not record the answer for an "
			    "Idempotency-Key (%s)", rq->id);
	} else if (rq->idem_claimed)
		log_warn("a write under an Idempotency-Key was applied but "
		    "answered %d; a retry will get 409 (%s)", status, rq->id);
}

static void
edge_send(struct http_req *http, int status, const char *ctype,
    const char *body, size_t len, char *own)
{
	if (own != NULL)
		http_reply_take(http, status, ctype, own, len);
	else
		http_reply(http, status, ctype, body, len);
}

/* Hands each fn the jobs queued so far, in order. */
static void
edge_batch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct edge *e = arg;
	struct edge_job *left = e->jobs, *mine, **mtail, *rest, **rtail, *j;
	edge_batch_fn *fn;

	(void)fd;
	(void)what;
	e->jobs = NULL;
	e->jobs_tail = &e->jobs;
	while (left != NULL) {
		fn = left->fn;
		mine = rest = NULL;
		mtail = &mine;
		rtail = &rest;
		for (; left != NULL; left = j) {
			j = left->next;
			left->next = NULL;
			if (left->fn == fn) {
				*mtail = left;
				mtail = &left->next;
			} else {
				*rtail = left;
				rtail = &left->next;
			}
		}
		fn(e, mine);
		left = rest;
	}
}

/* Detaches the held answers whose writes a flush of commits up to n
 * covers, in order. */
static struct pending *
edge_covered(struct edge *e, uint64_t n)
{
	struct pending *head = e->pending, **tail = &e->pending;

	while (*tail != NULL && (*tail)->upto <= n)
		tail = &(*tail)->next;
	if (tail == &e->pending)
		return NULL;
	e->pending = *tail;
	*tail = NULL;
	if (e->pending == NULL)
		e->pending_tail = &e->pending;
	return head;
}

/* Sends answers p (from edge_covered), or, after a failed flush, says
 * that their writes may be lost. */
static void
edge_release(struct pending *p, int err)
{
	static const char failed[] = "{\"data\":null,\"meta\":null,"
	    "\"error\":{\"code\":\"INTERNAL_ERROR\",\"message\":"
	    "\"storage could not be flushed; the write may be lost\"}}";
	struct pending *next;

	for (; p != NULL; p = next) {
		next = p->next;
		if (err != 0) {
			free(p->own);
			http_reply(p->http, 500, "application/json", failed,
			    sizeof(failed) - 1);
		} else
			edge_send(p->http, p->status, p->ctype, p->body, p->len,
			    p->own);
		free(p);
	}
}

/* Starts a flush unless one runs, noting how far the journal has got:
 * once the flush is over, events up to there are on disk. */
static void
edge_flush_start(struct edge *e)
{
	uint64_t seq;

	if (flusher_busy(e->flusher))
		return;
	e->flushing_seq = journal_last_seq(e->st, &seq) == 0 ? seq :
	    e->durable_seq;
	flusher_start(e->flusher);
}

static void
edge_flushed(void *arg, uint64_t n, int err)
{
	struct edge *e = arg;
	struct pending *done = edge_covered(e, n);
	uint64_t seq = e->flushing_seq;

	metrics_sync(flusher_last_us(e->flusher));
	/* The jobs that came during the flush share one transaction now.
	 * Answers held meanwhile wait for a flush begun after them; it
	 * starts before the finished flush's answers go out, so the disk
	 * works while the loop writes them. */
	if (e->jobs != NULL)
		edge_batch_cb(-1, 0, e);
	if (e->pending != NULL)
		edge_flush_start(e);
	edge_release(done, err);
	if (err == 0 && seq > e->durable_seq) {
		e->durable_seq = seq;
		if (e->synced_cb != NULL)
			e->synced_cb(e->synced_arg, e->durable_seq);
	}
}

/* Once per loop pass with answers held: starts the group commit's flush
 * unless one runs (its end starts the next). */
static void
edge_sync_cb(evutil_socket_t fd, short what, void *arg)
{
	struct edge *e = arg;

	(void)fd;
	(void)what;
	if (e->pending != NULL)
		edge_flush_start(e);
}

void
edge_batch(struct edge *e, struct edge_job *job, edge_batch_fn *fn)
{
	job->next = NULL;
	job->fn = fn;
	*e->jobs_tail = job;
	e->jobs_tail = &job->next;
	/* While a flush runs, the jobs' answers could not go out before the
	 * next one anyway: they wait for its start, and one transaction
	 * then holds them all, instead of one per loop pass. */
	if (!flusher_busy(e->flusher))
		event_active(e->batch_ev, EV_TIMEOUT, 0);
}

void
edge_on_sync(struct edge *e, void (*cb)(void *, uint64_t), void *arg)
{
	e->synced_cb = cb;
	e->synced_arg = arg;
	if (cb != NULL)
		cb(arg, e->durable_seq);
}

/* edge_respond and edge_respond_take: own, if not NULL, is body, taken. */
static void
edge_answer(struct rq *rq, int status, const char *ctype, const char *body,
    size_t len, char *own)
{
	struct edge *e = rq->edge;
	struct pending *p;

	/*
	 * Any answer given while writes are unsynced waits for the sync, not
	 * only those that wrote: a read or a duplicate answer may show what
	 * another request committed, and must not reach the client before
	 * it is on disk.
	 */
	if (!state_unsynced(e->st)) {
		edge_send(rq->http, status, ctype, body, len, own);
		return;
	}
	if ((p = malloc(sizeof(*p) + (own != NULL ? 0 : len + 1))) == NULL) {
		/* Without memory to wait, sync now rather than answer early. */
		if (state_sync(e->st) != 0)
			status = 500;
		edge_send(rq->http, status, ctype, body, len, own);
		return;
	}
	p->next = NULL;
	p->http = rq->http;
	p->status = status;
	p->ctype = ctype;
	p->len = len;
	p->own = own;
	if (own == NULL && len > 0)
		memcpy(p->body, body, len);
	p->upto = state_visible(e->st);
	*e->pending_tail = p;
	e->pending_tail = &p->next;
	event_active(e->sync_ev, EV_TIMEOUT, 0);
}

void
edge_respond(struct rq *rq, int status, const char *ctype, const char *body,
    size_t len)
{
	edge_answer(rq, status, ctype, body, len, NULL);
}

void
edge_respond_take(struct rq *rq, int status, const char *ctype, char *body,
    size_t len)
{
	edge_answer(rq, status, ctype, body, len, body);
}

static void
edge_request_cb(struct http_req *http, void *arg)
{
	struct edge *e = arg;
	char allow[64];
	struct rq *rq;
	int err;

	if ((rq = reply_begin(e, http)) == NULL) {
		static const char oom[] = "{\"data\":null,\"meta\":null,"
		    "\"error\":{\"code\":\"INTERNAL_ERROR\",\"message\":"
		    "\"out of memory\"}}";

		http_reply(http, 500, "application/json", oom, sizeof(oom) - 1);
		return;
	}
	if ((err = http_req_error(http)) != 0) {
		edge_read_failed(rq, err);
		return;
	}
	err = route_match(e->router, http_req_method(http), http_req_path(http),
	    &rq->route, &rq->params, allow, sizeof(allow));
	if (err == FZ_ENOTFOUND) {
		reply_error(rq, API_NOT_FOUND, "no such endpoint", NULL);
		return;
	}
	if (err == FZ_ECONFLICT) {
		reply_header(rq, "Allow", allow);
		reply_error(rq, API_METHOD_NOT_ALLOWED, "method not allowed on "
		    "this endpoint", NULL);
		return;
	}
	if (err != 0) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return;
	}
	if (rq->route->plan != 0 && auth_check(e->auth, rq) != 0)
		return;
	if ((rq->route->flags & (ROUTE_JSON_BODY | ROUTE_OWN_BODY)) ==
	    ROUTE_JSON_BODY && edge_parse_body(rq) != 0)
		return;
	if ((rq->route->flags & ROUTE_JSON_BODY) && rq->authed &&
	    !edge_idempotency(e, rq))
		return;
	/* The key is recorded in the transaction of the write itself: a
	 * crash between the write and its answer's record cannot let a
	 * retry write again. A write that happens later (the upstream
	 * store) is not covered, and no claim is kept for it. */
	if (rq->idem && idem_claim(e->st, rq->ws.id, rq->idem_key,
	    rq->idem_fp, clock_now_ms()) == 0)
		e->claimer = rq;
	rq->route->handler(rq);
	if (e->claimer != NULL) {
		e->claimer->idem_claimed = idem_claim_end(e->st);
		e->claimer = NULL;
	}
}

static size_t
edge_refuse_cb(char *buf, size_t size, void *arg)
{
	(void)arg;
	return reply_refusal(buf, size);
}

static void
edge_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct edge *e = arg;
	int64_t now = clock_now_ms(), cutoff;
	uint64_t owed;

	(void)fd;
	(void)what;
	edge_flush(e);
	if (idem_prune(e->st, now, EDGE_PRUNE_MAX) < 0)
		log_warn("could not expire idempotency records");
	/* Events a subscriber is still owed are kept whatever their age. */
	cutoff = now - (int64_t)e->cfg->journal_retention_days * 86400000;
	if (e->cfg->journal_retention_days > 0 &&
	    (outbox_min_seq(e->st, &owed) != 0 || journal_prune(e->st, cutoff,
	    cutoff < now - JOURNAL_INGEST_KEEP_MS ? cutoff :
	    now - JOURNAL_INGEST_KEEP_MS, owed, EDGE_PRUNE_MAX) < 0))
		log_warn("could not prune the journal");
	/* Background writes hold no answer back: flush them on this beat.
	 * With nothing of ours unflushed, what the journal holds was synced
	 * by whoever wrote it (another fzrelay process, say). */
	if (state_dirty(e->st))
		edge_flush_start(e);
	else if (!flusher_busy(e->flusher) &&
	    journal_last_seq(e->st, &owed) == 0 && owed > e->durable_seq) {
		e->durable_seq = owed;
		if (e->synced_cb != NULL)
			e->synced_cb(e->synced_arg, owed);
	}
}

struct edge *
edge_new(struct event_base *base, const struct cfg *cfg, struct state *st,
    struct store *store, const unsigned char *secret,
    const struct route *routes, size_t nroutes)
{
	struct http_limits lim;
	struct timeval tv = { EDGE_FLUSH_MS / 1000, 0 };
	struct edge *e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->base = base;
	e->cfg = cfg;
	e->st = st;
	e->store = store;
	e->pending_tail = &e->pending;
	e->jobs_tail = &e->jobs;
	if (secret_derive(secret, "journal-cursor", e->cursor_key) != 0) {
		free(e);
		return NULL;
	}
	edge_limits(cfg, &lim);
	if ((e->router = route_router_new(routes, nroutes)) == NULL ||
	    (e->auth = auth_new(st, cfg)) == NULL ||
	    (e->http = http_server_new(base, &lim, edge_request_cb, e)) ==
	    NULL ||
	    (e->idem_busy = hmap_new(1)) == NULL ||
	    (e->sync_ev = event_new(base, -1, 0, edge_sync_cb, e)) == NULL ||
	    (e->flusher = flusher_new(base, st, edge_flushed, e)) == NULL ||
	    (e->batch_ev = event_new(base, -1, 0, edge_batch_cb, e)) == NULL ||
	    (e->flush_timer = event_new(base, -1, EV_PERSIST, edge_flush_cb,
	    e)) == NULL) {
		edge_free(e);
		return NULL;
	}
	/* What an earlier process left is made durable, then may go out. */
	if (state_sync(st) != 0 || journal_last_seq(st, &e->durable_seq) != 0)
		log_warn("could not flush the state at start");
	event_add(e->flush_timer, &tv);
	http_server_on_refuse(e->http, edge_refuse_cb, NULL);
	return e;
}

int
edge_listen(struct edge *e, uint16_t *port)
{
	char host[256];
	uint16_t want;

	if (cfg_listen_split(e->cfg->listen, host, sizeof(host), &want) != 0)
		return FZ_EINVAL;
	return http_server_listen(e->http, host, want, port);
}

void
edge_reconfigure(struct edge *e, const struct cfg *cfg)
{
	struct http_limits lim;

	e->cfg = cfg;
	edge_limits(cfg, &lim);
	http_server_set_limits(e->http, &lim);
	auth_reconfigure(e->auth, cfg);
}

void
edge_drain(struct edge *e, void (*cb)(void *), void *arg)
{
	http_server_drain(e->http, cb, arg);
}

void
edge_flush(struct edge *e)
{
	auth_flush(e->auth);
}

void
edge_free(struct edge *e)
{
	if (e == NULL)
		return;
	if (e->jobs != NULL)
		edge_batch_cb(-1, 0, e);
	flusher_free(e->flusher);
	if (e->pending != NULL)
		edge_release(edge_covered(e, UINT64_MAX), state_sync(e->st));
	if (e->sync_ev != NULL)
		event_free(e->sync_ev);
	if (e->batch_ev != NULL)
		event_free(e->batch_ev);
	if (e->flush_timer != NULL)
		event_free(e->flush_timer);
	http_server_free(e->http);
	hmap_free(e->idem_busy);
	auth_free(e->auth);
	router_free(e->router);
	OPENSSL_cleanse(e->cursor_key, sizeof(e->cursor_key));
	free(e);
}

const struct cfg *
edge_cfg(const struct edge *e)
{
	return e->cfg;
}

struct state *
edge_state(const struct edge *e)
{
	return e->st;
}

struct store *
edge_store(const struct edge *e)
{
	return e->store;
}

size_t
edge_connections(const struct edge *e)
{
	return http_server_conns(e->http);
}

const unsigned char *
edge_cursor_key(const struct edge *e)
{
	return e->cursor_key;
}
