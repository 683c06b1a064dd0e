/*
 * e2e_daemon.c: fzrelay as a process: configuration errors at start-up,
 * log format, the systemd notify protocol, SIGTERM draining, SIGHUP
 * reloads, --demo and the state directory's modes.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/e2e/harness.h"

/* Writes text to path, replacing it. */
static void
write_file(const char *path, const char *text)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	fputs(text, f);
	if (fclose(f) != 0)
		fail_msg("%s: %s", path, strerror(errno));
}

/*
 * Start-up refusals.
 */
static void
test_bad_config_file(void **state)
{
	struct fzd *d = *state;
	char conf[256], where[300], err[8192];
	const char *args[] = { "serve", "-c", conf, "--listen", "127.0.0.1:0",
	    NULL };
	int rc;

	snprintf(conf, sizeof(conf), "%s/fzrelay.conf", d->dir);
	write_file(conf, "# a test configuration\n"
	    "log_level = info\n"
	    "no_such_key = 1\n"
	    "\n"
	    "max_body_bytes = 12\n");
	rc = fzh_run(args, NULL, d->dir, NULL, 0, err, sizeof(err));
	assert_int_equal(rc, 78);
	snprintf(where, sizeof(where), "%s:3:", conf);
	if (strstr(err, where) == NULL)
		fail_msg("stderr does not name %s: %s", where, err);
	assert_non_null(strstr(err, "no_such_key"));
	/* Every mistake is reported, not only the first. */
	snprintf(where, sizeof(where), "%s:5:", conf);
	if (strstr(err, where) == NULL)
		fail_msg("stderr does not name %s: %s", where, err);
	assert_null(strstr(err, "listening on"));
}

static void
test_bad_env_value(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "serve", "--listen", "127.0.0.1:0", NULL };
	const char *env[] = { "FZRELAY_MAX_BODY_BYTES=abc", NULL };
	char err[8192];
	int rc;

	rc = fzh_run(args, env, d->dir, NULL, 0, err, sizeof(err));
	assert_int_equal(rc, 78);
	if (strstr(err, "FZRELAY_MAX_BODY_BYTES") == NULL)
		fail_msg("stderr does not name the variable: %s", err);
	assert_null(strstr(err, "listening on"));
}

static void
test_bad_flag_value(void **state)
{
	struct fzd *d = *state;
	char sub[256], err[8192];
	const char *args[] = { "serve", "--listen", "127.0.0.1:99999", NULL };
	const char *args2[] = { "serve", "--listen", "nowhere", NULL };
	struct stat sb;
	int rc;

	/* A state dir that does not exist yet must stay that way. */
	snprintf(sub, sizeof(sub), "%s/state", d->dir);
	rc = fzh_run(args, NULL, sub, NULL, 0, err, sizeof(err));
	assert_int_equal(rc, 78);
	if (strstr(err, "--listen") == NULL)
		fail_msg("stderr does not name --listen: %s", err);
	assert_int_not_equal(stat(sub, &sb), 0);
	rc = fzh_run(args2, NULL, sub, NULL, 0, err, sizeof(err));
	assert_int_equal(rc, 78);
	if (strstr(err, "--listen") == NULL)
		fail_msg("stderr does not name --listen: %s", err);
}

static void
test_log_priority_prefixes(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--log-level", "debug", NULL };
	struct fzh_res res;
	char *log, *line, *save = NULL;
	int lines = 0;

	fzh_start(d, args, NULL);
	fzh_get(d, "/healthz", NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	fzh_get(d, "/nope", NULL, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	/* Paths may carry share tokens: lines name the route, not it. */
	fzh_get(d, "/s/sharetoken7Qx9?t=querysecret5", NULL, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	fzh_stop_ok(d);
	assert_int_equal(fzh_log_count(d, "sharetoken7Qx9"), 0);
	assert_int_equal(fzh_log_count(d, "querysecret5"), 0);

	log = fzh_slurp(d->log, NULL);
	assert_non_null(log);
	for (line = strtok_r(log, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (!fzh_match("^<[0-7]>[^<]", line)) {
			free(log);
			fail_msg("log line without a priority: %s", line);
		}
		lines++;
	}
	free(log);
	assert_true(lines >= 3);
	assert_true(fzh_log_count(d, "<6>listening on 127.0.0.1:") == 1);
	assert_true(fzh_log_count(d, "<7>") >= 1);	/* request lines */
}

/*
 * systemd notify.
 */
struct notify {
	int	fd;
	char	path[160];	/* "@name" for an abstract socket */
};

static void
notify_open(struct notify *n, const char *path)
{
	struct sockaddr_un sun;
	socklen_t len;
	size_t plen = strlen(path);

	memset(&sun, 0, sizeof(sun));
	if (plen >= sizeof(sun.sun_path))
		fail_msg("socket path too long: %s", path);
	snprintf(n->path, sizeof(n->path), "%s", path);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	if ((n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		fail_msg("socket: %s", strerror(errno));
	if (bind(n->fd, (struct sockaddr *)&sun, len) != 0) {
		close(n->fd);
		n->fd = -1;
		fail_msg("bind %s: %s", path, strerror(errno));
	}
}

/* Waits up to ms for a datagram containing needle; others are
 * dropped. Returns 1 or 0. */
static int
notify_wait(struct notify *n, const char *needle, int ms)
{
	long long deadline = fzh_now_ms() + ms;
	struct pollfd pfd = { n->fd, POLLIN, 0 };
	char buf[4096];
	ssize_t got;
	int left;

	for (;;) {
		left = (int)(deadline - fzh_now_ms());
		if (left < 0)
			return 0;
		if (poll(&pfd, 1, left) <= 0)
			continue;
		got = recv(n->fd, buf, sizeof(buf) - 1, 0);
		if (got < 0)
			continue;
		buf[got] = '\0';
		if (strstr(buf, needle) != NULL)
			return 1;
	}
}

static void
notify_close(struct notify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

/* Runs the daemon against n and walks it through the protocol. */
static void
notify_lifecycle(struct fzd *d, struct notify *n)
{
	char sock[200];
	const char *env[] = { sock, "WATCHDOG_USEC=400000", "WATCHDOG_PID",
	    NULL };
	struct fzh_res res;
	int status;

	snprintf(sock, sizeof(sock), "NOTIFY_SOCKET=%s", n->path);
	fzh_start(d, NULL, env);
	assert_true(notify_wait(n, "READY=1", FZH_WAIT_MS));
	/* Half of 400 ms: a few must come within a couple of seconds. */
	assert_true(notify_wait(n, "WATCHDOG=1", 3000));
	assert_true(notify_wait(n, "WATCHDOG=1", 3000));

	/* A reload is announced and ends ready again. */
	assert_int_equal(kill(d->pid, SIGHUP), 0);
	assert_true(notify_wait(n, "RELOADING=1", FZH_WAIT_MS));
	assert_true(notify_wait(n, "READY=1", FZH_WAIT_MS));
	fzh_get(d, "/healthz", NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);

	assert_int_equal(kill(d->pid, SIGTERM), 0);
	assert_true(notify_wait(n, "STOPPING=1", FZH_WAIT_MS));
	assert_true(fzh_wait_exit(d, FZH_WAIT_MS, &status));
	fzh_assert_exit0(d, status);
}

static void
test_notify_socket_path(void **state)
{
	struct fzd *d = *state;
	struct notify n = { -1, "" };
	char path[160];

	snprintf(path, sizeof(path), "%s/notify.sock", d->dir);
	notify_open(&n, path);
	notify_lifecycle(d, &n);
	notify_close(&n);
}

static void
test_notify_socket_abstract(void **state)
{
	struct fzd *d = *state;
	struct notify n = { -1, "" };
	char path[160];

	snprintf(path, sizeof(path), "@fzrelay-e2e-notify-%ld",
	    (long)getpid());
	notify_open(&n, path);
	notify_lifecycle(d, &n);
	notify_close(&n);
}

/*
 * SIGTERM.
 */
/* Returns 1 once connecting to the daemon's port is refused (within
 * FZH_WAIT_MS), else 0. */
static int
refused_soon(const struct fzd *d)
{
	long long deadline = fzh_now_ms() + FZH_WAIT_MS;
	struct sockaddr_in sin;
	int fd, rc, e;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)d->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	while (fzh_now_ms() < deadline) {
		if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			fail_msg("socket: %s", strerror(errno));
		rc = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
		e = errno;
		close(fd);
		if (rc != 0 && e == ECONNREFUSED)
			return 1;
		poll(NULL, 0, 10);
	}
	return 0;
}

static void
test_sigterm_answers_in_flight(void **state)
{
	struct fzd *d = *state;
	struct fzh_conn c;
	struct fzh_res res = { 0 };
	const char *conn;
	int status;

	fzh_start(d, NULL, NULL);
	fzh_conn_open(&c, d);
	/* A route whose head needs no key, so its body is read. */
	assert_int_equal(fzh_conn_sends(&c, "POST /internal/events HTTP/1.1\r\n"
	    "Host: t\r\nContent-Type: application/json\r\n"
	    "Content-Length: 20\r\n\r\n{\"a\":\"1234"), 0);
	/* Once a later request is answered, the loop has read the first. */
	fzh_get(d, "/healthz", NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);

	assert_int_equal(kill(d->pid, SIGTERM), 0);
	assert_true(fzh_log_wait(d, "draining", 1, FZH_WAIT_MS));
	/* Still there, waiting for the rest of the body. */
	assert_int_equal(fzh_conn_wait(&c, 200), 0);
	assert_int_equal(kill(d->pid, 0), 0);
	assert_false(fzh_wait_exit(d, 0, &status));
	/* New connections are refused meanwhile. */
	assert_true(refused_soon(d));

	assert_int_equal(fzh_conn_sends(&c, "56789012\"}"), 0);
	assert_int_equal(fzh_conn_read(&c, &res, 0, FZH_WAIT_MS), 0);
	if (res.status < 400 || res.status >= 500)
		fail_msg("status %d, want an answer about the request: %s",
		    res.status, res.body);
	fzh_assert_envelope(&res, res.status, "*");
	conn = fzh_header(&res, "Connection");
	assert_non_null(conn);
	assert_int_equal(strcasecmp(conn, "close"), 0);
	fzh_res_free(&res);
	assert_true(fzh_conn_closed(&c, FZH_WAIT_MS));
	fzh_conn_close(&c);
	assert_true(fzh_wait_exit(d, FZH_WAIT_MS, &status));
	fzh_assert_exit0(d, status);
}

static void
test_sigterm_idle_connections(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--shutdown-timeout-ms", "60000", NULL };
	struct fzh_conn c1, c2;
	struct fzh_res res = { 0 };
	int status;

	fzh_start(d, args, NULL);
	fzh_conn_open(&c1, d);
	assert_int_equal(fzh_conn_sends(&c1, "GET /healthz HTTP/1.1\r\n"
	    "Host: t\r\n\r\n"), 0);
	assert_int_equal(fzh_conn_read(&c1, &res, 0, FZH_WAIT_MS), 0);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	fzh_conn_open(&c2, d);		/* connected, never sends */
	fzh_get(d, "/healthz", NULL, &res);	/* c2 has been accepted */
	fzh_res_free(&res);

	assert_int_equal(kill(d->pid, SIGTERM), 0);
	/* Neither idle connection holds shutdown for shutdown_timeout_ms
	 * (a minute) or idle_timeout_ms (a minute). */
	if (!fzh_wait_exit(d, 5000, &status))
		fail_msg("idle keep-alive connections keep fzrelay from "
		    "exiting");
	fzh_assert_exit0(d, status);
	assert_true(fzh_conn_closed(&c1, 1000));
	assert_true(fzh_conn_closed(&c2, 1000));
	fzh_conn_close(&c1);
	fzh_conn_close(&c2);
}

/* Opens c with a request whose body never completes, and makes sure
 * the daemon has read it. */
static void
half_request(struct fzd *d, struct fzh_conn *c)
{
	struct fzh_res res;

	fzh_conn_open(c, d);
	assert_int_equal(fzh_conn_sends(c, "POST /internal/events HTTP/1.1\r\n"
	    "Host: t\r\nContent-Type: application/json\r\n"
	    "Content-Length: 20\r\n\r\n{\"a\":"), 0);
	fzh_get(d, "/healthz", NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
}

static void
test_sigterm_shutdown_timeout(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--shutdown-timeout-ms", "300", NULL };
	struct fzh_conn c;
	int status;

	fzh_start(d, args, NULL);
	half_request(d, &c);
	assert_int_equal(kill(d->pid, SIGTERM), 0);
	/* The request would hold it for request_timeout_ms (30 s). */
	if (!fzh_wait_exit(d, 5000, &status))
		fail_msg("shutdown_timeout_ms 300 did not end the drain");
	fzh_assert_exit0(d, status);
	assert_true(fzh_log_count(d, "shutdown_timeout_ms") >= 1);
	assert_true(fzh_conn_closed(&c, 1000));
	fzh_conn_close(&c);
}

static void
test_second_signal_exits(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--shutdown-timeout-ms", "60000", NULL };
	struct fzh_conn c;
	int status;

	fzh_start(d, args, NULL);
	half_request(d, &c);
	assert_int_equal(kill(d->pid, SIGTERM), 0);
	assert_true(fzh_log_wait(d, "draining", 1, FZH_WAIT_MS));
	assert_false(fzh_wait_exit(d, 100, &status));	/* still draining */
	assert_int_equal(kill(d->pid, SIGINT), 0);
	if (!fzh_wait_exit(d, 5000, &status))
		fail_msg("a second signal did not end the drain");
	fzh_assert_exit0(d, status);
	fzh_conn_close(&c);
}

/*
 * SIGHUP.
 */
static unsigned long
limit_of(const struct fzd *d, const char *tok)
{
	struct fzh_res res;
	const char *v;
	unsigned long n;

	fzh_get(d, "/api/v1/auth", tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	v = fzh_header(&res, "X-RateLimit-Limit");
	assert_non_null(v);
	n = strtoul(v, NULL, 10);
	fzh_res_free(&res);
	return n;
}

static void
test_sighup_reload(void **state)
{
	struct fzd *d = *state;
	char conf[256], ws[64], tok[64];
	const char *args[] = { "-c", conf, NULL };

	snprintf(conf, sizeof(conf), "%s/fzrelay.conf", d->dir);
	write_file(conf, "rate_limit_per_minute = 50\n");
	fzh_workspace(d->dir, "A", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read", "k", tok, sizeof(tok));
	fzh_start(d, args, NULL);
	assert_int_equal(limit_of(d, tok), 50);

	write_file(conf, "# changed\nrate_limit_per_minute = 7\n");
	assert_int_equal(kill(d->pid, SIGHUP), 0);
	assert_true(fzh_log_wait(d, "configuration reloaded", 1, FZH_WAIT_MS));
	assert_int_equal(limit_of(d, tok), 7);
	fzh_stop_ok(d);
}

static void
test_sighup_broken_config(void **state)
{
	struct fzd *d = *state;
	char conf[256], ws[64], tok[64];
	const char *args[] = { "-c", conf, NULL };
	struct fzh_res res;

	snprintf(conf, sizeof(conf), "%s/fzrelay.conf", d->dir);
	write_file(conf, "rate_limit_per_minute = 50\n");
	fzh_workspace(d->dir, "A", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read", "k", tok, sizeof(tok));
	fzh_start(d, args, NULL);
	assert_int_equal(limit_of(d, tok), 50);

	write_file(conf, "rate_limit_per_minute = 7\nbogus line\n");
	assert_int_equal(kill(d->pid, SIGHUP), 0);
	assert_true(fzh_log_wait(d, "reload refused", 1, FZH_WAIT_MS));
	assert_true(fzh_log_count(d, "fzrelay.conf:2:") >= 1);
	assert_int_equal(fzh_log_count(d, "configuration reloaded"), 0);
	/* Still serving, on the old configuration as a whole. */
	fzh_get(d, "/healthz", NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	assert_int_equal(limit_of(d, tok), 50);
	fzh_stop_ok(d);
}

static void
test_config_precedence(void **state)
{
	struct fzd *d = *state;
	char conf[256], ws[64], tok[64];
	const char *file_only[] = { "-c", conf, NULL };
	const char *with_flag[] = { "-c", conf, "--rate-limit-per-minute",
	    "30", NULL };
	const char *env[] = { "FZRELAY_RATE_LIMIT_PER_MINUTE=20", NULL };

	snprintf(conf, sizeof(conf), "%s/fzrelay.conf", d->dir);
	write_file(conf, "rate_limit_per_minute = 10\n");
	fzh_workspace(d->dir, "A", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read", "k", tok, sizeof(tok));

	fzh_start(d, file_only, NULL);
	assert_int_equal(limit_of(d, tok), 10);
	fzh_stop_ok(d);
	fzh_start(d, file_only, env);
	assert_int_equal(limit_of(d, tok), 20);
	fzh_stop_ok(d);
	fzh_start(d, with_flag, env);
	assert_int_equal(limit_of(d, tok), 30);
	fzh_stop_ok(d);
}

static void
test_sighup_keeps_flags(void **state)
{
	struct fzd *d = *state;
	char conf[256], ws[64], tok[64];
	const char *args[] = { "-c", conf, "--rate-limit-per-minute", "9",
	    NULL };
	struct fzh_res res;

	snprintf(conf, sizeof(conf), "%s/fzrelay.conf", d->dir);
	write_file(conf, "rate_limit_per_minute = 50\nlog_level = info\n");
	fzh_workspace(d->dir, "A", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read", "k", tok, sizeof(tok));
	fzh_start(d, args, NULL);
	assert_int_equal(limit_of(d, tok), 9);

	/* The file changes; the flag still wins after the reload, while
	 * the file's other change takes effect. */
	write_file(conf, "rate_limit_per_minute = 7\nlog_level = debug\n");
	assert_int_equal(kill(d->pid, SIGHUP), 0);
	assert_true(fzh_log_wait(d, "configuration reloaded", 1, FZH_WAIT_MS));
	assert_int_equal(limit_of(d, tok), 9);
	fzh_get(d, "/healthz", NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	assert_true(fzh_log_wait(d, "<7>", 1, FZH_WAIT_MS));
	fzh_stop_ok(d);
}

/*
 * --demo.
 */
/* Reads the token printed after mark on the daemon's stdout into tok. */
static void
demo_printed(const struct fzd *d, const char *mark, char *tok, size_t size)
{
	char *out, *p;
	size_t n;

	if (!fzh_file_wait(d->out, mark, FZH_WAIT_MS))
		fail_msg("--demo printed no \"%s\"", mark);
	out = fzh_slurp(d->out, NULL);
	assert_non_null(out);
	p = strstr(out, mark) + strlen(mark);
	n = strcspn(p, "\r\n");
	snprintf(tok, size, "%.*s", (int)n, p);
	free(out);
	if (!fzh_match("^fz_live_[0-9A-Za-z]{40}$", tok))
		fail_msg("demo key \"%s\" is not a token", tok);
}

/* Reads the demo's API token from the daemon's stdout into tok. */
static void
demo_token(const struct fzd *d, char *tok, size_t size)
{
	demo_printed(d, "API key (shown once): ", tok, size);
}

/* Checks tok is the demo's agency write key; returns its workspace. */
static void
demo_check(const struct fzd *d, const char *tok, char *ws, size_t size)
{
	struct fzh_res res;
	json_t *scopes;

	fzh_get(d, "/api/v1/auth", tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.workspace.plan"), "agency");
	scopes = fzh_json_get(&res, "data.key.scopes");
	assert_true(json_is_array(scopes));
	assert_int_equal(json_array_size(scopes), 2);
	fzh_assert_str(json_string_value(json_array_get(scopes, 0)), "read");
	fzh_assert_str(json_string_value(json_array_get(scopes, 1)), "write");
	assert_non_null(fzh_json_str(&res, "data.workspace.id"));
	snprintf(ws, size, "%s", fzh_json_str(&res, "data.workspace.id"));
	fzh_res_free(&res);
}

static void
test_demo(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--demo", NULL };
	char tok[128], admin[128], ws[64], url[128];
	struct fzh_res res;
	char *out;

	fzh_start(d, args, NULL);
	demo_token(d, tok, sizeof(tok));
	demo_check(d, tok, ws, sizeof(ws));
	/* The console's address and the admin key it signs in with. */
	demo_printed(d, "Console admin key (shown once): ", admin,
	    sizeof(admin));
	snprintf(url, sizeof(url), "Workspace console: http://127.0.0.1:%d/"
	    "console\n", d->port);
	out = fzh_slurp(d->out, NULL);
	assert_non_null(out);
	assert_non_null(strstr(out, url));
	free(out);
	fzh_get(d, "/api/v1/keys", admin, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	fzh_get(d, "/console", NULL, &res);
	assert_int_equal(res.status, 200);
	fzh_res_free(&res);
	fzh_stop_ok(d);
	assert_int_equal(fzh_log_count(d, tok), 0);	/* stdout only */
	assert_int_equal(fzh_log_count(d, admin), 0);
}

static void
test_demo_rerun_revokes(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--demo", NULL };
	char tok1[128], tok2[128], ws1[64], ws2[64], admin1[128];
	struct fzh_res res;

	fzh_start(d, args, NULL);
	demo_token(d, tok1, sizeof(tok1));
	demo_check(d, tok1, ws1, sizeof(ws1));
	demo_printed(d, "Console admin key (shown once): ", admin1,
	    sizeof(admin1));
	fzh_stop_ok(d);

	fzh_start(d, args, NULL);
	demo_token(d, tok2, sizeof(tok2));
	assert_string_not_equal(tok1, tok2);
	demo_check(d, tok2, ws2, sizeof(ws2));
	fzh_assert_str(ws2, ws1);		/* one demo workspace */
	fzh_get(d, "/api/v1/auth", tok1, &res);
	fzh_assert_envelope(&res, 401, "UNAUTHORIZED");
	fzh_res_free(&res);
	fzh_get(d, "/api/v1/auth", admin1, &res);
	fzh_assert_envelope(&res, 401, "UNAUTHORIZED");
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

/*
 * The state directory's modes.
 */
static void
assert_mode(const char *path, unsigned want)
{
	struct stat sb;

	if (lstat(path, &sb) != 0)
		fail_msg("%s: %s", path, strerror(errno));
	if ((sb.st_mode & 07777) != want)
		fail_msg("%s has mode %04o, want %04o", path,
		    (unsigned)sb.st_mode & 07777, want);
}

/* A state directory others can reach, with files they can read (a
 * restore under a loose umask), is tightened at start-up to 0700 and
 * 0600, each change logged as a warning; a link out of it and a
 * directory in it are left alone. */
static void
test_state_dir_tightened(void **state)
{
	struct fzd *d = *state;
	static const char *const files[] = { "data.mdb", "lock.mdb",
	    "secret.key", "serve.lock", "notes.txt" };
	char path[256], outside[] = "/tmp/fzrelay-e2e-outside.XXXXXX";
	char line[320];
	size_t i;
	int fd;

	fzh_start(d, NULL, NULL);
	fzh_stop_ok(d);
	snprintf(path, sizeof(path), "%s/notes.txt", d->dir);
	write_file(path, "kept beside the state\n");
	assert_true((fd = mkstemp(outside)) >= 0);
	close(fd);
	assert_int_equal(chmod(outside, 0644), 0);
	snprintf(path, sizeof(path), "%s/link", d->dir);
	assert_int_equal(symlink(outside, path), 0);
	snprintf(path, sizeof(path), "%s/sub", d->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(chmod(path, 0755), 0);
	assert_int_equal(chmod(d->dir, 0755), 0);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", d->dir, files[i]);
		assert_int_equal(chmod(path, i == 1 ? 0666 : 0644), 0);
	}

	fzh_start(d, NULL, NULL);
	assert_mode(d->dir, 0700);
	snprintf(line, sizeof(line), "<4>state_dir %s had mode 0755, open to "
	    "others: tightened to 0700", d->dir);
	if (fzh_log_count(d, line) != 1)
		fail_msg("no \"%s\" in the log", line);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", d->dir, files[i]);
		assert_mode(path, 0600);
		snprintf(line, sizeof(line), "<4>%s had mode %s, open to "
		    "others: tightened to 0600", path, i == 1 ? "0666" : "0644");
		if (fzh_log_count(d, line) != 1)
			fail_msg("no \"%s\" in the log", line);
	}
	assert_mode(outside, 0644);
	snprintf(path, sizeof(path), "%s/sub", d->dir);
	assert_mode(path, 0755);
	fzh_stop_ok(d);
	assert_int_equal(unlink(outside), 0);

	/* Tight now: the next start has nothing to say. */
	fzh_start(d, NULL, NULL);
	fzh_stop_ok(d);
	assert_int_equal(fzh_log_count(d, "tightened"), 0);
}

/* Runs fzrelay serve on d's state dir as nobody, with stderr in log,
 * and returns its wait status. */
static int
serve_as_nobody(const struct fzd *d, const char *log)
{
	long long end = fzh_now_ms() + FZH_WAIT_MS;
	pid_t pid;
	int fd, status;

	if ((pid = fork()) < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 ||
		    dup2(fd, 2) < 0)
			_exit(126);
		execl("/usr/bin/setpriv", "setpriv", "--reuid=65534",
		    "--regid=65534", "--clear-groups", fzh_bin(), "serve",
		    "--listen", "127.0.0.1:0", "--state-dir", d->dir,
		    (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (fzh_now_ms() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fail_msg("fzrelay as nobody did not exit");
		}
		usleep(20 * 1000);
	}
	return status;
}

/* A state directory open to others that this user cannot tighten (not
 * its owner) is refused at start-up, saying why. */
static void
test_state_dir_not_owner(void **state)
{
	struct fzd *d = *state;
	char log[] = "/tmp/fzrelay-e2e-nobody.XXXXXX", *text;
	int fd, status;

	if (geteuid() != 0 || access("/usr/bin/setpriv", X_OK) != 0) {
		print_message("# skipped: needs root and setpriv to run as "
		    "another user\n");
		skip();
	}
	fzh_start(d, NULL, NULL);
	fzh_stop_ok(d);
	assert_int_equal(chmod(d->dir, 0755), 0);
	assert_true((fd = mkstemp(log)) >= 0);
	close(fd);
	status = serve_as_nobody(d, log);
	text = fzh_slurp(log, NULL);
	assert_non_null(text);
	unlink(log);
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 0 ||
	    WEXITSTATUS(status) >= 126 || strstr(text, "cannot be tightened "
	    "to 0700") == NULL || strstr(text, d->dir) == NULL)
		fail_msg("status %d: %s", status, text);
	assert_null(strstr(text, "listening on"));
	free(text);
	assert_mode(d->dir, 0755);
	assert_int_equal(chmod(d->dir, 0700), 0);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fzh_setup, fzh_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bad_config_file),
		T(test_bad_env_value),
		T(test_bad_flag_value),
		T(test_log_priority_prefixes),
		T(test_notify_socket_path),
		T(test_notify_socket_abstract),
		T(test_sigterm_answers_in_flight),
		T(test_sigterm_idle_connections),
		T(test_sigterm_shutdown_timeout),
		T(test_second_signal_exits),
		T(test_sighup_reload),
		T(test_sighup_broken_config),
		T(test_config_precedence),
		T(test_sighup_keeps_flags),
		T(test_demo),
		T(test_demo_rerun_revokes),
		T(test_state_dir_tightened),
		T(test_state_dir_not_owner),
	};

	return cmocka_run_group_tests_name("e2e_daemon", tests,
	    fzh_group_setup, fzh_group_teardown);
}
