/*
 * e2e_hooks.c: who a hook belongs to, over real sockets. A Zapier hook
 * stops when the key that subscribed it is revoked, and every hook when
 * its workspace's plan loses it (its pending deliveries fail, nothing
 * reaches the receiver, its record says why); a lost plan's hooks come
 * back with the plan. Each family's :id routes answer 404 for the
 * other's ids. The receiver is a small HTTP listener on 127.0.0.1 that
 * this file runs; it is the only delivery target.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

#include "common/secure.h"
#include "state/env.h"
#include "state/hooks.h"
#include "state/outbox.h"
#include "tests/e2e/harness.h"

/* A retry comes RETRY_S seconds after a first failed attempt: time for
 * the admin command to stop it before it is due. */
#define RETRY_S		3
#define RETRIES		"0,3s,3s"

/* ---------------------------------------------------------- the receiver */

#define SINK_CONNS	16
#define SINK_REQS	256

struct sink_conn {
	int	 fd;
	char	 buf[16384];
	size_t	 len;
};

struct sink {
	int			 fd;
	int			 port;
	pthread_t		 th;
	int			 running;
	pthread_mutex_t		 mu;
	int			 stop;			/* under mu */
	char			 failing[64];		/* under mu: 500 */
	char			 paths[SINK_REQS][64];	/* under mu */
	size_t			 n;			/* under mu */
	struct sink_conn	 c[SINK_CONNS];		/* the thread's */
};

/* Answers every complete request in c's buffer. Returns -1 to close. */
static int
sink_serve(struct sink *s, struct sink_conn *c)
{
	char *end, *cl, path[64], line[128];
	size_t head, body, n;
	int status, w;

	while ((end = memmem(c->buf, c->len, "\r\n\r\n", 4)) != NULL) {
		head = (size_t)(end - c->buf) + 4;
		body = 0;
		*end = '\0';
		if ((cl = strcasestr(c->buf, "\r\nContent-Length:")) != NULL)
			body = strtoul(cl + 17, NULL, 10);
		if (body > sizeof(c->buf) - head)
			return -1;
		if (c->len < head + body) {
			*end = '\r';
			return 0;
		}
		if (sscanf(c->buf, "%*s %63s", path) != 1)
			return -1;
		pthread_mutex_lock(&s->mu);
		if (s->n < SINK_REQS)
			snprintf(s->paths[s->n++], sizeof(s->paths[0]), "%s",
			    path);
		status = s->failing[0] != '\0' &&
		    strcmp(path, s->failing) == 0 ? 500 : 200;
		pthread_mutex_unlock(&s->mu);
		w = snprintf(line, sizeof(line), "HTTP/1.1 %d X\r\n"
		    "Content-Length: 0\r\n\r\n", status);
		if (write(c->fd, line, (size_t)w) != w)
			return -1;
		n = head + body;
		memmove(c->buf, c->buf + n, c->len - n);
		c->len -= n;
	}
	return c->len == sizeof(c->buf) ? -1 : 0;
}

static void *
sink_main(void *arg)
{
	struct sink *s = arg;
	struct pollfd pf[SINK_CONNS + 1];
	ssize_t r;
	int i, fd, stop;

	for (;;) {
		pthread_mutex_lock(&s->mu);
		stop = s->stop;
		pthread_mutex_unlock(&s->mu);
		if (stop)
			break;
		pf[0].fd = s->fd;
		pf[0].events = POLLIN;
		for (i = 0; i < SINK_CONNS; i++) {
			pf[i + 1].fd = s->c[i].fd;
			pf[i + 1].events = POLLIN;
		}
		if (poll(pf, SINK_CONNS + 1, 50) <= 0)
			continue;
		if ((pf[0].revents & POLLIN) &&
		    (fd = accept(s->fd, NULL, NULL)) >= 0) {
			for (i = 0; i < SINK_CONNS && s->c[i].fd >= 0; i++)
				;
			if (i == SINK_CONNS)
				close(fd);
			else {
				s->c[i].fd = fd;
				s->c[i].len = 0;
			}
		}
		for (i = 0; i < SINK_CONNS; i++) {
			struct sink_conn *c = &s->c[i];

			if (c->fd < 0 || pf[i + 1].fd != c->fd ||
			    !(pf[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(c->fd, c->buf + c->len, sizeof(c->buf) -
			    c->len);
			if (r > 0)
				c->len += (size_t)r;
			if (r <= 0 || sink_serve(s, c) != 0) {
				close(c->fd);
				c->fd = -1;
			}
		}
	}
	for (i = 0; i < SINK_CONNS; i++)
		if (s->c[i].fd >= 0)
			close(s->c[i].fd);
	return NULL;
}

static void
sink_start(struct sink *s)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < SINK_CONNS; i++)
		s->c[i].fd = -1;
	pthread_mutex_init(&s->mu, NULL);
	assert_true((s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) >=
	    0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s->fd, 16), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&sa, &len), 0);
	s->port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&s->th, NULL, sink_main, s), 0);
	s->running = 1;
}

static void
sink_stop(struct sink *s)
{
	if (!s->running)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->th, NULL);
	close(s->fd);
	pthread_mutex_destroy(&s->mu);
	s->running = 0;
}

/* Requests to path so far. */
static int
sink_count(struct sink *s, const char *path)
{
	size_t i;
	int n = 0;

	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->n; i++)
		n += strcmp(s->paths[i], path) == 0;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* Answers 500 to path from now on ("": to none). */
static void
sink_fail(struct sink *s, const char *path)
{
	pthread_mutex_lock(&s->mu);
	snprintf(s->failing, sizeof(s->failing), "%s", path);
	pthread_mutex_unlock(&s->mu);
}

/* Waits until path has had n requests; fails the test after 10 s. */
static void
sink_wait(struct sink *s, const char *path, int n)
{
	long long until = fzh_now_ms() + FZH_WAIT_MS;
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	while (sink_count(s, path) < n) {
		if (fzh_now_ms() > until)
			fail_msg("%s: %d requests, want %d", path,
			    sink_count(s, path), n);
		nanosleep(&ts, NULL);
	}
}

static void
pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------- helpers */

struct fix {
	struct fzd	d;
	struct sink	s;
};

static int
fix_setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	fzh_init(&f->d);
	*state = f;
	return 0;
}

static int
fix_teardown(void **state)
{
	struct fix *f = *state;

	fzh_cleanup(&f->d);
	sink_stop(&f->s);
	free(f);
	return 0;
}

static void
fix_start(struct fix *f)
{
	static const char *const args[] = { "--allow-private-targets",
	    "--retry-schedule", RETRIES, NULL };

	sink_start(&f->s);
	fzh_start(&f->d, args, NULL);
}

/* method path with token and body (NULL: none); returns the status. */
static int
call(struct fix *f, const char *method, const char *path, const char *token,
    const char *body, struct fzh_res *res)
{
	char auth[128];
	const char *hdrs[3] = { auth, "Content-Type: application/json", NULL };

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	memset(res, 0, sizeof(*res));
	return fzh_http(&f->d, method, path, hdrs, body,
	    body != NULL ? strlen(body) : 0, res);
}

/* Asserts method path answers status; returns nothing kept. */
static void
expect(struct fix *f, const char *method, const char *path,
    const char *token, const char *body, int status)
{
	struct fzh_res res;

	if (call(f, method, path, token, body, &res) != status)
		fail_msg("%s %s: %d, want %d: %s", method, path, res.status,
		    status, res.body);
	fzh_res_free(&res);
}

/* The key id behind token. */
static void
key_id(struct fix *f, const char *token, char *out, size_t size)
{
	struct fzh_res res;

	assert_int_equal(call(f, "GET", "/api/v1/auth", token, NULL, &res),
	    200);
	snprintf(out, size, "%s", fzh_json_str(&res, "data.key.id"));
	fzh_res_free(&res);
}

/* Subscribes a Zapier hook of token to event at the receiver's path. */
static void
zap_subscribe(struct fix *f, const char *token, const char *event,
    const char *path, char *id, size_t size)
{
	char body[256];
	struct fzh_res res;

	snprintf(body, sizeof(body), "{\"hookUrl\":\"http://127.0.0.1:%d%s\","
	    "\"event\":\"%s\"}", f->s.port, path, event);
	assert_int_equal(call(f, "POST", "/api/v1/zapier/hooks", token, body,
	    &res), 201);
	snprintf(id, size, "%s", fzh_json_str(&res, "data.id"));
	fzh_res_free(&res);
}

/* Makes a CRM webhook for every event at the receiver's path. */
static void
crm_create(struct fix *f, const char *token, const char *path, char *id,
    size_t size)
{
	char body[256];
	struct fzh_res res;

	snprintf(body, sizeof(body), "{\"url\":\"http://127.0.0.1:%d%s\","
	    "\"events\":[\"pack.sent\",\"client.signed_off\"]}", f->s.port,
	    path);
	assert_int_equal(call(f, "POST", "/api/v1/webhooks", token, body,
	    &res), 201);
	snprintf(id, size, "%s", fzh_json_str(&res, "data.id"));
	fzh_res_free(&res);
}

/* Records a pack.sent through the Zapier actions (a pro key reaches
 * them); the share token goes in share (may be NULL). */
static void
zap_send(struct fix *f, const char *token, char *share, size_t size)
{
	static int n;
	char body[512], pid[64];
	const char *url;
	struct fzh_res res;

	snprintf(body, sizeof(body), "{\"project_name\":\"Hooked %d\","
	    "\"client_name\":\"Jane Roe\",\"client_email\":\"jane@example.com\","
	    "\"project_type\":\"SEO\",\"launch_date\":\"2026-06-01\"}", ++n);
	assert_int_equal(call(f, "POST", "/api/v1/zapier/actions/"
	    "create-project", token, body, &res), 201);
	snprintf(pid, sizeof(pid), "%s", fzh_json_str(&res, "data.id"));
	fzh_res_free(&res);
	snprintf(body, sizeof(body), "{\"project_id\":\"%s\"}", pid);
	assert_int_equal(call(f, "POST", "/api/v1/zapier/actions/send-pack",
	    token, body, &res), 200);
	if (share != NULL) {
		url = fzh_json_str(&res, "data.share_url");
		assert_non_null(url);
		assert_non_null(strstr(url, "/p/"));
		snprintf(share, size, "%s", strstr(url, "/p/") + 3);
	}
	fzh_res_free(&res);
}

/* The client signs off through the portal: no key, any plan. */
static void
portal_signoff(struct fix *f, const char *share)
{
	static const char body[] = "{\"name\":\"Jane Roe\","
	    "\"email\":\"jane@example.com\"}";
	const char *hdrs[] = { "Content-Type: application/json", NULL };
	char path[128];
	struct fzh_res res;

	snprintf(path, sizeof(path), "/p/%s/signoff", share);
	memset(&res, 0, sizeof(res));
	if (fzh_http(&f->d, "POST", path, hdrs, body, strlen(body), &res) !=
	    201)
		fail_msg("sign-off: %d %s", res.status, res.body);
	fzh_res_free(&res);
}

static void
cli_ok(struct fix *f, const char *a, const char *b, const char *c,
    const char *e, const char *g)
{
	const char *argv[] = { a, b, c, e, g, NULL };
	char out[256], err[512];

	if (fzh_run(argv, NULL, f->d.dir, out, sizeof(out), err,
	    sizeof(err)) != 0)
		fail_msg("fzrelay %s %s %s: %s", a, b, c, err);
}

/* The stored record of hook id, read as the admin commands read the
 * state (the API hides it while the plan lacks the routes). */
static json_t *
stored_hook(struct fix *f, const char *id)
{
	struct state *st;
	json_t *h = NULL;

	assert_int_equal(state_open(f->d.dir, &st), 0);
	assert_int_equal(hooks_get(st, NULL, NULL, id, &h), 0);
	state_close(st);
	return h;
}

static void
assert_stored_status(struct fix *f, const char *id, const char *status,
    const char *reason_part)
{
	json_t *h = stored_hook(f, id);
	const char *why = json_string_value(json_object_get(h,
	    "statusReason"));

	fzh_assert_str(json_string_value(json_object_get(h, "status")),
	    status);
	if (reason_part == NULL)
		assert_true(json_is_null(json_object_get(h, "statusReason")));
	else if (why == NULL || strstr(why, reason_part) == NULL)
		fail_msg("%s: statusReason \"%s\", want it to say \"%s\"", id,
		    why ? why : "(none)", reason_part);
	json_decref(h);
}

/* hook id's deliveries as stored, newest first. */
static json_t *
stored_deliveries(struct fix *f, const char *id)
{
	struct state *st;
	json_t *l = NULL;

	assert_int_equal(state_open(f->d.dir, &st), 0);
	assert_int_equal(outbox_deliveries(st, id, 100, &l), 0);
	state_close(st);
	return l;
}

/* Asserts the newest delivery of id failed for good, its last entry
 * saying reason_part. */
static void
assert_delivery_stopped(json_t *l, const char *reason_part)
{
	json_t *x = json_array_get(l, 0), *hist;
	const char *why;

	assert_non_null(x);
	fzh_assert_str(json_string_value(json_object_get(x, "status")),
	    "failed");
	assert_true(json_is_null(json_object_get(x, "nextAttemptAt")));
	hist = json_object_get(x, "history");
	why = json_string_value(json_object_get(json_array_get(hist,
	    json_array_size(hist) - 1), "error"));
	if (why == NULL || strstr(why, reason_part) == NULL)
		fail_msg("last attempt says \"%s\", want \"%s\"",
		    why ? why : "(none)", reason_part);
}

/* ---------------------------------------------------------------- tests */

/*
 * Revoking the key that subscribed a Zapier hook stops it: the retry it
 * had pending fails for good, later events reach only the hook of a key
 * still live, and the record (list and get) says revoked and why.
 */
static void
test_zapier_hook_stops_with_its_key(void **state)
{
	struct fix *f = *state;
	char ws[64], tok[64], live[64], kid[64], h1[64], h2[64], path[128];
	struct fzh_res res;
	json_t *l;

	fix_start(f);
	fzh_workspace(f->d.dir, "Zaps", "pro", ws, sizeof(ws));
	fzh_key(f->d.dir, ws, "read,write", "zapier", tok, sizeof(tok));
	fzh_key(f->d.dir, ws, "read,write", "other", live, sizeof(live));
	key_id(f, tok, kid, sizeof(kid));
	zap_subscribe(f, tok, "pack_sent", "/revoked", h1, sizeof(h1));
	zap_subscribe(f, live, "pack_sent", "/live", h2, sizeof(h2));

	zap_send(f, live, NULL, 0);
	sink_wait(&f->s, "/revoked", 1);
	sink_wait(&f->s, "/live", 1);

	/* The next event's delivery fails once and waits for its retry. */
	sink_fail(&f->s, "/revoked");
	zap_send(f, live, NULL, 0);
	sink_wait(&f->s, "/revoked", 2);
	sink_wait(&f->s, "/live", 2);

	cli_ok(f, "key", "revoke", kid, NULL, NULL);
	sink_fail(&f->s, "");
	zap_send(f, live, NULL, 0);
	sink_wait(&f->s, "/live", 3);
	pause_ms(RETRY_S * 1000 + 800);
	assert_int_equal(sink_count(&f->s, "/revoked"), 2);
	assert_int_equal(sink_count(&f->s, "/live"), 3);

	/* The pending retry failed for good, saying why. */
	l = stored_deliveries(f, h1);
	assert_int_equal(json_array_size(l), 2);
	assert_delivery_stopped(l, "was revoked");
	json_decref(l);

	snprintf(path, sizeof(path), "/api/v1/zapier/hooks/%s", h1);
	assert_int_equal(call(f, "GET", path, live, NULL, &res), 200);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.id"), h1);
	fzh_assert_str(fzh_json_str(&res, "data.key_id"), kid);
	fzh_assert_str(fzh_json_str(&res, "data.status"), "revoked");
	assert_non_null(strstr(fzh_json_str(&res, "data.status_reason"),
	    "was revoked"));
	fzh_res_free(&res);
	assert_int_equal(call(f, "GET", "/api/v1/zapier/hooks", live, NULL,
	    &res), 200);
	assert_int_equal(json_array_size(fzh_json_get(&res, "data")), 2);
	assert_true(fzh_contains(res.body, res.len, "\"revoked\""));
	assert_true(fzh_contains(res.body, res.len, "\"active\""));
	fzh_res_free(&res);
	assert_int_equal(call(f, "GET", path, tok, NULL, &res), 401);
	fzh_res_free(&res);

	/* For good: the record stays revoked until someone deletes it. */
	expect(f, "DELETE", path, live, NULL, 200);
	expect(f, "GET", path, live, NULL, 404);
	fzh_stop_ok(&f->d);
}

/* Rewrites hook id's record as one that missed its key's revocation
 * (written before hooks were bound, or by a revocation made some other
 * way), and tells the daemon's fan-out that hooks changed. */
struct rewrite {
	const char	*id;
};

static int
rewrite_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct rewrite *a = arg;
	char tok[16 + 1];
	MDB_val k, v;
	json_t *h;
	char *text;
	int rc;

	k.mv_data = (void *)a->id;
	k.mv_size = strlen(a->id);
	if ((rc = mdb_get(txn, state_dbi(st, DB_HOOKS), &k, &v)) != 0)
		return FZ_ESTORE;
	if ((h = json_loadb(v.mv_data, v.mv_size, 0, NULL)) == NULL)
		return FZ_ESTORE;
	json_object_set_new(h, "status", json_string("active"));
	json_object_set_new(h, "statusReason", json_null());
	text = json_dumps(h, JSON_COMPACT);
	json_decref(h);
	v.mv_data = text;
	v.mv_size = strlen(text);
	rc = mdb_put(txn, state_dbi(st, DB_HOOKS), &k, &v, 0);
	free(text);
	if (rc != 0 || secure_base62(tok, sizeof(tok) - 1) != 0)
		return FZ_ESTORE;
	k.mv_data = (void *)"hooks:gen";
	k.mv_size = 9;
	v.mv_data = tok;
	v.mv_size = sizeof(tok) - 1;
	return mdb_put(txn, state_dbi(st, DB_META), &k, &v, 0) == 0 ? 0 :
	    FZ_ESTORE;
}

/*
 * Delivery judges each hook again, whatever its record says: a record
 * still "active" though its key is revoked gets nothing, and is put
 * right.
 */
static void
test_delivery_checks_the_key(void **state)
{
	struct fix *f = *state;
	char ws[64], tok[64], live[64], kid[64], h1[64], h2[64];
	struct rewrite rw;
	struct state *st;

	fix_start(f);
	fzh_workspace(f->d.dir, "Zaps", "pro", ws, sizeof(ws));
	fzh_key(f->d.dir, ws, "read,write", "zapier", tok, sizeof(tok));
	fzh_key(f->d.dir, ws, "read,write", "other", live, sizeof(live));
	key_id(f, tok, kid, sizeof(kid));
	zap_subscribe(f, tok, "pack_sent", "/missed", h1, sizeof(h1));
	zap_subscribe(f, live, "pack_sent", "/live", h2, sizeof(h2));
	cli_ok(f, "key", "revoke", kid, NULL, NULL);
	assert_stored_status(f, h1, "revoked", "was revoked");

	rw.id = h1;
	assert_int_equal(state_open(f->d.dir, &st), 0);
	assert_int_equal(state_write(st, rewrite_fn, &rw), 0);
	state_close(st);
	assert_stored_status(f, h1, "active", NULL);

	zap_send(f, live, NULL, 0);
	sink_wait(&f->s, "/live", 1);
	assert_true(fzh_log_wait(&f->d, "is revoked", 1, FZH_WAIT_MS));
	pause_ms(500);
	assert_int_equal(sink_count(&f->s, "/missed"), 0);
	assert_stored_status(f, h1, "revoked", "was revoked");
	{
		json_t *l = stored_deliveries(f, h1);

		assert_int_equal(json_array_size(l), 1);
		assert_delivery_stopped(l, "not sent: the API key");
		json_decref(l);
	}
	fzh_stop_ok(&f->d);
}

/*
 * Moving the workspace to free pauses its Zapier hook and its CRM
 * webhook: the retry pending fails for good, an event made while free
 * reaches neither, and the records say paused. On pro the Zapier hook is
 * back and the webhook (agency) still paused; on agency both are back.
 */
static void
test_plan_loss_pauses_hooks(void **state)
{
	struct fix *f = *state;
	char ws[64], tok[64], zap[64], crm[64], path[128];
	char share1[64], share2[64], share3[64];
	struct fzh_res res;
	json_t *l;

	fix_start(f);
	fzh_workspace(f->d.dir, "Agency", "agency", ws, sizeof(ws));
	fzh_key(f->d.dir, ws, "read,write", "zapier", tok, sizeof(tok));
	zap_subscribe(f, tok, "client_signed_off", "/zap", zap, sizeof(zap));
	crm_create(f, tok, "/crm", crm, sizeof(crm));

	zap_send(f, tok, share1, sizeof(share1));
	zap_send(f, tok, share2, sizeof(share2));
	sink_wait(&f->s, "/crm", 2);

	/* A sign-off the CRM answers 500: its retry is pending. */
	sink_fail(&f->s, "/crm");
	portal_signoff(f, share1);
	sink_wait(&f->s, "/zap", 1);
	sink_wait(&f->s, "/crm", 3);

	cli_ok(f, "workspace", "set-plan", ws, "--plan", "free");
	sink_fail(&f->s, "");
	assert_stored_status(f, zap, "paused", "plan (free) does not include "
	    "Zapier");
	assert_stored_status(f, crm, "paused", "plan (free) does not include "
	    "webhooks");
	expect(f, "GET", "/api/v1/zapier/hooks", tok, NULL, 403);

	/* An event while free (the portal needs neither key nor plan)
	 * reaches neither, and the pending retry never comes. */
	portal_signoff(f, share2);
	pause_ms(RETRY_S * 1000 + 800);
	assert_int_equal(sink_count(&f->s, "/zap"), 1);
	assert_int_equal(sink_count(&f->s, "/crm"), 3);
	l = stored_deliveries(f, crm);
	assert_int_equal(json_array_size(l), 3);
	assert_delivery_stopped(l, "not sent: the workspace's plan (free)");
	json_decref(l);
	l = stored_deliveries(f, zap);
	assert_int_equal(json_array_size(l), 1);
	json_decref(l);

	/* Pro has Zapier again, not webhooks. */
	cli_ok(f, "workspace", "set-plan", ws, "--plan", "pro");
	assert_stored_status(f, zap, "active", NULL);
	assert_stored_status(f, crm, "paused", "plan (pro) does not include "
	    "webhooks");
	snprintf(path, sizeof(path), "/api/v1/zapier/hooks/%s", zap);
	assert_int_equal(call(f, "GET", path, tok, NULL, &res), 200);
	fzh_assert_str(fzh_json_str(&res, "data.status"), "active");
	assert_true(json_is_null(fzh_json_get(&res, "data.status_reason")));
	fzh_res_free(&res);

	/* Agency has both; the failed delivery says why it was not sent. */
	cli_ok(f, "workspace", "set-plan", ws, "--plan", "agency");
	snprintf(path, sizeof(path), "/api/v1/webhooks/%s", crm);
	assert_int_equal(call(f, "GET", path, tok, NULL, &res), 200);
	fzh_assert_str(fzh_json_str(&res, "data.status"), "active");
	fzh_res_free(&res);
	snprintf(path, sizeof(path), "/api/v1/webhooks/%s/deliveries", crm);
	assert_int_equal(call(f, "GET", path, tok, NULL, &res), 200);
	assert_delivery_stopped(fzh_json_get(&res, "data"),
	    "the workspace's plan (free) does not include webhooks");
	fzh_res_free(&res);
	zap_send(f, tok, share3, sizeof(share3));
	sink_wait(&f->s, "/crm", 4);
	portal_signoff(f, share3);
	sink_wait(&f->s, "/zap", 2);
	sink_wait(&f->s, "/crm", 5);
	fzh_stop_ok(&f->d);
}

/*
 * Each family's :id routes know only their own ids: every /webhooks/:id
 * route answers 404 for a Zapier hook, the Zapier hook routes 404 for a
 * CRM webhook, and neither is changed by the attempt.
 */
static void
test_id_families(void **state)
{
	struct fix *f = *state;
	static const struct {
		const char	*method;
		const char	*base;
		const char	*tail;
		const char	*body;
		int		 admin;
	} crm_routes[] = {
		{ "GET", "/api/v1/webhooks/", "", NULL, 0 },
		{ "DELETE", "/api/v1/webhooks/", "", NULL, 0 },
		{ "POST", "/api/v1/webhooks/", "/rotate-secret", NULL, 1 },
		{ "POST", "/api/v1/webhooks/", "/enable", NULL, 0 },
		{ "GET", "/api/v1/webhooks/", "/deliveries", NULL, 0 },
		{ "POST", "/api/v1/webhooks/", "/replay",
		    "{\"since\":\"2020-01-01T00:00:00.000Z\"}", 0 },
	}, zap_routes[] = {
		{ "GET", "/api/v1/zapier/hooks/", "", NULL, 0 },
		{ "DELETE", "/api/v1/zapier/hooks/", "", NULL, 0 },
	};
	char ws[64], tok[64], adm[64], zap[64], crm[64], path[160];
	struct fzh_res res;
	size_t i;

	fix_start(f);
	fzh_workspace(f->d.dir, "Agency", "agency", ws, sizeof(ws));
	fzh_key(f->d.dir, ws, "read,write", "writer", tok, sizeof(tok));
	fzh_key(f->d.dir, ws, "admin", "admin", adm, sizeof(adm));
	zap_subscribe(f, tok, "pack_sent", "/zap", zap, sizeof(zap));
	crm_create(f, tok, "/crm", crm, sizeof(crm));

	for (i = 0; i < FZ_NELEM(crm_routes); i++) {
		snprintf(path, sizeof(path), "%s%s%s", crm_routes[i].base, zap,
		    crm_routes[i].tail);
		if (call(f, crm_routes[i].method, path, crm_routes[i].admin ?
		    adm : tok, crm_routes[i].body, &res) != 404)
			fail_msg("%s %s (a Zapier hook): %d %s",
			    crm_routes[i].method, path, res.status, res.body);
		fzh_assert_envelope(&res, 404, "NOT_FOUND");
		fzh_res_free(&res);
	}
	for (i = 0; i < FZ_NELEM(zap_routes); i++) {
		snprintf(path, sizeof(path), "%s%s%s", zap_routes[i].base, crm,
		    zap_routes[i].tail);
		if (call(f, zap_routes[i].method, path, tok, NULL, &res) != 404)
			fail_msg("%s %s (a CRM webhook): %d %s",
			    zap_routes[i].method, path, res.status, res.body);
		fzh_assert_envelope(&res, 404, "NOT_FOUND");
		fzh_res_free(&res);
	}

	/* Both are still there, and still deliver. */
	snprintf(path, sizeof(path), "/api/v1/webhooks/%s", crm);
	expect(f, "GET", path, tok, NULL, 200);
	snprintf(path, sizeof(path), "/api/v1/zapier/hooks/%s", zap);
	expect(f, "GET", path, tok, NULL, 200);
	assert_int_equal(call(f, "GET", "/api/v1/webhooks", tok, NULL, &res),
	    200);
	assert_int_equal(json_array_size(fzh_json_get(&res, "data")), 1);
	fzh_res_free(&res);
	assert_int_equal(call(f, "GET", "/api/v1/zapier/hooks", tok, NULL,
	    &res), 200);
	assert_int_equal(json_array_size(fzh_json_get(&res, "data")), 1);
	fzh_assert_str(json_string_value(json_object_get(json_array_get(
	    fzh_json_get(&res, "data"), 0), "id")), zap);
	fzh_res_free(&res);
	zap_send(f, tok, NULL, 0);
	sink_wait(&f->s, "/zap", 1);
	sink_wait(&f->s, "/crm", 1);
	expect(f, "DELETE", path, tok, NULL, 200);
	snprintf(path, sizeof(path), "/api/v1/webhooks/%s", crm);
	expect(f, "DELETE", path, tok, NULL, 200);
	fzh_stop_ok(&f->d);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, fix_setup, fix_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_zapier_hook_stops_with_its_key),
		T(test_delivery_checks_the_key),
		T(test_plan_loss_pauses_hooks),
		T(test_id_families),
	};

	return cmocka_run_group_tests(tests, fzh_group_setup,
	    fzh_group_teardown);
}
