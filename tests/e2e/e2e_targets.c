/*
 * e2e_targets.c: the SSRF guard over real sockets. Every form a
 * resolver reads as a non-public address is refused when a webhook or a
 * Zapier hook subscribes, and nothing is stored; a delivery the
 * connect-time guard stops, or whose name does not resolve, fails at
 * once and for good with one and the same record.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fz.h"
#include "relay/target.h"
#include "state/hooks.h"
#include "state/state.h"
#include "tests/e2e/harness.h"

#define MAX_TARGETS	128

/* The issue's list and more; each is refused with the escape hatch off. */
static const char *const refused[] = {
	"http://127.1/", "http://2130706433/", "http://0x7f000001/",
	"http://0177.0.0.1/", "http://0x7f.0.0.1/", "http://0/",
	"http://127.000.000.001/", "http://%31%32%37.0.0.1/",
	"http://[::127.0.0.1]/", "http://[::ffff:127.0.0.1]/",
	"http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/",
	"http://[::1%25lo]/", "http://[fe80::1%25lo]/", "http://localhost./",
	"http://a.localhost./", "http://198.18.0.1/", "http://127.0.0.1./",
	"http://100.64.0.1/", "http://169.254.169.254/latest/meta-data/",
	"http://metadata.google.internal/", "http://[fd00::1]/",
	"http://[2001:db8::1]/", "http://203.0.113.9/", "http://240.0.0.1/",
	"http://evil.example\\@127.0.0.1/", "http://127.0.0.1#@example.com/",
	"http://1.2.3.4.5/", "http://\xef\xbd\x8c\xef\xbd\x8f\xef\xbd\x83"
	"\xef\xbd\x81\xef\xbd\x8c\xef\xbd\x88\xef\xbd\x8f\xef\xbd\x93\xef"
	"\xbd\x94/",
};

static int
post_json(const struct fzd *d, const char *token, const char *path,
    json_t *body, struct fzh_res *res)
{
	char auth[128], *text;
	const char *hdrs[3];
	int status;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	hdrs[0] = auth;
	hdrs[1] = "Content-Type: application/json";
	hdrs[2] = NULL;
	assert_non_null(text = json_dumps(body, 0));
	json_decref(body);
	memset(res, 0, sizeof(*res));
	status = fzh_http(d, "POST", path, hdrs, text, strlen(text), res);
	free(text);
	return status;
}

/* Asserts res is a 400 VALIDATION_ERROR whose details name field. */
static void
assert_refused(struct fzh_res *res, const char *field, const char *url)
{
	json_t *details, *x;
	const char *f;
	size_t i;

	if (res->status != 400)
		fail_msg("%s as %s: %d %s", url, field, res->status,
		    res->body);
	fzh_assert_envelope(res, 400, "VALIDATION_ERROR");
	details = fzh_json_get(res, "error.details");
	json_array_foreach(details, i, x)
		if ((f = json_string_value(json_object_get(x, "field"))) !=
		    NULL && strcmp(f, field) == 0)
			return;
	fail_msg("%s: no detail names %s: %s", url, field, res->body);
}

/* Returns 1 if lit is an address the guard lets through, 0 if one it
 * refuses, -1 if it is no address. */
static int
lit_public(const char *lit)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, lit, &s4->sin_addr) == 1)
		ss.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, lit, &s6->sin6_addr) == 1)
		ss.ss_family = AF_INET6;
	else
		return -1;
	return target_addr_public((struct sockaddr *)&ss);
}

/* Fills list with URLs of the names /etc/hosts maps to a non-public
 * address (the daemon reads the same file), as written and with a
 * trailing dot. Returns how many. */
static size_t
hosts_names(char list[][300], size_t max)
{
	char line[1024], *tok, *save;
	size_t n = 0;
	FILE *f;

	if ((f = fopen("/etc/hosts", "r")) == NULL)
		return 0;
	while (n + 2 <= max && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "#")] = '\0';
		if ((tok = strtok_r(line, " \t\r\n", &save)) == NULL)
			continue;
		tok[strcspn(tok, "%")] = '\0';
		if (lit_public(tok) != 0)
			continue;
		while (n + 2 <= max &&
		    (tok = strtok_r(NULL, " \t\r\n", &save)) != NULL &&
		    strlen(tok) < 200) {
			snprintf(list[n++], 300, "http://%s/", tok);
			snprintf(list[n++], 300, "http://%s./", tok);
		}
	}
	fclose(f);
	return n;
}

/* Each target is refused on every route that subscribes one, by a
 * daemon without allow_private_targets; nothing is stored. */
static void
test_subscription_refused(void **state)
{
	struct fzd *d = *state;
	static char extra[MAX_TARGETS][300];
	char ws[64], agency[64], wsz[64], pro[64];
	const char *url;
	struct fzh_res res;
	struct state *st;
	json_t *list = NULL;
	size_t i, n, nextra;

	fzh_workspace(d->dir, "Agency", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read,write", "crm", agency, sizeof(agency));
	fzh_workspace(d->dir, "Zapier", "pro", wsz, sizeof(wsz));
	fzh_key(d->dir, wsz, "read,write", "zapier", pro, sizeof(pro));
	nextra = hosts_names(extra, MAX_TARGETS);
	fzh_start(d, NULL, NULL);
	n = FZ_NELEM(refused) + nextra;
	for (i = 0; i < n; i++) {
		url = i < FZ_NELEM(refused) ? refused[i] :
		    extra[i - FZ_NELEM(refused)];
		post_json(d, agency, "/api/v1/webhooks", json_pack("{s:s, "
		    "s:[s]}", "url", url, "events", "pack.sent"), &res);
		assert_refused(&res, "url", url);
		fzh_res_free(&res);
		post_json(d, pro, "/api/v1/zapier/hooks", json_pack("{s:s, "
		    "s:s}", "hookUrl", url, "event", "pack_sent"), &res);
		assert_refused(&res, "hookUrl", url);
		fzh_res_free(&res);
		post_json(d, pro, "/api/v1/zapier/hooks", json_pack("{s:s, "
		    "s:s}", "target_url", url, "event", "pack_sent"), &res);
		assert_refused(&res, "target_url", url);
		fzh_res_free(&res);
	}
	/* A public target still subscribes: the check is not a wall. */
	assert_int_equal(post_json(d, agency, "/api/v1/webhooks", json_pack(
	    "{s:s, s:[s]}", "url", "https://example.com/hook", "events",
	    "pack.sent"), &res), 201);
	fzh_res_free(&res);
	fzh_stop_ok(d);

	assert_int_equal(state_open(d->dir, &st), 0);
	assert_int_equal(hooks_list(st, ws, NULL, &list), 0);
	assert_int_equal(json_array_size(list), 1);
	fzh_assert_str(json_string_value(json_object_get(json_array_get(list,
	    0), "url")), "https://example.com/hook");
	json_decref(list);
	assert_int_equal(hooks_list(st, wsz, NULL, &list), 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	state_close(st);
}

/* A listening socket on 127.0.0.1 that no one should reach. */
static int
listener(int *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd;

	assert_true((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) >=
	    0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void
create_hook(const struct fzd *d, const char *token, const char *url,
    char *id)
{
	struct fzh_res res;

	assert_int_equal(post_json(d, token, "/api/v1/webhooks", json_pack(
	    "{s:s, s:[s]}", "url", url, "events", "pack.sent"), &res), 201);
	snprintf(id, 64, "%s", fzh_json_str(&res, "data.id"));
	fzh_res_free(&res);
}

/* Waits for hook's one delivery to leave "pending"; returns it. */
static json_t *
settled(const struct fzd *d, const char *token, const char *hook)
{
	char path[160];
	struct fzh_res res;
	long long end = fzh_now_ms() + FZH_WAIT_MS;
	json_t *x = NULL;

	snprintf(path, sizeof(path), "/api/v1/webhooks/%s/deliveries", hook);
	while (x == NULL && fzh_now_ms() < end) {
		assert_int_equal(fzh_get(d, path, token, &res), 200);
		x = json_array_get(fzh_json_get(&res, "data"), 0);
		if (x != NULL && strcmp(json_string_value(json_object_get(x,
		    "status")), "pending") != 0)
			json_incref(x);
		else
			x = NULL;
		fzh_res_free(&res);
		if (x == NULL)
			usleep(50 * 1000);
	}
	if (x == NULL)
		fail_msg("hook %s: the delivery is still pending", hook);
	return x;
}

/* The record of a refused attempt: failed at once, nothing to tell. */
static void
assert_not_allowed(json_t *x, const char *what)
{
	json_t *h = json_array_get(json_object_get(x, "history"), 0);
	char *text = json_dumps(x, 0);

	if (strcmp(json_string_value(json_object_get(x, "status")),
	    "failed") != 0 ||
	    json_integer_value(json_object_get(x, "attempts")) != 1 ||
	    !json_is_null(json_object_get(x, "nextAttemptAt")) ||
	    json_array_size(json_object_get(x, "history")) != 1 ||
	    json_string_value(json_object_get(h, "error")) == NULL ||
	    strcmp(json_string_value(json_object_get(h, "error")),
	    "target not allowed") != 0 ||
	    json_integer_value(json_object_get(h, "statusCode")) != 0 ||
	    json_integer_value(json_object_get(h, "latencyMs")) != 0)
		fail_msg("%s: %s", what, text);
	free(text);
}

/*
 * Targets stored while allow_private_targets was on (the only way to
 * store a private one; a public name whose DNS answer is private cannot
 * be made without a network) meet the connect-time guard once it is
 * off: a name resolving to 127.0.0.1 and a literal fail at once, for
 * good, as "target not allowed", and so does a name that cannot resolve
 * (a 70-byte label: the resolver refuses it without sending a query),
 * in records that cannot be told apart. Nothing reaches the listener.
 */
static void
test_delivery_refused_for_good(void **state)
{
	struct fzd *d = *state;
	const char *const open[] = { "--allow-private-targets",
	    "--retry-schedule", "0,100ms,100ms", NULL };
	const char *const closed[] = { "--retry-schedule", "0,100ms,100ms",
	    NULL };
	static const char project[] = "{\"name\":\"Site\",\"clientName\":"
	    "\"Jane\",\"clientEmail\":\"jane@example.com\",\"projectType\":"
	    "\"SEO\",\"launchDate\":\"2026-06-01\"}";
	char ws[64], tok[64], url[256], label[71], hooks[3][64], path[160];
	char pid[64];
	struct fzh_res res;
	json_t *x[3];
	size_t i;
	int fd, port;

	fd = listener(&port);
	memset(label, 'a', sizeof(label) - 1);
	label[sizeof(label) - 1] = '\0';
	fzh_workspace(d->dir, "Agency", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read,write", "crm", tok, sizeof(tok));
	fzh_start(d, open, NULL);
	snprintf(url, sizeof(url), "http://localhost:%d/name", port);
	create_hook(d, tok, url, hooks[0]);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/literal", port);
	create_hook(d, tok, url, hooks[1]);
	snprintf(url, sizeof(url), "http://%s.example:%d/unresolvable", label,
	    port);
	create_hook(d, tok, url, hooks[2]);
	fzh_stop_ok(d);

	fzh_start(d, closed, NULL);
	post_json(d, tok, "/api/v1/projects", json_loads(project, 0, NULL),
	    &res);
	assert_int_equal(res.status, 201);
	snprintf(pid, sizeof(pid), "%s", fzh_json_str(&res, "data.id"));
	fzh_res_free(&res);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/pack/send", pid);
	assert_int_equal(post_json(d, tok, path, json_object(), &res), 200);
	fzh_res_free(&res);
	for (i = 0; i < 3; i++) {
		x[i] = settled(d, tok, hooks[i]);
		assert_not_allowed(x[i], hooks[i]);
	}
	/* Past the whole schedule, still one attempt each. */
	usleep(500 * 1000);
	for (i = 0; i < 3; i++) {
		json_decref(x[i]);
		x[i] = settled(d, tok, hooks[i]);
		assert_not_allowed(x[i], hooks[i]);
	}
	/* One record for all: only ids and times differ. */
	for (i = 0; i < 3; i++) {
		json_object_del(x[i], "hookId");
		json_object_del(json_array_get(json_object_get(x[i], "history"),
		    0), "at");
	}
	assert_true(json_equal(x[0], x[1]));
	assert_true(json_equal(x[0], x[2]));
	for (i = 0; i < 3; i++)
		json_decref(x[i]);
	fzh_stop_ok(d);
	assert_int_equal(accept(fd, NULL, NULL), -1);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_subscription_refused,
		    fzh_setup, fzh_teardown),
		cmocka_unit_test_setup_teardown(test_delivery_refused_for_good,
		    fzh_setup, fzh_teardown),
	};

	return cmocka_run_group_tests_name("targets", tests, fzh_group_setup,
	    fzh_group_teardown);
}
