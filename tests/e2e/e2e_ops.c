/*
 * e2e_ops.c: what an operator and an attacker do to a running daemon:
 * a hot backup restored into a new state directory; a second daemon on
 * the same state; bodies that are deeply nested or not UTF-8; thousands
 * of idle connections against the connection cap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/resource.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/e2e/harness.h"

static int
post(struct fzd *d, const char *token, const char *path, const char *body,
    size_t len, struct fzh_res *res)
{
	char auth[128];
	const char *hdrs[3];

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	hdrs[0] = auth;
	hdrs[1] = "Content-Type: application/json";
	hdrs[2] = NULL;
	memset(res, 0, sizeof(*res));
	return fzh_http(d, "POST", path, hdrs, body, len, res);
}

static void
copy_file(const char *from, const char *to)
{
	size_t len;
	char *data = fzh_slurp(from, &len);
	FILE *f;

	assert_non_null(data);
	assert_non_null(f = fopen(to, "wb"));
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(data);
}

static void
test_backup_restore(void **state)
{
	struct fzd *d = *state, r;
	char ws[64], token[64], out[512], dir[256], from[320], to[320];
	char id[64], path[160];
	const char *const args[] = { "journal", "backup", dir, NULL };
	static const char project[] = "{\"name\":\"Kept\",\"clientName\":"
	    "\"Jane\",\"clientEmail\":\"jane@example.com\",\"projectType\":"
	    "\"SEO\",\"launchDate\":\"2026-06-01\"}";
	struct fzh_res res;
	int rc;

	fzh_workspace(d->dir, "Backed up", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read,write", "ops", token, sizeof(token));
	fzh_start(d, NULL, NULL);
	assert_int_equal(post(d, token, "/api/v1/projects", project,
	    strlen(project), &res), 201);
	snprintf(id, sizeof(id), "%s", fzh_json_str(&res, "data.id"));
	fzh_res_free(&res);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/pack/send", id);
	assert_int_equal(post(d, token, path, "{}", 2, &res), 200);
	fzh_res_free(&res);

	/* A hot backup, while the daemon runs. */
	snprintf(dir, sizeof(dir), "%s/backup", d->dir);
	rc = fzh_run(args, NULL, d->dir, out, sizeof(out), NULL, 0);
	assert_int_equal(rc, 0);
	fzh_stop_ok(d);

	/* The documented restore: both files into an empty state dir. */
	fzh_init(&r);
	snprintf(from, sizeof(from), "%s/data.mdb", dir);
	snprintf(to, sizeof(to), "%s/data.mdb", r.dir);
	copy_file(from, to);
	snprintf(from, sizeof(from), "%s/secret.key", dir);
	snprintf(to, sizeof(to), "%s/secret.key", r.dir);
	copy_file(from, to);
	assert_int_equal(chmod(to, 0600), 0);
	fzh_start(&r, NULL, NULL);
	snprintf(path, sizeof(path), "/api/v1/projects/%s", id);
	assert_int_equal(fzh_get(&r, path, token, &res), 200);
	fzh_assert_str(fzh_json_str(&res, "data.status"), "sent");
	fzh_res_free(&res);
	assert_int_equal(fzh_get(&r, "/api/v1/zapier/triggers/pack-sent", token,
	    &res), 200);
	assert_int_equal(json_array_size(res.json), 1);
	fzh_res_free(&res);
	fzh_stop_ok(&r);
	fzh_cleanup(&r);
}

/* One daemon per state directory: a second is refused and the first goes
 * on; the admin commands still work beside it; once the first is killed,
 * kill -9 included, the directory is free again. */
static void
test_one_daemon_per_state(void **state)
{
	struct fzd *d = *state;
	const char *const args[] = { "serve", "--listen", "127.0.0.1:0",
	    NULL };
	char out[256], err[2048], pid[32];
	struct fzh_res res;
	int rc, status;

	fzh_start(d, NULL, NULL);
	snprintf(pid, sizeof(pid), "pid %ld", (long)d->pid);
	rc = fzh_run(args, NULL, d->dir, out, sizeof(out), err, sizeof(err));
	assert_true(rc > 0 && rc < 128);
	assert_non_null(strstr(err, "is in use by another fzrelay serve"));
	assert_non_null(strstr(err, pid));
	assert_int_equal(fzh_get(d, "/healthz", NULL, &res), 200);
	fzh_res_free(&res);
	assert_int_equal(fzh_cli(d->dir, out, sizeof(out), "workspace",
	    "list", NULL), 0);

	assert_int_equal(kill(d->pid, SIGKILL), 0);
	assert_int_equal(fzh_wait_exit(d, 5000, &status), 1);
	fzh_start(d, NULL, NULL);
	fzh_stop_ok(d);
	fzh_start(d, NULL, NULL);
	fzh_stop_ok(d);
}

static void
test_hostile_bodies(void **state)
{
	struct fzd *d = *state;
	enum { DEPTH = 100000 };
	char ws[64], token[64], *deep;
	static const char bad_utf8[] = "{\"name\":\"caf\xc3\x28\","
	    "\"email\":\"a@example.com\"}";
	static const char overlong[] = "{\"name\":\"\xc0\xaf\","
	    "\"email\":\"a@example.com\"}";
	static const char nul[] = "{\"name\":\"a\\u0000b\","
	    "\"email\":\"a@example.com\"}";
	struct fzh_res res;
	size_t i;

	fzh_workspace(d->dir, "Hostile", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read,write", "ops", token, sizeof(token));
	fzh_start(d, NULL, NULL);

	/* 100,000 nested arrays: refused, not a stack overflow. */
	assert_non_null(deep = malloc(2 * DEPTH + 1));
	for (i = 0; i < DEPTH; i++) {
		deep[i] = '[';
		deep[2 * DEPTH - 1 - i] = ']';
	}
	deep[2 * DEPTH] = '\0';
	assert_int_equal(post(d, token, "/api/v1/clients", deep, 2 * DEPTH,
	    &res), 400);
	fzh_assert_envelope(&res, 400, "VALIDATION_ERROR");
	fzh_res_free(&res);
	free(deep);

	assert_int_equal(post(d, token, "/api/v1/clients", bad_utf8,
	    sizeof(bad_utf8) - 1, &res), 400);
	fzh_assert_envelope(&res, 400, "VALIDATION_ERROR");
	fzh_res_free(&res);
	assert_int_equal(post(d, token, "/api/v1/clients", overlong,
	    sizeof(overlong) - 1, &res), 400);
	fzh_res_free(&res);
	assert_int_equal(post(d, token, "/api/v1/clients", nul,
	    sizeof(nul) - 1, &res), 400);
	fzh_res_free(&res);
	/* Nothing was stored; the daemon is fine. */
	assert_int_equal(fzh_get(d, "/api/v1/clients", token, &res), 200);
	assert_int_equal(json_array_size(fzh_json_get(&res, "data")), 0);
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_connection_cap(void **state)
{
	struct fzd *d = *state;
	enum { IDLE = 10000, CAP = 500 };
	const char *const args[] = { "--max-connections", "500",
	    "--idle-timeout-ms", "60000", NULL };
	struct sockaddr_in sin;
	struct rlimit rl;
	struct fzh_conn c;
	struct fzh_res res;
	int *fds, i, opened = 0;

	/* The test holds the connections, so it needs the descriptors. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < IDLE + 256 && rl.rlim_max >= IDLE + 256) {
		rl.rlim_cur = IDLE + 256;
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	}
	fzh_start(d, args, NULL);
	assert_non_null(fds = calloc(IDLE, sizeof(*fds)));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)d->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < IDLE && (size_t)i + 64 < rl.rlim_cur; i++) {
		if ((fds[i] = socket(AF_INET, SOCK_STREAM, 0)) < 0)
			break;
		if (connect(fds[i], (struct sockaddr *)&sin, sizeof(sin)) !=
		    0) {
			close(fds[i]);
			break;
		}
		opened++;
	}
	assert_true(opened > CAP + 100);
	/* A newcomer past the cap is told why, in the envelope... */
	fzh_conn_open(&c, d);
	memset(&res, 0, sizeof(res));
	assert_int_equal(fzh_conn_read(&c, &res, 0, 5000), 0);
	assert_int_equal(res.status, 503);
	fzh_assert_envelope(&res, 503, "SERVICE_UNAVAILABLE");
	fzh_res_free(&res);
	fzh_conn_close(&c);
	/* ...and once the idle ones go, service resumes. */
	for (i = 0; i < opened; i++)
		close(fds[i]);
	free(fds);
	for (i = 0; i < 50; i++) {
		memset(&res, 0, sizeof(res));
		if (fzh_get(d, "/healthz", NULL, &res) == 200)
			break;
		fzh_res_free(&res);
		usleep(100 * 1000);
	}
	assert_int_equal(res.status, 200);
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backup_restore, fzh_setup,
		    fzh_teardown),
		cmocka_unit_test_setup_teardown(test_one_daemon_per_state,
		    fzh_setup, fzh_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_bodies, fzh_setup,
		    fzh_teardown),
		cmocka_unit_test_setup_teardown(test_connection_cap, fzh_setup,
		    fzh_teardown),
	};

	return cmocka_run_group_tests_name("ops", tests, fzh_group_setup,
	    fzh_group_teardown);
}
