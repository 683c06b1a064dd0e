#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>
#include <openssl/rand.h>

#include "common/cfg.h"
#include "common/clock.h"
#include "common/fz.h"
#include "common/hmap.h"
#include "common/log.h"
#include "common/sign.h"
#include "relay/fetch.h"
#include "relay/metrics.h"
#include "relay/target.h"
#include "state/hooks.h"
#include "state/journal.h"
#include "state/outbox.h"
#include "triggers/deliver.h"

#define DELIVER_SCAN_MS		250
#define DELIVER_GLOBAL_CAP	256
#define DELIVER_HOOK_CAP	8
#define DELIVER_BODY_KEEP	512
#define DELIVER_RETRY_AFTER_MAX	(3600 * 1000LL)
#define DELIVER_DISABLE_MS	(5 * 86400 * 1000LL)

struct endpoint {
	unsigned	inflight;
	unsigned	cap;		/* shrinks on throttling answers */
};

struct deliver {
	struct event_base	*base;
	struct state		*st;
	struct fetch		*fetch;
	const struct cfg	*cfg;
	struct event		*scan;
	struct event		*kick;
	struct event		*settle_ev;	/* records outcomes, once a pass */
	struct attempt		*done;		/* ended, not yet recorded */
	struct attempt		**done_tail;
	unsigned		 ndone;
	struct hmap		*busy;		/* "hook seq" in flight */
	struct hmap		*endpoints;	/* hook id -> struct endpoint */
	struct hmap		*failing;	/* hook ids last seen failing */
	unsigned		 inflight;
	int			 stopped;
};

/* One attempt on the wire, then waiting for its outcome's record. */
struct attempt {
	struct deliver		*d;
	struct attempt		*next;		/* on d->done */
	struct outbox_attempt	 oa;
	char			 why[CURL_ERROR_SIZE + 64];	/* oa.error */
	int			 ok;
	int64_t			 next_due_ms;
	int			 failing;	/* the hook had failingSince */
	struct outbox_item	 it;
	char			 kind[16];
	struct curl_slist	*hdrs;
	char			*body;
	char			 resp[DELIVER_BODY_KEEP];
	size_t			 resp_len;
	int64_t			 retry_after_ms;
	int64_t			 start_us;
	char			 error[CURL_ERROR_SIZE];	/* curl's */
	int			 refused;	/* the guard stopped it */
	int			 trusted;	/* the operator's report_url */
};

static void
deliver_busy_name(const char *hook, uint64_t seq, char *buf, size_t size)
{
	snprintf(buf, size, "%.*s %llu", FZ_ID_SIZE - 1, hook,
	    (unsigned long long)seq);
}

static int
deliver_is_busy(const char *hook, uint64_t seq, void *arg)
{
	struct deliver *d = arg;
	char name[FZ_ID_SIZE + 32];
	struct endpoint *ep;

	deliver_busy_name(hook, seq, name, sizeof(name));
	if (hmap_get(d->busy, name) != NULL)
		return 1;
	ep = hmap_get(d->endpoints, hook);
	return ep != NULL && ep->inflight >= ep->cap;
}

static curl_socket_t
deliver_open_cb(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct attempt *at = arg;

	(void)purpose;
	/* The connect-time half of the SSRF guard, on the address curl
	 * resolved. The report target is the operator's own edge, not a
	 * user's. */
	if (!at->d->cfg->allow_private_targets && !at->trusted &&
	    !target_addr_public(&addr->addr)) {
		at->refused = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

/* Runs before every request, on new and reused connections alike: a
 * connection kept from before allow_private_targets was turned off, or
 * opened for another name of the same address, is checked too. */
static int
deliver_prereq_cb(void *arg, char *primary_ip, char *local_ip,
    int primary_port, int local_port)
{
	struct attempt *at = arg;
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	if (at->d->cfg->allow_private_targets || at->trusted)
		return CURL_PREREQFUNC_OK;
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, primary_ip, &sin->sin_addr) == 1)
		ss.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, primary_ip, &sin6->sin6_addr) == 1)
		ss.ss_family = AF_INET6;
	if (ss.ss_family != AF_UNSPEC &&
	    target_addr_public((struct sockaddr *)&ss))
		return CURL_PREREQFUNC_OK;
	at->refused = 1;
	return CURL_PREREQFUNC_ABORT;
}

static size_t
deliver_write_cb(char *p, size_t sz, size_t n, void *arg)
{
	struct attempt *at = arg;
	size_t len = sz * n, room = sizeof(at->resp) - 1 - at->resp_len;

	/* Only the start of the answer is kept, for the error record. */
	if (room > 0) {
		if (len < room)
			room = len;
		memcpy(at->resp + at->resp_len, p, room);
		at->resp_len += room;
		at->resp[at->resp_len] = '\0';
	}
	return len;
}

static size_t
deliver_header_cb(char *p, size_t sz, size_t n, void *arg)
{
	struct attempt *at = arg;
	size_t len = sz * n;
	char *end;
	long v;

	if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		v = strtol(p + 12, &end, 10);
		if (end != p + 12 && v >= 0)
			at->retry_after_ms = v > DELIVER_RETRY_AFTER_MAX / 1000 ?
			    DELIVER_RETRY_AFTER_MAX : v * 1000LL;
	}
	return len;
}

/* Appends the JSON encoding of v (a string) to buf at *o; returns -1 if
 * v is missing or buf is full. */
static int
deliver_put_json(char *buf, size_t size, size_t *o, const json_t *v)
{
	size_t n;

	if (!json_is_string(v) || *o >= size || (n = json_dumpb(v, buf + *o,
	    size - *o, JSON_ENCODE_ANY)) == 0 || n > size - *o)
		return -1;
	*o += n;
	return 0;
}

/*
 * Builds what a subscriber of kind receives: a Zapier hook the flat
 * trigger object, a CRM webhook {"id", "type", "timestamp", "data"}, a
 * report hook what POST /internal/events of an edge takes. ev is event
 * (the stored text, len bytes) parsed: the stored text goes in as data
 * unchanged, so nothing is serialised again.
 */
static char *
deliver_payload(const char *kind, const json_t *ev, const char *event,
    size_t len)
{
	int report = strcmp(kind, HOOKS_KIND_REPORT) == 0;
	char head[512], *s;
	size_t o = 0;

	if (strcmp(kind, HOOKS_KIND_ZAPIER) == 0)
		return strndup(event, len);
	memcpy(head, "{\"id\":", 6);
	o = 6;
	/* Each value ends 64 bytes short of the end: room for the next key. */
	if (deliver_put_json(head, sizeof(head) - 64, &o, json_object_get(ev,
	    "id")) != 0)
		return NULL;
	memcpy(head + o, ",\"type\":", 8);
	o += 8;
	if (deliver_put_json(head, sizeof(head) - 64, &o, json_object_get(ev,
	    "type")) != 0)
		return NULL;
	o += (size_t)snprintf(head + o, sizeof(head) - o, ",\"%s\":",
	    report ? "workspace_id" : "timestamp");
	if (deliver_put_json(head, sizeof(head) - 64, &o, json_object_get(ev,
	    report ? "workspace_id" : "occurred_at")) != 0)
		return NULL;
	memcpy(head + o, ",\"data\":", 8);
	o += 8;
	if ((s = malloc(o + len + 2)) == NULL)
		return NULL;
	memcpy(s, head, o);
	memcpy(s + o, event, len);
	s[o + len] = '}';
	s[o + len + 1] = '\0';
	return s;
}

static void
attempt_free(struct attempt *at)
{
	if (at == NULL)
		return;
	curl_slist_free_all(at->hdrs);
	free(at->body);
	free(at);
}

/* Delay before the next attempt after n attempts, or -1: none left. */
static int64_t
deliver_delay(const struct deliver *d, unsigned n, int64_t retry_after)
{
	uint32_t r;
	int64_t base, jitter;

	if (n >= d->cfg->retry_count)
		return -1;
	base = (int64_t)d->cfg->retry_schedule_ms[n];
	if (base > 0 && RAND_bytes((unsigned char *)&r, sizeof(r)) == 1) {
		jitter = base / 10;
		base += (int64_t)(r % (uint64_t)(2 * jitter + 1)) - jitter;
	}
	if (retry_after > 0) {
		if (retry_after > DELIVER_RETRY_AFTER_MAX)
			retry_after = DELIVER_RETRY_AFTER_MAX;
		if (retry_after > base)
			base = retry_after;
	}
	return base;
}

struct deliver_health {
	int	ok;
	int64_t	now_ms;
};

/* Tracks how long a subscription has failed; disables it at 5 days. */
static int
deliver_health_fn(json_t *hook, void *arg)
{
	struct deliver_health *h = arg;
	const char *since = json_string_value(json_object_get(hook,
	    "failingSince"));
	char at[CLOCK_RFC3339_SIZE], limit[CLOCK_RFC3339_SIZE];

	if (h->ok) {
		if (since == NULL)
			return FZ_EEXIST;	/* nothing to change */
		json_object_set_new(hook, "failingSince", json_null());
		return 0;
	}
	if (since == NULL) {
		json_object_set_new(hook, "failingSince", json_string(
		    clock_rfc3339(h->now_ms, at)));
		return 0;
	}
	clock_rfc3339(h->now_ms - DELIVER_DISABLE_MS, limit);
	if (strcmp(since, limit) > 0 ||
	    !json_is_true(json_object_get(hook, "enabled")))
		return FZ_EEXIST;
	json_object_set_new(hook, "enabled", json_false());
	log_warn("webhook %s failing since %s: disabled",
	    json_string_value(json_object_get(hook, "id")), since);
	return 0;
}

static void
deliver_health_done_cb(struct state_result *res, void *arg)
{
	(void)arg;
	/* FZ_EEXIST: the health was already what the attempt said. */
	if (res->err != 0 && res->err != FZ_ENOTFOUND &&
	    res->err != FZ_EEXIST)
		log_warn("could not record a webhook's health: %s",
		    fz_strerror(res->err));
}

/* Lets the scan take (hook, seq) again, once its outcome is recorded. */
static void
deliver_release(struct deliver *d, const struct attempt *at)
{
	char name[FZ_ID_SIZE + 32];

	deliver_busy_name(at->it.hook_id, at->it.seq, name, sizeof(name));
	hmap_del(d->busy, name);
}

/* The outcomes of one loop pass's attempts, being recorded. */
struct settle {
	struct deliver		*d;
	struct attempt		*done;
	struct outbox_result	*r;
	unsigned		 n;
};

/* Once the outcomes are on disk: the health of the hooks they concern,
 * and their deliveries may be taken again. */
static void
deliver_settled_cb(struct state_result *res, void *arg)
{
	struct settle *s = arg;
	struct deliver *d = s->d;
	struct deliver_health health;
	struct attempt *at, *next;
	int created;

	if (res->err != 0)
		log_warn("could not record %u delivery outcomes: they will be "
		    "sent again", s->n);
	/* In the order the attempts ended: the last outcome decides. */
	for (at = s->done; at != NULL; at = next) {
		next = at->next;
		/* A healthy hook that answered well has nothing to change. */
		if (!at->ok || at->failing ||
		    hmap_get(d->failing, at->it.hook_id) != NULL) {
			health.ok = at->ok;
			health.now_ms = at->oa.at_ms;
			hooks_update(d->st, NULL, NULL, at->it.hook_id,
			    deliver_health_fn, &health, sizeof(health),
			    deliver_health_done_cb, NULL);
			if (at->ok)
				hmap_del(d->failing, at->it.hook_id);
			else
				(void)hmap_put(d->failing, at->it.hook_id,
				    &created);
		}
		deliver_release(d, at);
		attempt_free(at);
	}
	free(s->r);
	free(s);
	if (!d->stopped)
		deliver_kick(d);
}

/* Without memory to record them, the outcomes are dropped and their
 * deliveries let go: still queued, they are sent again. */
static void
deliver_unsettled(struct deliver *d)
{
	struct attempt *at, *next;

	log_warn("could not record %u delivery outcomes: they will be sent "
	    "again", d->ndone);
	for (at = d->done; at != NULL; at = next) {
		next = at->next;
		deliver_release(d, at);
		attempt_free(at);
	}
	d->done = NULL;
	d->done_tail = &d->done;
	d->ndone = 0;
}

/*
 * Records the outcomes of the attempts that ended in this loop pass, in
 * one write. Until it is durable their deliveries stay busy, so no scan
 * sends one again.
 */
static void
deliver_settle(struct deliver *d)
{
	struct settle *s;
	struct attempt *at;
	size_t n = 0;

	if (d->done == NULL)
		return;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->r = calloc(d->ndone, sizeof(*s->r))) == NULL) {
		free(s);
		deliver_unsettled(d);
		return;
	}
	s->d = d;
	s->done = d->done;
	s->n = d->ndone;
	for (at = d->done; at != NULL; at = at->next, n++) {
		s->r[n].it = &at->it;
		s->r[n].a = at->oa;
		s->r[n].ok = at->ok;
		s->r[n].next_due_ms = at->next_due_ms;
	}
	d->done = NULL;
	d->done_tail = &d->done;
	d->ndone = 0;
	outbox_record_batch(d->st, s->r, n, deliver_settled_cb, s);
}

static void
deliver_settle_cb(evutil_socket_t fd, short what, void *arg)
{
	struct deliver *d = arg;

	(void)fd;
	(void)what;
	deliver_settle(d);
}

/* An attempt's outcome joins this pass's, recorded together. */
static void
deliver_queue_outcome(struct deliver *d, struct attempt *at)
{
	at->next = NULL;
	*d->done_tail = at;
	d->done_tail = &at->next;
	d->ndone++;
	event_active(d->settle_ev, EV_TIMEOUT, 0);
}

static void
deliver_gone_cb(struct state_result *res, void *arg)
{
	struct attempt *at = arg;
	struct deliver *d = at->d;

	if (res->err == 0 || res->err == FZ_ENOTFOUND) {
		deliver_release(d, at);
		attempt_free(at);
		return;
	}
	/* A 410 that could not unsubscribe is retried like a failure,
	 * rather than sent again at once. */
	log_warn("zapier hook %s could not be unsubscribed: %s",
	    at->it.hook_id, fz_strerror(res->err));
	deliver_queue_outcome(d, at);
}

static void
deliver_done_cb(CURL *easy, CURLcode rc, void *arg)
{
	struct attempt *at = arg;
	struct deliver *d = at->d;
	struct endpoint *ep;
	long code = 0;
	int64_t now = clock_now_ms(), delay, us;
	int ok, gone, throttled, denied, settle = 0;

	if (rc == CURLE_OK)
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(easy);
	ok = rc == CURLE_OK && code >= 200 && code < 300;
	/* Stopped by the guard, or a name that did not resolve while the
	 * guard is on: one outcome for both, so no record tells what an
	 * internal name resolves to; neither is retried. */
	denied = rc != CURLE_OK && (at->refused ||
	    (rc == CURLE_COULDNT_RESOLVE_HOST &&
	    !d->cfg->allow_private_targets && !at->trusted));
	gone = rc == CURLE_OK && code == 410 &&
	    strcmp(at->kind, HOOKS_KIND_ZAPIER) == 0;
	throttled = code == 429 || code == 502 || code == 503 || code == 504;

	at->oa.at_ms = now;
	at->oa.status = (int)code;
	us = clock_mono_us() - at->start_us;
	at->oa.latency_ms = denied ? 0 : us / 1000;
	if (denied) {
		snprintf(at->why, sizeof(at->why), "%s", TARGET_NOT_ALLOWED);
		at->oa.error = at->why;
	} else if (rc != CURLE_OK) {
		snprintf(at->why, sizeof(at->why), "%s", at->error[0] ?
		    at->error : curl_easy_strerror(rc));
		at->oa.error = at->why;
	} else if (!ok) {
		snprintf(at->why, sizeof(at->why), "HTTP %ld", code);
		at->oa.error = at->why;
	}
	/* Shutting down (CURLE_ABORTED_BY_CALLBACK, not from the guard's
	 * check of a reused connection): it stays queued. */
	if (denied || rc != CURLE_ABORTED_BY_CALLBACK) {
		metrics_delivery(gone ? "gone" : ok ? "delivered" : denied ||
		    deliver_delay(d, at->it.attempts + 1, 0) < 0 ? "failed" :
		    "retry", us);
		delay = ok || denied ? 0 : deliver_delay(d, at->it.attempts + 1,
		    throttled ? at->retry_after_ms : 0);
		at->ok = ok;
		at->next_due_ms = ok || denied || delay < 0 ? 0 : now + delay;
		settle = !gone;
	}
	if ((ep = hmap_get(d->endpoints, at->it.hook_id)) != NULL) {
		ep->inflight--;
		if (throttled && ep->cap > 1)
			ep->cap /= 2;
		else if (ok && ep->cap < DELIVER_HOOK_CAP)
			ep->cap++;
		if (ep->inflight == 0 && ep->cap == DELIVER_HOOK_CAP)
			hmap_del(d->endpoints, at->it.hook_id);
	}
	d->inflight--;
	if (settle) {
		deliver_queue_outcome(d, at);
		return;
	}
	if (gone && rc != CURLE_ABORTED_BY_CALLBACK) {
		/* Busy until the hook is gone, or no scan may send again. */
		log_info("zapier hook %s answered 410: unsubscribing",
		    at->it.hook_id);
		hooks_delete(d->st, NULL, NULL, at->it.hook_id, deliver_gone_cb,
		    at);
		return;
	}
	deliver_release(d, at);
	attempt_free(at);
	if (!d->stopped)
		deliver_kick(d);
}

/* The subscription a scan last loaded and how it stands: a scan's
 * deliveries mostly share one, and nothing can change it while the scan
 * runs. */
struct hook_memo {
	char		 id[FZ_ID_SIZE];
	json_t		*hook;
	const char	*standing;	/* hooks_standing's status */
	int		 held;		/* its reconcile is asked for */
};

/* Loads id and judges it against its workspace's plan and the key that
 * made it: two reads, once per hook a scan meets. */
static json_t *
deliver_hook(struct deliver *d, struct hook_memo *memo, const char *id)
{
	if (memo->hook != NULL && strcmp(memo->id, id) == 0)
		return memo->hook;
	json_decref(memo->hook);
	memo->hook = NULL;
	memo->held = 0;
	if (hooks_get(d->st, NULL, NULL, id, &memo->hook) != 0)
		return NULL;
	if (hooks_standing(d->st, memo->hook, &memo->standing, NULL) != 0) {
		json_decref(memo->hook);
		memo->hook = NULL;
		return NULL;
	}
	snprintf(memo->id, sizeof(memo->id), "%.*s", FZ_ID_SIZE - 1, id);
	return memo->hook;
}

static void
deliver_reconciled_cb(struct state_result *res, void *arg)
{
	const char *id, *why;

	(void)arg;
	if (res->err != 0 && res->err != FZ_ENOTFOUND) {
		log_warn("could not record a hook's standing: %s",
		    fz_strerror(res->err));
		return;
	}
	if (res->err != 0 || res->n == 0 ||
	    (id = json_string_value(json_object_get(res->data, "id"))) == NULL)
		return;
	why = json_string_value(json_object_get(res->data, "statusReason"));
	log_info("hook %s is %s%s%s", id, hooks_status(res->data),
	    why != NULL ? ": " : "", why != NULL ? why : "");
}

/*
 * Holds back a delivery whose hook may not be delivered to now (its key
 * revoked or gone, or its workspace's plan lacking it), or whose record
 * says so. Revocation and plan changes record this as they happen; this
 * catches any other way there. One write per hook and scan judges it
 * again, records its status and fails its queued deliveries; should it
 * stand after all, the next scan sends them.
 */
static void
deliver_hold(struct deliver *d, struct hook_memo *memo)
{
	if (memo->held)
		return;
	memo->held = 1;
	hooks_reconcile(d->st, memo->id, clock_now_ms(), deliver_reconciled_cb,
	    NULL);
}

/* Starts one attempt. Returns 0; 1 when its hook may not be delivered
 * to (deliver_hold); or -1 when it could not start (the delivery is then
 * recorded as failed and retried). */
static int
deliver_start(struct deliver *d, const struct outbox_item *it,
    struct hook_memo *memo)
{
	struct attempt *at = NULL;
	const json_t *hook;
	char *event = NULL, hdr[256], sig[SIGN_SIZE], sig2[SIGN_SIZE];
	char name[FZ_ID_SIZE + 32], evid[FZ_ID_SIZE];
	const char *url, *kind, *secret, *old, *until;
	char nowtxt[CLOCK_RFC3339_SIZE];
	struct endpoint *ep;
	json_t *ev = NULL;
	size_t len;
	int64_t ts;
	CURL *easy = NULL;
	int created;

	if ((hook = deliver_hook(d, memo, it->hook_id)) == NULL)
		goto fail;
	if (strcmp(memo->standing, HOOKS_ACTIVE) != 0 ||
	    strcmp(hooks_status(hook), HOOKS_ACTIVE) != 0) {
		deliver_hold(d, memo);
		return 1;
	}
	if (journal_get(d->st, it->seq, &event, &len) != 0)
		goto fail;
	url = json_string_value(json_object_get(hook, "url"));
	kind = json_string_value(json_object_get(hook, "kind"));
	secret = json_string_value(json_object_get(hook, "secret"));
	if (url == NULL || kind == NULL || secret == NULL ||
	    (ev = json_loadb(event, len, 0, NULL)) == NULL ||
	    json_string_value(json_object_get(ev, "id")) == NULL)
		goto fail;
	snprintf(evid, sizeof(evid), "%s", json_string_value(
	    json_object_get(ev, "id")));
	if ((at = calloc(1, sizeof(*at))) == NULL ||
	    (at->body = deliver_payload(kind, ev, event, len)) == NULL ||
	    (easy = curl_easy_init()) == NULL)
		goto fail;
	at->d = d;
	at->it = *it;
	at->failing = json_is_string(json_object_get(hook, "failingSince"));
	snprintf(at->kind, sizeof(at->kind), "%s", kind);
	at->trusted = strcmp(kind, HOOKS_KIND_REPORT) == 0;
	ts = clock_now_ms() / 1000;
	if (sign_webhook(secret, evid, ts, at->body, strlen(at->body), sig) !=
	    0)
		goto fail;
	/* During a rotation the previous secret signs too. */
	old = json_string_value(json_object_get(hook, "previousSecret"));
	until = json_string_value(json_object_get(hook, "previousSecretUntil"));
	clock_rfc3339(clock_now_ms(), nowtxt);
	if (old != NULL && until != NULL && strcmp(until, nowtxt) > 0 &&
	    sign_webhook(old, evid, ts, at->body, strlen(at->body), sig2) == 0)
		snprintf(hdr, sizeof(hdr), "webhook-signature: %s %s", sig,
		    sig2);
	else
		snprintf(hdr, sizeof(hdr), "webhook-signature: %s", sig);
	at->hdrs = curl_slist_append(at->hdrs, hdr);
	snprintf(hdr, sizeof(hdr), "webhook-id: %s", evid);
	at->hdrs = curl_slist_append(at->hdrs, hdr);
	snprintf(hdr, sizeof(hdr), "webhook-timestamp: %lld", (long long)ts);
	at->hdrs = curl_slist_append(at->hdrs, hdr);
	at->hdrs = curl_slist_append(at->hdrs, "Content-Type: "
	    "application/json");
	at->hdrs = curl_slist_append(at->hdrs, "Expect:");
	at->hdrs = curl_slist_append(at->hdrs, "User-Agent: fzrelay/"
	    PACKAGE_VERSION);
	if (at->hdrs == NULL)
		goto fail;
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, at->hdrs);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, at->body);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)strlen(at->body));
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
	    (long)d->cfg->delivery_timeout_ms);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, deliver_write_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, at);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, deliver_header_cb);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, at);
	curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, deliver_open_cb);
	curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, at);
	curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, deliver_prereq_cb);
	curl_easy_setopt(easy, CURLOPT_PREREQDATA, at);
	/* A proxy from the environment would be checked instead of the
	 * target. */
	curl_easy_setopt(easy, CURLOPT_PROXY, "");
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, at->error);
	/* Accounted before the start, so a failed insert starts nothing. */
	deliver_busy_name(it->hook_id, it->seq, name, sizeof(name));
	if (hmap_put(d->busy, name, &created) == NULL ||
	    (ep = hmap_put(d->endpoints, it->hook_id, &created)) == NULL) {
		hmap_del(d->busy, name);
		goto fail;
	}
	if (created)
		ep->cap = DELIVER_HOOK_CAP;
	at->start_us = clock_mono_us();
	if (fetch_start(d->fetch, easy, deliver_done_cb, at) != 0) {
		hmap_del(d->busy, name);
		if (ep->inflight == 0)
			hmap_del(d->endpoints, it->hook_id);
		goto fail;
	}
	ep->inflight++;
	d->inflight++;
	json_decref(ev);
	free(event);
	return 0;
fail:
	if (easy != NULL)
		curl_easy_cleanup(easy);
	attempt_free(at);
	json_decref(ev);
	free(event);
	return -1;
}

static void
deliver_scan(struct deliver *d)
{
	struct outbox_item items[32];
	struct outbox_attempt oa;
	struct hook_memo memo;
	size_t n, i, want;
	int64_t delay;

	if (d->stopped)
		return;
	memset(&memo, 0, sizeof(memo));
	want = DELIVER_GLOBAL_CAP - d->inflight;
	if (want > FZ_NELEM(items))
		want = FZ_NELEM(items);
	if (want == 0 || outbox_due(d->st, clock_now_ms(),
	    items, want, deliver_is_busy, d, &n) != 0)
		return;
	for (i = 0; i < n; i++) {
		/* An endpoint may fill up within this batch. */
		if (deliver_is_busy(items[i].hook_id, items[i].seq, d))
			continue;
		if (deliver_start(d, &items[i], &memo) >= 0)
			continue;
		memset(&oa, 0, sizeof(oa));
		oa.at_ms = clock_now_ms();
		oa.error = "could not prepare the request";
		delay = deliver_delay(d, items[i].attempts + 1, 0);
		outbox_record(d->st, &items[i], &oa, 0, delay < 0 ? 0 :
		    oa.at_ms + delay);
	}
	json_decref(memo.hook);
}

static void
deliver_scan_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	deliver_scan(arg);
}

struct deliver *
deliver_new(struct event_base *base, struct state *st, struct fetch *fetch,
    const struct cfg *cfg)
{
	struct timeval tv = { 0, DELIVER_SCAN_MS * 1000 };
	struct deliver *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->base = base;
	d->st = st;
	d->fetch = fetch;
	d->cfg = cfg;
	d->done_tail = &d->done;
	if ((d->busy = hmap_new(1)) == NULL ||
	    (d->failing = hmap_new(1)) == NULL ||
	    (d->endpoints = hmap_new(sizeof(struct endpoint))) == NULL ||
	    (d->scan = event_new(base, -1, EV_PERSIST, deliver_scan_cb, d)) ==
	    NULL ||
	    (d->kick = event_new(base, -1, 0, deliver_scan_cb, d)) == NULL ||
	    (d->settle_ev = event_new(base, -1, 0, deliver_settle_cb, d)) ==
	    NULL) {
		deliver_free(d);
		return NULL;
	}
	event_add(d->scan, &tv);
	return d;
}

void
deliver_kick(struct deliver *d)
{
	if (!d->stopped)
		event_active(d->kick, EV_TIMEOUT, 0);
}


void
deliver_reconfigure(struct deliver *d, const struct cfg *cfg)
{
	d->cfg = cfg;
}

void
deliver_stop(struct deliver *d)
{
	d->stopped = 1;
	event_del(d->scan);
	event_del(d->kick);
}

unsigned
deliver_inflight(const struct deliver *d)
{
	return d->inflight + d->ndone;
}

void
deliver_free(struct deliver *d)
{
	if (d == NULL)
		return;
	deliver_settle(d);
	if (d->settle_ev != NULL)
		event_free(d->settle_ev);
	if (d->scan != NULL)
		event_free(d->scan);
	if (d->kick != NULL)
		event_free(d->kick);
	hmap_free(d->busy);
	hmap_free(d->failing);
	hmap_free(d->endpoints);
	free(d);
}
