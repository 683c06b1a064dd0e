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
	fzh_res_free(&res);
	/* The same upstream id again, even as another message: no-op. */
	assert_int_equal(post_signed(d, SECRET, "msg_2", 0, body, &res), 200);
	assert_true(json_is_true(fzh_json_get(&res, "data.duplicate")));
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
	};

	return cmocka_run_group_tests_name("ingest", tests, fzh_group_setup,
	    fzh_group_teardown);
}
