/*
 * e2e_ingest.c: POST /internal/events, the upstream store's signed event
 * reports: journaled once, refused unsigned, stale or malformed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/sign.h"
#include "tests/e2e/harness.h"

#define SECRET	"an-ingest-secret-of-some-length"

static const char *const ingest_args[] = { "--ingest-secret", SECRET, NULL };

/* Posts body signed with secret at ts (0: now) as message id. */
static int
post_signed(struct fzd *d, const char *secret, const char *id, long long ts,
    const char *body, struct fzh_res *res)
{
	char whsec[128], sig[SIGN_SIZE], h_id[128], h_ts[64], h_sig[128];
	const char *hdrs[5];
	size_t i, n = strlen(secret);
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
	    "rstuvwxyz0123456789+/";
	size_t o = 6;

	/* The daemon takes a plain secret's bytes as the key. */
	memcpy(whsec, "whsec_", 6);
	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)secret[i] << 16;

		if (i + 1 < n)
			v |= (unsigned char)secret[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)secret[i + 2];
		whsec[o++] = b64[(v >> 18) & 63];
		whsec[o++] = b64[(v >> 12) & 63];
		whsec[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		whsec[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	whsec[o] = '\0';
	if (ts == 0)
		ts = (long long)time(NULL);
	assert_int_equal(sign_webhook(whsec, id, ts, body, strlen(body), sig),
	    0);
	snprintf(h_id, sizeof(h_id), "webhook-id: %s", id);
	snprintf(h_ts, sizeof(h_ts), "webhook-timestamp: %lld", ts);
	snprintf(h_sig, sizeof(h_sig), "webhook-signature: %s", sig);
	hdrs[0] = h_id;
	hdrs[1] = h_ts;
	hdrs[2] = h_sig;
	hdrs[3] = "Content-Type: application/json";
	hdrs[4] = NULL;
	return fzh_http(d, "POST", "/internal/events", hdrs, body,
	    strlen(body), res);
}

static void
event_body(char *buf, size_t size, const char *ws, const char *id,
    const char *type)
{
	snprintf(buf, size, "{\"id\":\"%s\",\"type\":\"%s\","
	    "\"workspace_id\":\"%s\",\"data\":{\"project_id\":"
	    "\"project_up1\",\"project_name\":\"Upstream site\","
	    "\"viewed_at\":\"2026-06-02T09:00:00.000Z\"}}", id, type, ws);
}

static void
test_ingest_once(void **state)
{
	struct fzd *d = *state;
	char ws[64], token[64], body[512];
	struct fzh_res res;
	json_t *ev;

	fzh_start(d, ingest_args, NULL);
	fzh_workspace(d->dir, "Ingest", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read", "r", token, sizeof(token));
	event_body(body, sizeof(body), ws, "up_1", "pack.viewed");

	memset(&res, 0, sizeof(res));
	assert_int_equal(post_signed(d, SECRET, "msg_1", 0, body, &res), 201);
	fzh_assert_envelope(&res, 201, NULL);
	assert_true(json_is_false(fzh_json_get(&res, "data.duplicate")));
	assert_true(json_is_integer(fzh_json_get(&res, "data.seq")));
	assert_int_equal(json_integer_value(fzh_json_get(&res, "data.seq")), 1);
	assert_int_equal(json_object_size(fzh_json_get(&res, "data")), 2);
	fzh_res_free(&res);
	/* The same upstream id again, even as another message: no-op. */
	assert_int_equal(post_signed(d, SECRET, "msg_2", 0, body, &res), 200);
	assert_true(json_is_true(fzh_json_get(&res, "data.duplicate")));
	assert_int_equal(json_object_size(fzh_json_get(&res, "data")), 1);
	fzh_res_free(&res);

	assert_int_equal(fzh_get(d, "/api/v1/events", token, &res), 200);
	assert_int_equal(json_array_size(fzh_json_get(&res, "data")), 1);
	ev = json_array_get(fzh_json_get(&res, "data"), 0);
	assert_string_equal(json_string_value(json_object_get(ev, "type")),
	    "pack.viewed");
	assert_string_equal(json_string_value(json_object_get(ev,
	    "project_name")), "Upstream site");
	assert_int_equal(strncmp(json_string_value(json_object_get(ev, "id")),
	    "evt_", 4), 0);
	fzh_res_free(&res);
	/* And the trigger serves it. */
	assert_int_equal(fzh_get(d, "/api/v1/zapier/triggers/pack-viewed",
	    token, &res), 200);
	assert_int_equal(json_array_size(res.json), 1);
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_ingest_refused(void **state)
{
	struct fzd *d = *state;
	char ws[64], body[512];
	struct fzh_res res;
	const char *hdrs[] = { "Content-Type: application/json", NULL };

	fzh_start(d, ingest_args, NULL);
	fzh_workspace(d->dir, "Ingest", "agency", ws, sizeof(ws));
	event_body(body, sizeof(body), ws, "up_2", "client.signed_off");
	memset(&res, 0, sizeof(res));

	assert_int_equal(fzh_http(d, "POST", "/internal/events", hdrs, body,
	    strlen(body), &res), 401);
	fzh_assert_envelope(&res, 401, "UNAUTHORIZED");
	fzh_res_free(&res);
	assert_int_equal(post_signed(d, "another-secret-entirely", "msg_3", 0,
	    body, &res), 401);
	fzh_res_free(&res);
	/* A signature ten minutes old is a replay, not a report. */
	assert_int_equal(post_signed(d, SECRET, "msg_4",
	    (long long)time(NULL) - 600, body, &res), 401);
	fzh_res_free(&res);

	event_body(body, sizeof(body), ws, "up_3", "pack.sent");
	assert_int_equal(post_signed(d, SECRET, "msg_5", 0, body, &res), 400);
	fzh_assert_envelope(&res, 400, "VALIDATION_ERROR");
	fzh_res_free(&res);
	event_body(body, sizeof(body), "ws_NoSuchWorkspace000000",
	    "up_4", "pack.viewed");
	assert_int_equal(post_signed(d, SECRET, "msg_6", 0, body, &res), 400);
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_ingest_unconfigured(void **state)
{
	struct fzd *d = *state;
	char ws[64], body[512];
	struct fzh_res res;

	fzh_start(d, NULL, NULL);
	fzh_workspace(d->dir, "Ingest", "agency", ws, sizeof(ws));
	event_body(body, sizeof(body), ws, "up_5", "pack.viewed");
	memset(&res, 0, sizeof(res));
	assert_int_equal(post_signed(d, SECRET, "msg_7", 0, body, &res), 404);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

/* Posts a report of upstream id up for ws with data (JSON text) and
 * returns the status. */
static int
post_data(struct fzd *d, const char *ws, const char *up, const char *data)
{
	char body[4096];
	struct fzh_res res;
	int status;

	snprintf(body, sizeof(body), "{ \"id\" : \"%s\", \"type\": "
	    "\"pack.viewed\", \"workspace_id\": \"%s\", \"data\": %s }", up,
	    ws, data);
	memset(&res, 0, sizeof(res));
	status = post_signed(d, SECRET, up, 0, body, &res);
	fzh_res_free(&res);
	return status;
}

/* The event journaled for upstream report n (the list is oldest
 * first). */
static json_t *
nth_event(struct fzh_res *res, size_t n)
{
	return json_array_get(fzh_json_get(res, "data"), n);
}

/*
 * Bodies the fast reader takes (plain JSON, any spacing) and bodies only
 * the full parser takes (escapes, reals, fields named like the event's
 * own) journal the same fields.
 */
static void
test_ingest_body_forms(void **state)
{
	struct fzd *d = *state;
	char ws[64], token[64], big[3000];
	struct fzh_res res;
	json_t *ev;
	size_t i;

	fzh_start(d, ingest_args, NULL);
	fzh_workspace(d->dir, "Ingest", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read", "r", token, sizeof(token));
	assert_int_equal(post_data(d, ws, "f_0", "{ \"project_name\" : "
	    "\"Caf\xc3\xa9\", \"n\": 3, \"nested\": {\"a\": [1, true, "
	    "null]} }"), 201);
	assert_int_equal(post_data(d, ws, "f_1", "{\"project_name\":"
	    "\"Caf\\u00e9\",\"n\":3,\"nested\":{\"a\":[1,true,null]}}"), 201);
	assert_int_equal(post_data(d, ws, "f_2", "{\"project_name\":\"Caf"
	    "\xc3\xa9\",\"n\":2.5,\"nested\":{}}"), 201);
	assert_int_equal(post_data(d, ws, "f_3", "{\"id\":\"theirs\","
	    "\"type\":\"pack.sent\",\"workspace_id\":\"ws_x\","
	    "\"occurred_at\":\"1999\",\"project_name\":\"Own\"}"), 201);
	/* Over a kilobyte of data. */
	memcpy(big, "{\"project_name\":\"", 17);
	for (i = 17; i < 2500; i++)
		big[i] = (char)('a' + i % 26);
	memcpy(big + i, "\"}", 3);
	assert_int_equal(post_data(d, ws, "f_4", big), 201);
	/* Keys named like the event's own, nested: kept where they are. */
	assert_int_equal(post_data(d, ws, "f_5", "{\"project_name\":\"Deep\","
	    "\"nested\":{\"id\":\"inner\",\"type\":\"t\"}}"), 201);
	/* A repeat in another form is still a repeat. */
	assert_int_equal(post_data(d, ws, "f_0", "{}"), 200);

	memset(&res, 0, sizeof(res));
	assert_int_equal(fzh_get(d, "/api/v1/events?limit=10", token, &res),
	    200);
	assert_int_equal(json_array_size(fzh_json_get(&res, "data")), 6);
	for (i = 0; i < 2; i++) {
		ev = nth_event(&res, i);
		assert_string_equal(json_string_value(json_object_get(ev,
		    "project_name")), "Caf\xc3\xa9");
		assert_int_equal(json_integer_value(json_object_get(ev, "n")),
		    3);
		assert_true(json_is_null(json_array_get(json_object_get(
		    json_object_get(ev, "nested"), "a"), 2)));
	}
	assert_true(json_real_value(json_object_get(nth_event(&res, 2), "n"))
	    == 2.5);
	/* The event's own fields win over the snapshot's. */
	ev = nth_event(&res, 3);
	assert_int_equal(strncmp(json_string_value(json_object_get(ev, "id")),
	    "evt_", 4), 0);
	assert_string_equal(json_string_value(json_object_get(ev, "type")),
	    "pack.viewed");
	assert_string_equal(json_string_value(json_object_get(ev,
	    "workspace_id")), ws);
	assert_string_not_equal(json_string_value(json_object_get(ev,
	    "occurred_at")), "1999");
	assert_string_equal(json_string_value(json_object_get(ev,
	    "project_name")), "Own");
	ev = nth_event(&res, 4);
	assert_int_equal(strlen(json_string_value(json_object_get(ev,
	    "project_name"))), 2500 - 17);
	ev = nth_event(&res, 5);
	assert_int_equal(strncmp(json_string_value(json_object_get(ev, "id")),
	    "evt_", 4), 0);
	assert_string_equal(json_string_value(json_object_get(ev, "type")),
	    "pack.viewed");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    ev, "nested"), "id")), "inner");
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

/* Each body the fast reader cannot vouch for gets the full parser's
 * answer, whatever the signature. */
static void
test_ingest_body_refused(void **state)
{
	static const struct {
		const char	*body;
		int		 status;
	} cases[] = {
		{ "{\"id\":", 400 },
		{ "{\"id\":\"a\",\"id\":\"b\"}", 400 },
		{ "[]", 400 },
		{ "", 400 },
		{ "{\"id\":5,\"type\":\"pack.viewed\",\"workspace_id\":"
		    "\"ws_abc\",\"data\":{}}", 400 },
		{ "{\"id\":\"a\x01\",\"type\":\"pack.viewed\","
		    "\"workspace_id\":\"ws_abc\",\"data\":{}}", 400 },
		{ "{\"id\":\"a\",\"type\":\"pack.viewedx\",\"workspace_id\":"
		    "\"ws_abc\",\"data\":{}}", 400 },
		{ "{\"id\":\"a\",\"type\":\"pack.viewed\",\"workspace_id\":"
		    "\"wsx_abc\",\"data\":{}}", 400 },
		{ "{\"id\":\"a\",\"type\":\"pack.viewed\",\"workspace_id\":"
		    "\"ws_abc\",\"data\":[]}", 400 },
		{ "{\"id\":\"a\",\"type\":\"pack.viewed\",\"workspace_id\":"
		    "\"ws_abc\"}", 400 },
	};
	struct fzd *d = *state;
	char id[260], body[400];
	struct fzh_res res;
	const char *hdrs[] = { "Content-Type: text/plain", NULL };
	size_t i;

	fzh_start(d, ingest_args, NULL);
	memset(&res, 0, sizeof(res));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (post_signed(d, SECRET, "msg_r", 0, cases[i].body, &res) !=
		    cases[i].status)
			fail_msg("%s: %d", cases[i].body, res.status);
		fzh_assert_envelope(&res, cases[i].status, "VALIDATION_ERROR");
		fzh_res_free(&res);
	}
	/* An id one byte too long. */
	memset(id, 'i', 201);
	id[201] = '\0';
	snprintf(body, sizeof(body), "{\"id\":\"%s\",\"type\":"
	    "\"pack.viewed\",\"workspace_id\":\"ws_abc\",\"data\":{}}", id);
	assert_int_equal(post_signed(d, SECRET, "msg_r", 0, body, &res), 400);
	assert_non_null(strstr(json_string_value(fzh_json_get(&res,
	    "error.message")), "id"));
	fzh_res_free(&res);
	/* Unsigned, whatever it is declared as: nothing is read. */
	assert_int_equal(fzh_http(d, "POST", "/internal/events", hdrs,
	    "{}", 2, &res), 401);
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

/* Posts body with exactly these webhook-* values (no real signature). */
static int
post_raw(struct fzd *d, const char *ts, const char *body,
    struct fzh_res *res)
{
	char h_ts[160];
	const char *hdrs[] = { "webhook-id: msg_raw", h_ts,
	    "webhook-signature: v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	    "Content-Type: application/json", NULL };

	snprintf(h_ts, sizeof(h_ts), "webhook-timestamp: %s", ts);
	return fzh_http(d, "POST", "/internal/events", hdrs, body,
	    strlen(body), res);
}

/* Timestamps that overflow a subtraction, or are not decimal seconds,
 * are refused like stale ones: no crash in the sanitizer build, no pass
 * through the window in the plain one. */
static void
test_ingest_timestamp_range(void **state)
{
	static const char *const bad[] = {
		"-9223372036854775808", "9223372036854775807",
		"-9223372036854775807", "18446744073709551616",
		"99999999999999999999999", "+1700000000", " 1700000000",
		"1700000000 ", "1e9", "0x65000000", "-1", "0", "",
	};
	struct fzd *d = *state;
	char ws[64], body[512], now[32];
	struct fzh_res res;
	size_t i;

	fzh_start(d, ingest_args, NULL);
	fzh_workspace(d->dir, "Ingest", "agency", ws, sizeof(ws));
	event_body(body, sizeof(body), ws, "up_ts", "pack.viewed");
	memset(&res, 0, sizeof(res));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (post_raw(d, bad[i], body, &res) != 401)
			fail_msg("timestamp \"%s\": %d", bad[i], res.status);
		fzh_assert_envelope(&res, 401, "UNAUTHORIZED");
		fzh_res_free(&res);
	}
	/* A good timestamp with a wrong signature is refused the same. */
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	assert_int_equal(post_raw(d, now, body, &res), 401);
	fzh_res_free(&res);
	assert_int_equal(post_signed(d, SECRET, "msg_ts", 0, body, &res), 201);
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

/* The signature is checked, and that ingest is configured, before the
 * body is parsed: a malformed body unsigned is 401, not 400, and 404
 * when no ingest_secret is set. */
static void
test_ingest_signature_first(void **state)
{
	struct fzd *d = *state;
	const char *hdrs[] = { "Content-Type: application/json", NULL };
	const char *www;
	struct fzh_res res;

	fzh_start(d, ingest_args, NULL);
	memset(&res, 0, sizeof(res));
	assert_int_equal(fzh_http(d, "POST", "/internal/events", hdrs,
	    "[[[[[[", 6, &res), 401);
	fzh_assert_envelope(&res, 401, "UNAUTHORIZED");
	www = fzh_header(&res, "WWW-Authenticate");
	assert_non_null(www);
	assert_true(fzh_match("^Standard-Webhooks realm=\"[^\"]+\"", www));
	assert_non_null(strstr(www, "webhook-signature"));
	fzh_res_free(&res);
	assert_int_equal(post_raw(d, "1700000000", "{\"id\":", &res), 401);
	fzh_res_free(&res);
	fzh_stop_ok(d);

	fzh_start(d, NULL, NULL);
	assert_int_equal(fzh_http(d, "POST", "/internal/events", hdrs,
	    "[[[[[[", 6, &res), 404);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ingest_once, fzh_setup,
		    fzh_teardown),
		cmocka_unit_test_setup_teardown(test_ingest_refused, fzh_setup,
		    fzh_teardown),
		cmocka_unit_test_setup_teardown(test_ingest_unconfigured,
		    fzh_setup, fzh_teardown),
		cmocka_unit_test_setup_teardown(test_ingest_body_forms,
		    fzh_setup, fzh_teardown),
		cmocka_unit_test_setup_teardown(test_ingest_body_refused,
		    fzh_setup, fzh_teardown),
		cmocka_unit_test_setup_teardown(test_ingest_timestamp_range,
		    fzh_setup, fzh_teardown),
		cmocka_unit_test_setup_teardown(test_ingest_signature_first,
		    fzh_setup, fzh_teardown),
	};

	return cmocka_run_group_tests_name("ingest", tests, fzh_group_setup,
	    fzh_group_teardown);
}
