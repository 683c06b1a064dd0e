/*
 * e2e_upstream.c: store = http with two real daemons: an edge proxying
 * core CRUD to an upstream fzrelay on the embedded store. The edge keeps
 * auth, the journal and triggers; a dead upstream gives fast 503s and
 * heals without restarting the edge; a slow upstream stalls nothing else.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/e2e/harness.h"

#define WS_ID		"ws_MirrorAcme01"
#define REPORT_SECRET	"a-report-secret-shared-by-both"

struct pair {
	struct fzd	up, edge;
	char		token[64];	/* the edge's key for WS_ID */
	char		service[64];	/* the upstream's service key */
};

static int
pair_setup(void **state)
{
	struct pair *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return -1;
	fzh_init(&p->up);
	fzh_init(&p->edge);
	*state = p;
	return 0;
}

static int
pair_teardown(void **state)
{
	struct pair *p = *state;

	fzh_cleanup(&p->edge);
	fzh_cleanup(&p->up);
	free(p);
	return 0;
}

/* Workspaces mirrored on both sides, a service key upstream, a write key
 * on the edge; nothing started. */
static void
pair_keys(struct pair *p)
{
	char out[256], svc_ws[64];

	assert_int_equal(fzh_cli(p->up.dir, out, sizeof(out), "workspace",
	    "create", "--id", WS_ID, "--name", "Acme", "--plan", "agency",
	    (char *)NULL), 0);
	fzh_workspace(p->up.dir, "Edge service", "agency", svc_ws,
	    sizeof(svc_ws));
	fzh_key(p->up.dir, svc_ws, "service", "edge", p->service,
	    sizeof(p->service));
	assert_int_equal(fzh_cli(p->edge.dir, out, sizeof(out), "workspace",
	    "create", "--id", WS_ID, "--name", "Acme", "--plan", "agency",
	    (char *)NULL), 0);
	fzh_key(p->edge.dir, WS_ID, "read,write", "zapier", p->token,
	    sizeof(p->token));
}

/* pair_keys, and the upstream started. */
static void
pair_prepare(struct pair *p)
{
	pair_keys(p);
	fzh_start(&p->up, NULL, NULL);
}

static void
edge_start(struct pair *p, int port, const char *timeout_ms)
{
	char url[64];
	const char *args[] = { "--store", "http", "--upstream-url", url,
	    "--upstream-token", p->service, "--upstream-timeout-ms",
	    timeout_ms, "--ingest-secret", REPORT_SECRET, NULL };

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	fzh_start(&p->edge, args, NULL);
}

static int
post_json(struct fzd *d, const char *token, const char *path,
    const char *body, struct fzh_res *res)
{
	char auth[128];
	const char *hdrs[3];

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	hdrs[0] = auth;
	hdrs[1] = "Content-Type: application/json";
	hdrs[2] = NULL;
	memset(res, 0, sizeof(*res));
	return fzh_http(d, "POST", path, hdrs, body, strlen(body), res);
}

static void
test_proxied_crud_and_journal(void **state)
{
	struct pair *p = *state;
	char path[160], id[64];
	struct fzh_res res;

	pair_prepare(p);
	edge_start(p, p->up.port, "3000");
	assert_int_equal(post_json(&p->edge, p->token, "/api/v1/projects",
	    "{\"name\":\"Site\",\"clientName\":\"Jane\",\"clientEmail\":"
	    "\"Jane@Example.com\",\"projectType\":\"SEO\",\"launchDate\":"
	    "\"2026-06-01\"}", &res), 201);
	fzh_assert_envelope(&res, 201, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.client.email"),
	    "jane@example.com");
	snprintf(id, sizeof(id), "%s", fzh_json_str(&res, "data.id"));
	fzh_res_free(&res);

	/* Read back through the edge, and straight from the upstream. */
	snprintf(path, sizeof(path), "/api/v1/projects/%s", id);
	assert_int_equal(fzh_get(&p->edge, path, p->token, &res), 200);
	fzh_assert_str(fzh_json_str(&res, "data.name"), "Site");
	fzh_res_free(&res);
	assert_int_equal(fzh_get(&p->edge, "/api/v1/projects/"
	    "project_NoSuchProject000000", p->token, &res), 404);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);

	/* The upstream's validation answer passes through as it is. */
	assert_int_equal(post_json(&p->edge, p->token, "/api/v1/projects",
	    "{\"name\":\"X\",\"clientId\":\"client_NoSuchClient00000000\","
	    "\"projectType\":\"SEO\",\"launchDate\":\"2026-06-01\"}", &res),
	    400);
	fzh_assert_envelope(&res, 400, "VALIDATION_ERROR");
	fzh_res_free(&res);

	/* Sent through the edge: journaled on the edge, once. */
	snprintf(path, sizeof(path), "/api/v1/projects/%s/pack/send", id);
	assert_int_equal(post_json(&p->edge, p->token, path,
	    "{\"personalMessage\":\"Ready\"}", &res), 200);
	fzh_assert_str(fzh_json_str(&res, "data.status"), "sent");
	fzh_res_free(&res);
	assert_int_equal(post_json(&p->edge, p->token, path, "{}", &res), 200);
	fzh_res_free(&res);
	assert_int_equal(fzh_get(&p->edge, "/api/v1/zapier/triggers/pack-sent",
	    p->token, &res), 200);
	assert_int_equal(json_array_size(res.json), 1);
	fzh_assert_str(json_string_value(json_object_get(json_array_get(
	    res.json, 0), "project_id")), id);
	fzh_assert_str(json_string_value(json_object_get(json_array_get(
	    res.json, 0), "client_email")), "jane@example.com");
	fzh_res_free(&res);

	/* The edge's key means nothing upstream: auth stays on the edge. */
	assert_int_equal(fzh_get(&p->up, "/api/v1/projects", p->token, &res),
	    401);
	fzh_res_free(&res);
	fzh_stop_ok(&p->edge);
	fzh_stop_ok(&p->up);
}

static void
test_dead_upstream_fails_fast_and_heals(void **state)
{
	struct pair *p = *state;
	struct fzh_res res;
	const char *args[3];
	char port[16];
	long long t0;
	int i, code, up_port;

	pair_prepare(p);
	up_port = p->up.port;
	edge_start(p, up_port, "3000");
	assert_int_equal(fzh_get(&p->edge, "/readyz", NULL, &res), 200);
	fzh_res_free(&res);
	fzh_stop_ok(&p->up);

	t0 = fzh_now_ms();
	for (i = 0; i < 8; i++) {
		code = fzh_get(&p->edge, "/api/v1/projects", p->token, &res);
		assert_int_equal(code, 503);
		fzh_assert_envelope(&res, 503, "UPSTREAM_UNAVAILABLE");
		fzh_res_free(&res);
	}
	/* Refused connections and an open breaker: no waiting on timeouts. */
	assert_true(fzh_now_ms() - t0 < 2000);
	assert_int_equal(fzh_get(&p->edge, "/readyz", NULL, &res), 503);
	fzh_res_free(&res);
	assert_int_equal(fzh_get(&p->edge, "/metrics", NULL, &res), 200);
	assert_non_null(strstr(res.body, "fzrelay_upstream_breaker_open 1\n"));
	fzh_res_free(&res);
	/* The relay's own data still answers. */
	assert_int_equal(fzh_get(&p->edge, "/api/v1/zapier/triggers/pack-sent",
	    p->token, &res), 200);
	fzh_res_free(&res);

	snprintf(port, sizeof(port), "127.0.0.1:%d", up_port);
	args[0] = "--listen";
	args[1] = port;
	args[2] = NULL;
	fzh_start(&p->up, args, NULL);
	/* After the cool-down one probe goes through and closes it. */
	t0 = fzh_now_ms();
	do {
		code = fzh_get(&p->edge, "/api/v1/projects", p->token, &res);
		fzh_res_free(&res);
		if (code == 200)
			break;
		usleep(100 * 1000);
	} while (fzh_now_ms() - t0 < 10000);
	assert_int_equal(code, 200);
	assert_int_equal(fzh_get(&p->edge, "/readyz", NULL, &res), 200);
	fzh_res_free(&res);
	fzh_stop_ok(&p->edge);
	fzh_stop_ok(&p->up);
}

/* An upstream that accepts and answers nothing for a while. */
struct slow {
	int	fd;
	int	port;
	int	stop;
};

static void *
slow_main(void *arg)
{
	struct slow *s = arg;
	int c, i;

	while (!s->stop) {
		if ((c = accept(s->fd, NULL, NULL)) < 0)
			continue;
		for (i = 0; i < 30 && !s->stop; i++)
			usleep(100 * 1000);
		close(c);
	}
	return NULL;
}

static void
test_slow_upstream_stalls_nothing(void **state)
{
	struct pair *p = *state;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct fzh_conn conn;
	struct fzh_res res;
	struct slow s;
	pthread_t th;
	char req[512];
	long long t0;

	memset(&s, 0, sizeof(s));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((s.fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(s.fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(s.fd, 16), 0);
	assert_int_equal(getsockname(s.fd, (struct sockaddr *)&sin, &len), 0);
	s.port = ntohs(sin.sin_port);
	assert_int_equal(pthread_create(&th, NULL, slow_main, &s), 0);

	pair_prepare(p);
	edge_start(p, s.port, "2000");
	/* A proxied read now hangs on the upstream... */
	fzh_conn_open(&conn, &p->edge);
	snprintf(req, sizeof(req), "GET /api/v1/projects HTTP/1.1\r\n"
	    "Host: x\r\nAuthorization: Bearer %s\r\n\r\n", p->token);
	assert_int_equal(fzh_conn_sends(&conn, req), 0);
	/* ...while polling and health answer at once. */
	t0 = fzh_now_ms();
	assert_int_equal(fzh_get(&p->edge, "/api/v1/zapier/triggers/pack-sent",
	    p->token, &res), 200);
	fzh_res_free(&res);
	assert_int_equal(fzh_get(&p->edge, "/healthz", NULL, &res), 200);
	fzh_res_free(&res);
	assert_true(fzh_now_ms() - t0 < 1000);
	/* The hung read ends as a timeout, in its own time. */
	assert_int_equal(fzh_conn_read(&conn, &res, 0, 8000), 0);
	assert_true(res.status == 504 || res.status == 503);
	fzh_res_free(&res);
	fzh_conn_close(&conn);

	s.stop = 1;
	shutdown(s.fd, SHUT_RDWR);
	close(s.fd);
	pthread_join(th, NULL);
	fzh_stop_ok(&p->edge);
	fzh_stop_ok(&p->up);
}

/* A port nobody listens on yet, for a daemon started later. */
static int
free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, port;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* Polls a trigger on the edge until it holds n events (bounded). */
static int
wait_trigger(struct pair *p, const char *trigger, size_t n)
{
	struct fzh_res res;
	char path[128];
	long long t0 = fzh_now_ms();
	size_t got = 0;

	snprintf(path, sizeof(path), "/api/v1/zapier/triggers/%s", trigger);
	do {
		memset(&res, 0, sizeof(res));
		if (fzh_get(&p->edge, path, p->token, &res) == 200)
			got = json_array_size(res.json);
		fzh_res_free(&res);
		if (got >= n)
			return (int)got;
		usleep(50 * 1000);
	} while (fzh_now_ms() - t0 < 5000);
	return (int)got;
}

static void
test_upstream_reports_portal_events(void **state)
{
	struct pair *p = *state;
	char report[96], listen[32], path[320], portal[256], id[64];
	const char *args[] = { "--listen", listen, "--report-url", report,
	    "--report-secret", REPORT_SECRET, NULL };
	const char *url, *slash;
	struct fzh_res res;
	int up_port = free_port();

	pair_keys(p);
	edge_start(p, up_port, "3000");
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", up_port);
	snprintf(report, sizeof(report),
	    "http://127.0.0.1:%d/internal/events", p->edge.port);
	fzh_start(&p->up, args, NULL);

	assert_int_equal(post_json(&p->edge, p->token, "/api/v1/projects",
	    "{\"name\":\"Site\",\"clientName\":\"Jane\",\"clientEmail\":"
	    "\"jane@example.com\",\"projectType\":\"SEO\",\"launchDate\":"
	    "\"2026-06-01\"}", &res), 201);
	snprintf(id, sizeof(id), "%s", fzh_json_str(&res, "data.id"));
	fzh_res_free(&res);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/pack/send", id);
	assert_int_equal(post_json(&p->edge, p->token, path, "{}", &res), 200);
	url = fzh_json_str(&res, "data.share_url");
	assert_non_null(url);
	assert_non_null(slash = strstr(url, "/p/"));
	snprintf(portal, sizeof(portal), "%s", slash);
	fzh_res_free(&res);

	/* The client acts on the upstream's portal... */
	assert_int_equal(fzh_get(&p->up, portal, NULL, &res), 200);
	fzh_res_free(&res);
	snprintf(path, sizeof(path), "%s/signoff", portal);
	assert_int_equal(post_json(&p->up, "unused", path, "{\"name\":"
	    "\"Jane\",\"email\":\"jane@example.com\"}", &res), 201);
	fzh_res_free(&res);
	/* ...and the edge's triggers see it, reported and journaled once. */
	assert_int_equal(wait_trigger(p, "pack-viewed", 1), 1);
	assert_int_equal(wait_trigger(p, "client-signed-off", 1), 1);
	assert_int_equal(wait_trigger(p, "pack-sent", 1), 1);
	assert_int_equal(fzh_get(&p->edge, "/api/v1/zapier/triggers/"
	    "client-signed-off", p->token, &res), 200);
	fzh_assert_str(json_string_value(json_object_get(json_array_get(
	    res.json, 0), "project_id")), id);
	fzh_assert_str(json_string_value(json_object_get(json_array_get(
	    res.json, 0), "signed_by_email")), "jane@example.com");
	fzh_res_free(&res);
	fzh_stop_ok(&p->edge);
	fzh_stop_ok(&p->up);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_proxied_crud_and_journal,
		    pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(
		    test_dead_upstream_fails_fast_and_heals, pair_setup,
		    pair_teardown),
		cmocka_unit_test_setup_teardown(
		    test_slow_upstream_stalls_nothing, pair_setup,
		    pair_teardown),
		cmocka_unit_test_setup_teardown(
		    test_upstream_reports_portal_events, pair_setup,
		    pair_teardown),
	};

	return cmocka_run_group_tests_name("upstream", tests, fzh_group_setup,
	    fzh_group_teardown);
}
