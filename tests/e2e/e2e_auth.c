/*
 * e2e_auth.c: API keys against the running daemon: plans, missing,
 * unknown, malformed and revoked keys, rate limits per key and failed
 * attempts per address, tokens never echoed, last-used recorded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/e2e/harness.h"

#define UNKNOWN_TOKEN	"fz_live_0123456789abcdefghijABCDEFGHIJ0123456789"

/* Asserts neither the token nor its secret part is in the body. */
static void
assert_no_token(const struct fzh_res *res, const char *token)
{
	if (fzh_contains(res->body, res->len, token))
		fail_msg("the token is in the answer: %s", res->body);
	if (strlen(token) > 20 &&
	    fzh_contains(res->body, res->len, token + 8))
		fail_msg("the token's secret part is in the answer: %s",
		    res->body);
}

/* Asserts the daemon's log holds no trace of the token. */
static void
assert_log_clean(const struct fzd *d, const char *token)
{
	assert_int_equal(fzh_log_count(d, token), 0);
	assert_int_equal(fzh_log_count(d, token + 8), 0);
}

/* GETs path with an Authorization header of exactly value. */
static int
get_auth(const struct fzd *d, const char *path, const char *value,
    struct fzh_res *res)
{
	char hdr[512];
	const char *hdrs[] = { hdr, NULL };

	snprintf(hdr, sizeof(hdr), "Authorization: %s", value);
	return fzh_http(d, "GET", path, hdrs, NULL, 0, res);
}

/* Returns a header's value as a number; fails unless it is one. */
static unsigned long
header_num(const struct fzh_res *res, const char *name)
{
	const char *v = fzh_header(res, name);
	unsigned long n;
	char *end;

	if (v == NULL)
		fail_msg("no %s header", name);
	n = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0')
		fail_msg("%s: %s is not a number", name, v);
	return n;
}

static void
test_auth_agency(void **state)
{
	struct fzd *d = *state;
	char ws[64], tok[64];
	struct fzh_res res;
	json_t *scopes;

	fzh_workspace(d->dir, "Acme Agency", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read,write", "zapier", tok, sizeof(tok));
	fzh_start(d, NULL, NULL);
	fzh_get(d, "/api/v1/auth", tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.workspace.id"), ws);
	fzh_assert_str(fzh_json_str(&res, "data.workspace.name"),
	    "Acme Agency");
	fzh_assert_str(fzh_json_str(&res, "data.workspace.plan"), "agency");
	assert_true(fzh_match("^key_[0-9A-Za-z]+$",
	    fzh_json_str(&res, "data.key.id")));
	fzh_assert_str(fzh_json_str(&res, "data.key.name"), "zapier");
	scopes = fzh_json_get(&res, "data.key.scopes");
	assert_true(json_is_array(scopes));
	assert_int_equal(json_array_size(scopes), 2);
	fzh_assert_str(json_string_value(json_array_get(scopes, 0)), "read");
	fzh_assert_str(json_string_value(json_array_get(scopes, 1)), "write");
	/* The prefix is the token's public part: no secret character. */
	fzh_assert_str(fzh_json_str(&res, "data.key.prefix"), "fz_live_");
	assert_no_token(&res, tok);
	fzh_res_free(&res);
	fzh_stop_ok(d);
	assert_log_clean(d, tok);
}

static void
test_auth_pro_me(void **state)
{
	struct fzd *d = *state;
	char ws[64], tok[64];
	struct fzh_res res;
	const char *label;

	fzh_workspace(d->dir, "Pro Studio", "pro", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read", "crm", tok, sizeof(tok));
	fzh_start(d, NULL, NULL);
	fzh_get(d, "/api/v1/auth", tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.workspace.plan"), "pro");
	assert_int_equal(json_array_size(fzh_json_get(&res,
	    "data.key.scopes")), 1);
	assert_no_token(&res, tok);
	fzh_res_free(&res);

	fzh_get(d, "/api/v1/me", tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	label = fzh_json_str(&res, "data.label");
	assert_non_null(label);
	assert_non_null(strstr(label, "Pro Studio"));
	assert_no_token(&res, tok);
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_auth_free_plan(void **state)
{
	struct fzd *d = *state;
	char ws[64], tok[64];
	struct fzh_res res;

	fzh_workspace(d->dir, "Free Tier", "free", ws, sizeof(ws));
	fzh_key(d->dir, ws, "admin", "k", tok, sizeof(tok));
	fzh_start(d, NULL, NULL);
	fzh_get(d, "/api/v1/auth", tok, &res);
	fzh_assert_envelope(&res, 403, "PLAN_LIMIT");
	assert_no_token(&res, tok);
	fzh_res_free(&res);
	fzh_get(d, "/api/v1/me", tok, &res);
	fzh_assert_envelope(&res, 403, "PLAN_LIMIT");
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_auth_missing(void **state)
{
	struct fzd *d = *state;
	struct fzh_res res;

	fzh_start(d, NULL, NULL);
	fzh_get(d, "/api/v1/auth", NULL, &res);
	fzh_assert_envelope(&res, 401, "UNAUTHORIZED");
	fzh_res_free(&res);
	fzh_get(d, "/api/v1/me", NULL, &res);
	fzh_assert_envelope(&res, 401, "UNAUTHORIZED");
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_auth_unknown_token(void **state)
{
	struct fzd *d = *state;
	char ws[64], tok[64];
	struct fzh_res res;

	/* A real key exists, so "unknown" is not "no keys at all". */
	fzh_workspace(d->dir, "A", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read", "k", tok, sizeof(tok));
	fzh_start(d, NULL, NULL);
	fzh_get(d, "/api/v1/auth", UNKNOWN_TOKEN, &res);
	fzh_assert_envelope(&res, 401, "UNAUTHORIZED");
	assert_no_token(&res, UNKNOWN_TOKEN);
	fzh_res_free(&res);
	/* The real token with one character changed. */
	tok[20] = tok[20] == 'a' ? 'b' : 'a';
	fzh_get(d, "/api/v1/auth", tok, &res);
	fzh_assert_envelope(&res, 401, "UNAUTHORIZED");
	assert_no_token(&res, tok);
	fzh_res_free(&res);
	fzh_stop_ok(d);
	assert_log_clean(d, UNKNOWN_TOKEN);
	assert_log_clean(d, tok);
}

static void
test_auth_malformed(void **state)
{
	static const char *const bad[] = {
		"Bearer fz_live_short",
		"Bearer not-a-token-at-all-but-quite-long-1234567890",
		"Bearer fz_live_0123456789abcdefghijABCDEFGHIJ012345678!",
		"Bearer ",
		"Bearer",
		"Basic dXNlcjpwYXNzd29yZA==",
		"fz_live_0123456789abcdefghijABCDEFGHIJ0123456789",
	};
	struct fzd *d = *state;
	char ws[64], tok[64], value[256];
	struct fzh_res res;
	size_t i;

	fzh_workspace(d->dir, "A", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read", "k", tok, sizeof(tok));
	fzh_start(d, NULL, NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		get_auth(d, "/api/v1/auth", bad[i], &res);
		fzh_assert_envelope(&res, 401, "UNAUTHORIZED");
		if (strlen(bad[i]) > 12)
			assert_no_token(&res, bad[i] + 7);
		fzh_res_free(&res);
	}
	/* A valid token under another scheme, or with trailing words. */
	snprintf(value, sizeof(value), "Basic %s", tok);
	get_auth(d, "/api/v1/auth", value, &res);
	fzh_assert_envelope(&res, 401, "UNAUTHORIZED");
	assert_no_token(&res, tok);
	fzh_res_free(&res);
	snprintf(value, sizeof(value), "Bearer %s extra", tok);
	get_auth(d, "/api/v1/auth", value, &res);
	fzh_assert_envelope(&res, 401, "UNAUTHORIZED");
	assert_no_token(&res, tok);
	fzh_res_free(&res);
	fzh_stop_ok(d);
	assert_log_clean(d, tok);
}

static void
test_auth_revoked_live(void **state)
{
	struct fzd *d = *state;
	char ws[64], tok[64], id[64], out[256];
	struct fzh_res res;

	fzh_workspace(d->dir, "A", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "write", "k", tok, sizeof(tok));
	fzh_start(d, NULL, NULL);
	fzh_get(d, "/api/v1/auth", tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_non_null(fzh_json_str(&res, "data.key.id"));
	snprintf(id, sizeof(id), "%s", fzh_json_str(&res, "data.key.id"));
	fzh_res_free(&res);

	assert_int_equal(fzh_cli(d->dir, out, sizeof(out), "key", "revoke",
	    id, NULL), 0);
	fzh_get(d, "/api/v1/auth", tok, &res);
	fzh_assert_envelope(&res, 401, "UNAUTHORIZED");
	assert_no_token(&res, tok);
	fzh_res_free(&res);
	fzh_get(d, "/api/v1/me", tok, &res);
	fzh_assert_envelope(&res, 401, "UNAUTHORIZED");
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_rate_limit_headers(void **state)
{
	struct fzd *d = *state;
	char ws[64], tok[64];
	struct fzh_res res;
	unsigned long limit, rem1, rem2;

	fzh_workspace(d->dir, "A", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read", "k", tok, sizeof(tok));
	fzh_start(d, NULL, NULL);
	fzh_get(d, "/api/v1/auth", tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	limit = header_num(&res, "X-RateLimit-Limit");
	rem1 = header_num(&res, "X-RateLimit-Remaining");
	header_num(&res, "X-RateLimit-Reset");
	assert_int_equal(limit, 600);
	assert_true(rem1 < limit);
	fzh_res_free(&res);
	fzh_get(d, "/api/v1/me", tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	rem2 = header_num(&res, "X-RateLimit-Remaining");
	assert_true(rem2 < rem1);
	assert_true(header_num(&res, "X-RateLimit-Reset") >= 1);
	fzh_res_free(&res);
	/* Unauthenticated answers have no bucket to show. */
	fzh_get(d, "/healthz", NULL, &res);
	assert_null(fzh_header(&res, "X-RateLimit-Limit"));
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_rate_limited(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--rate-limit-per-minute", "3", NULL };
	char ws[64], tok[64], tok2[64];
	struct fzh_res res;
	int i;

	fzh_workspace(d->dir, "A", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read", "k1", tok, sizeof(tok));
	fzh_key(d->dir, ws, "read", "k2", tok2, sizeof(tok2));
	fzh_start(d, args, NULL);
	for (i = 0; i < 3; i++) {
		fzh_get(d, "/api/v1/auth", tok, &res);
		fzh_assert_envelope(&res, 200, NULL);
		assert_int_equal(header_num(&res, "X-RateLimit-Limit"), 3);
		assert_int_equal(header_num(&res, "X-RateLimit-Remaining"),
		    (unsigned long)(2 - i));
		fzh_res_free(&res);
	}
	fzh_get(d, "/api/v1/auth", tok, &res);
	fzh_assert_envelope(&res, 429, "RATE_LIMITED");
	assert_true(header_num(&res, "Retry-After") >= 1);
	assert_int_equal(header_num(&res, "X-RateLimit-Remaining"), 0);
	assert_no_token(&res, tok);
	fzh_res_free(&res);
	/* The bucket is the key's: another key is not limited. */
	fzh_get(d, "/api/v1/auth", tok2, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_auth_fail_limit(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--auth-fail-limit-per-minute", "3", NULL };
	char ws[64], tok[64];
	struct fzh_res res;
	int i;

	fzh_workspace(d->dir, "A", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read", "k", tok, sizeof(tok));
	fzh_start(d, args, NULL);
	/* A valid key first: successes do not count. */
	fzh_get(d, "/api/v1/auth", tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	for (i = 0; i < 3; i++) {
		fzh_get(d, "/api/v1/auth", UNKNOWN_TOKEN, &res);
		fzh_assert_envelope(&res, 401, "UNAUTHORIZED");
		fzh_res_free(&res);
	}
	fzh_get(d, "/api/v1/auth", UNKNOWN_TOKEN, &res);
	fzh_assert_envelope(&res, 429, "RATE_LIMITED");
	assert_true(header_num(&res, "Retry-After") >= 1);
	assert_no_token(&res, UNKNOWN_TOKEN);
	fzh_res_free(&res);
	/* Failures never lock out a valid key from the same address (a
	 * NAT, Zapier's egress): only the guesses are limited. */
	for (i = 0; i < 3; i++) {
		fzh_get(d, "/api/v1/auth", tok, &res);
		fzh_assert_envelope(&res, 200, NULL);
		fzh_res_free(&res);
		fzh_get(d, "/api/v1/auth", UNKNOWN_TOKEN, &res);
		fzh_assert_envelope(&res, 429, "RATE_LIMITED");
		fzh_res_free(&res);
	}
	fzh_stop_ok(d);
}

/* GETs /api/v1/auth with token and the given X-Forwarded-For lines
 * (NULL-terminated). Returns the status. */
static int
get_via(const struct fzd *d, const char *token, const char *const *xff,
    struct fzh_res *res)
{
	char auth[256], lines[4][256];
	const char *hdrs[6];
	int n = 0;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	hdrs[n++] = auth;
	for (; *xff != NULL && n < 5; xff++, n++) {
		snprintf(lines[n - 1], sizeof(lines[0]), "X-Forwarded-For: %s",
		    *xff);
		hdrs[n] = lines[n - 1];
	}
	hdrs[n] = NULL;
	return fzh_http(d, "GET", "/api/v1/auth", hdrs, NULL, 0, res);
}

/*
 * Behind a trusted proxy the failed-auth limit counts the client the
 * proxy names, from the right of X-Forwarded-For; what the client wrote
 * further left is not believed, and without trusted_proxies the header
 * is never read.
 */
static void
test_auth_fail_proxies(void **state)
{
	static const char *const a[] = { "203.0.113.5", NULL };
	static const char *const b[] = { "203.0.113.6", NULL };
	static const char *const spoof[] = { "203.0.113.99, 203.0.113.5",
	    NULL };
	static const char *const two[] = { "203.0.113.99", "203.0.113.5",
	    NULL };
	static const char *const chain[] = { "203.0.113.5, 127.0.0.1", NULL };
	static const char *const junk[] = { "203.0.113.5, not-an-address",
	    NULL };
	struct fzd *d = *state;
	const char *args[] = { "--auth-fail-limit-per-minute", "2",
	    "--trusted-proxies", "127.0.0.1, 10.0.0.0/8", NULL };
	const char *plain[] = { "--auth-fail-limit-per-minute", "2", NULL };
	struct fzh_res res;
	int i;

	fzh_start(d, args, NULL);
	for (i = 0; i < 2; i++) {
		assert_int_equal(get_via(d, UNKNOWN_TOKEN, a, &res), 401);
		fzh_res_free(&res);
	}
	assert_int_equal(get_via(d, UNKNOWN_TOKEN, a, &res), 429);
	fzh_res_free(&res);
	/* Another client behind the same proxy is not locked out. */
	assert_int_equal(get_via(d, UNKNOWN_TOKEN, b, &res), 401);
	fzh_res_free(&res);
	/* Prepending another address does not escape the count, in one
	 * line or two; a trusted hop to the right is skipped. */
	assert_int_equal(get_via(d, UNKNOWN_TOKEN, spoof, &res), 429);
	fzh_res_free(&res);
	assert_int_equal(get_via(d, UNKNOWN_TOKEN, two, &res), 429);
	fzh_res_free(&res);
	assert_int_equal(get_via(d, UNKNOWN_TOKEN, chain, &res), 429);
	fzh_res_free(&res);
	/* Junk ends the chain at the proxy, which is then the client. */
	assert_int_equal(get_via(d, UNKNOWN_TOKEN, junk, &res), 401);
	fzh_res_free(&res);
	assert_int_equal(get_via(d, UNKNOWN_TOKEN, junk, &res), 401);
	fzh_res_free(&res);
	assert_int_equal(get_via(d, UNKNOWN_TOKEN, b, &res), 401);
	fzh_res_free(&res);
	assert_int_equal(get_via(d, UNKNOWN_TOKEN, junk, &res), 429);
	fzh_res_free(&res);
	fzh_stop_ok(d);

	/* Not a trusted proxy: every guess counts against the peer. */
	fzh_start(d, plain, NULL);
	assert_int_equal(get_via(d, UNKNOWN_TOKEN, a, &res), 401);
	fzh_res_free(&res);
	assert_int_equal(get_via(d, UNKNOWN_TOKEN, b, &res), 401);
	fzh_res_free(&res);
	assert_int_equal(get_via(d, UNKNOWN_TOKEN, spoof, &res), 429);
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

/* Two Authorization lines are refused whatever they hold: a proxy that
 * reads the other one would judge another key. */
static void
test_auth_two_lines(void **state)
{
	struct fzd *d = *state;
	char ws[64], tok[64], a1[128], a2[128];
	const char *hdrs[] = { a1, a2, NULL };
	struct fzh_res res;

	fzh_workspace(d->dir, "A", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read", "k", tok, sizeof(tok));
	fzh_start(d, NULL, NULL);
	snprintf(a1, sizeof(a1), "Authorization: Bearer %s", tok);
	snprintf(a2, sizeof(a2), "Authorization: Bearer %s", UNKNOWN_TOKEN);
	fzh_http(d, "GET", "/api/v1/auth", hdrs, NULL, 0, &res);
	fzh_assert_envelope(&res, 401, "UNAUTHORIZED");
	fzh_res_free(&res);
	snprintf(a2, sizeof(a2), "Authorization: Bearer %s", tok);
	fzh_http(d, "GET", "/api/v1/auth", hdrs, NULL, 0, &res);
	fzh_assert_envelope(&res, 401, "UNAUTHORIZED");
	fzh_res_free(&res);
	fzh_get(d, "/api/v1/auth", tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

/* RFC 9110 and 6750: a 401 names the Bearer scheme, and says when the
 * token was the problem. */
static void
test_auth_www_authenticate(void **state)
{
	struct fzd *d = *state;
	struct fzh_res res;
	const char *www;

	fzh_start(d, NULL, NULL);
	fzh_get(d, "/api/v1/auth", NULL, &res);
	fzh_assert_envelope(&res, 401, "UNAUTHORIZED");
	www = fzh_header(&res, "WWW-Authenticate");
	assert_true(fzh_match("^Bearer realm=\"fzrelay\"$", www));
	fzh_res_free(&res);
	fzh_get(d, "/api/v1/projects", UNKNOWN_TOKEN, &res);
	fzh_assert_envelope(&res, 401, "UNAUTHORIZED");
	www = fzh_header(&res, "WWW-Authenticate");
	assert_true(fzh_match("^Bearer realm=\"fzrelay\", "
	    "error=\"invalid_token\"$", www));
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

/* Returns the tab-separated field n (0-based) of the line starting with
 * id in list, copied into buf; fails if absent. */
static const char *
list_field(const char *list, const char *id, int n, char *buf, size_t size)
{
	const char *line, *p, *end;
	int i;

	if ((line = strstr(list, id)) == NULL ||
	    (line != list && line[-1] != '\n'))
		fail_msg("%s is not listed: %s", id, list);
	p = line;
	for (i = 0; i < n; i++) {
		if ((p = strpbrk(p, "\t\n")) == NULL || *p == '\n')
			fail_msg("line of %s has no field %d", id, n);
		p++;
	}
	end = p + strcspn(p, "\t\n");
	snprintf(buf, size, "%.*s", (int)(end - p), p);
	return buf;
}

static void
test_last_used_recorded(void **state)
{
	struct fzd *d = *state;
	char ws[64], tok[64], id[64], list[4096], f[128];
	struct fzh_res res;

	fzh_workspace(d->dir, "A", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read", "k", tok, sizeof(tok));
	assert_int_equal(fzh_cli(d->dir, list, sizeof(list), "key", "list",
	    NULL), 0);
	snprintf(id, sizeof(id), "%.*s", (int)strcspn(list, "\t"), list);
	assert_true(fzh_match("^key_[0-9A-Za-z]+$", id));
	/* Columns: id, workspace, scope, prefix, created, last used,
	 * revoked, name. Never used yet. */
	fzh_assert_str(list_field(list, id, 5, f, sizeof(f)), "-");

	fzh_start(d, NULL, NULL);
	fzh_get(d, "/api/v1/auth", tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	fzh_get(d, "/api/v1/me", tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	fzh_stop_ok(d);		/* SIGTERM flushes last-used times */

	assert_int_equal(fzh_cli(d->dir, list, sizeof(list), "key", "list",
	    NULL), 0);
	list_field(list, id, 5, f, sizeof(f));
	if (!fzh_match("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$", f))
		fail_msg("last used is \"%s\" after two requests: %s", f, list);
	fzh_assert_str(list_field(list, id, 6, f, sizeof(f)), "-");
	assert_int_equal(fzh_contains(list, strlen(list), tok), 0);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fzh_setup, fzh_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_auth_agency),
		T(test_auth_pro_me),
		T(test_auth_free_plan),
		T(test_auth_missing),
		T(test_auth_unknown_token),
		T(test_auth_malformed),
		T(test_auth_revoked_live),
		T(test_rate_limit_headers),
		T(test_rate_limited),
		T(test_auth_fail_limit),
		T(test_auth_fail_proxies),
		T(test_auth_www_authenticate),
		T(test_auth_two_lines),
		T(test_last_used_recorded),
	};

	return cmocka_run_group_tests_name("e2e_auth", tests,
	    fzh_group_setup, fzh_group_teardown);
}
