/*
 * e2e_keys.c: API keys over the API (GET|POST /api/v1/keys, DELETE
 * /api/v1/keys/:id): admin scope only, the token in the creation answer
 * and nowhere else, scopes at most the caller's, no service keys, a
 * revoked token refused from the next request, other workspaces' keys
 * out of reach.
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

/* POSTs body to /api/v1/keys with token; returns the status. */
static int
post_key(const struct fzd *d, const char *token, const char *body,
    struct fzh_res *res)
{
	char auth[128];
	const char *hdrs[] = { auth, "Content-Type: application/json", NULL };

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	return fzh_http(d, "POST", "/api/v1/keys", hdrs, body, strlen(body),
	    res);
}

static int
delete_key(const struct fzd *d, const char *token, const char *id,
    struct fzh_res *res)
{
	char auth[128], path[160];
	const char *hdrs[] = { auth, NULL };

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	snprintf(path, sizeof(path), "/api/v1/keys/%s", id);
	return fzh_http(d, "DELETE", path, hdrs, NULL, 0, res);
}

/* Asserts o is a key record as the API shows it: no token, no hash. */
static void
assert_key_record(json_t *o)
{
	const char *const fields[] = { "id", "name", "scopes", "prefix",
	    "createdAt", "lastUsedAt", "revokedAt" };
	size_t i;

	assert_true(json_is_object(o));
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (json_object_get(o, fields[i]) == NULL)
			fail_msg("key record lacks %s", fields[i]);
	assert_null(json_object_get(o, "hash"));
	assert_true(fzh_match("^key_[A-Za-z0-9]+$",
	    json_string_value(json_object_get(o, "id"))));
	assert_true(json_is_array(json_object_get(o, "scopes")));
}

static void
test_keys_create_list_revoke(void **state)
{
	struct fzd *d = *state;
	char ws[64], admin[64], body[256], id[64], tok[64];
	struct fzh_res res;
	json_t *list, *k;
	size_t i;
	int seen = 0;

	fzh_workspace(d->dir, "A", "pro", ws, sizeof(ws));
	fzh_key(d->dir, ws, "admin", "console", admin, sizeof(admin));
	fzh_start(d, NULL, NULL);

	snprintf(body, sizeof(body), "{\"name\":\"Zapier\",\"scopes\":"
	    "[\"read\",\"write\"]}");
	assert_int_equal(post_key(d, admin, body, &res), 201);
	fzh_assert_envelope(&res, 201, NULL);
	assert_key_record(fzh_json_get(&res, "data"));
	fzh_assert_str(fzh_json_str(&res, "data.name"), "Zapier");
	assert_int_equal(json_array_size(fzh_json_get(&res, "data.scopes")),
	    2);
	assert_true(json_is_null(fzh_json_get(&res, "data.revokedAt")));
	assert_true(fzh_match("^fz_live_[A-Za-z0-9]{40}$",
	    fzh_json_str(&res, "data.token")));
	snprintf(tok, sizeof(tok), "%s", fzh_json_str(&res, "data.token"));
	snprintf(id, sizeof(id), "%s", fzh_json_str(&res, "data.id"));
	fzh_res_free(&res);

	/* The new token works, with its scope and no more. */
	assert_int_equal(fzh_get(d, "/api/v1/auth", tok, &res), 200);
	fzh_res_free(&res);
	assert_int_equal(fzh_get(d, "/api/v1/keys", tok, &res), 403);
	fzh_assert_envelope(&res, 403, "FORBIDDEN");
	fzh_res_free(&res);

	/* Listed, newest first, never with a token. */
	assert_int_equal(fzh_get(d, "/api/v1/keys", admin, &res), 200);
	fzh_assert_envelope(&res, 200, NULL);
	list = fzh_json_get(&res, "data");
	assert_int_equal(json_array_size(list), 2);
	fzh_assert_str(json_string_value(json_object_get(json_array_get(list,
	    0), "id")), id);
	json_array_foreach(list, i, k) {
		assert_key_record(k);
		assert_null(json_object_get(k, "token"));
		seen += strcmp(json_string_value(json_object_get(k, "name")),
		    "console") == 0;
	}
	assert_int_equal(seen, 1);
	assert_false(fzh_contains(res.body, res.len, tok));
	assert_false(fzh_contains(res.body, res.len, admin));
	fzh_res_free(&res);

	/* Revoked: refused from the next request on; again is the same. */
	assert_int_equal(delete_key(d, admin, id, &res), 200);
	fzh_assert_envelope(&res, 200, NULL);
	assert_true(json_is_string(fzh_json_get(&res, "data.revokedAt")));
	snprintf(body, sizeof(body), "%s", fzh_json_str(&res,
	    "data.revokedAt"));
	fzh_res_free(&res);
	assert_int_equal(fzh_get(d, "/api/v1/auth", tok, &res), 401);
	fzh_res_free(&res);
	assert_int_equal(delete_key(d, admin, id, &res), 200);
	fzh_assert_str(fzh_json_str(&res, "data.revokedAt"), body);
	fzh_res_free(&res);
	fzh_stop_ok(d);
	assert_int_equal(fzh_log_count(d, tok), 0);
}

static void
test_keys_refused(void **state)
{
	static const struct {
		const char	*body;
		const char	*field;
	} bad[] = {
		{ "{\"name\":\"k\",\"scopes\":[\"service\"]}", "scopes" },
		{ "{\"name\":\"k\",\"scopes\":[]}", "scopes" },
		{ "{\"name\":\"k\",\"scopes\":\"admin\"}", "scopes" },
		{ "{\"name\":\"k\",\"scopes\":[\"root\"]}", "scopes" },
		{ "{\"name\":\"k\",\"scopes\":[1]}", "scopes" },
		{ "{\"scopes\":[\"read\"]}", "name" },
		{ "{\"name\":\"   \",\"scopes\":[\"read\"]}", "name" },
	};
	struct fzd *d = *state;
	char ws[64], ws2[64], admin[64], other[64], write[64], freek[64];
	char wsf[64], list[4096], oid[64];
	struct fzh_res res;
	size_t i;

	fzh_workspace(d->dir, "A", "agency", ws, sizeof(ws));
	fzh_workspace(d->dir, "B", "agency", ws2, sizeof(ws2));
	fzh_workspace(d->dir, "F", "free", wsf, sizeof(wsf));
	fzh_key(d->dir, ws, "admin", "a", admin, sizeof(admin));
	fzh_key(d->dir, ws, "write", "w", write, sizeof(write));
	fzh_key(d->dir, ws2, "admin", "b", other, sizeof(other));
	fzh_key(d->dir, wsf, "admin", "f", freek, sizeof(freek));
	assert_int_equal(fzh_cli(d->dir, list, sizeof(list), "key", "list",
	    "--workspace", ws2, NULL), 0);
	snprintf(oid, sizeof(oid), "%.*s", (int)strcspn(list, "\t"), list);
	fzh_start(d, NULL, NULL);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (post_key(d, admin, bad[i].body, &res) != 400)
			fail_msg("%s: %d", bad[i].body, res.status);
		fzh_assert_envelope(&res, 400, "VALIDATION_ERROR");
		fzh_assert_str(json_string_value(json_object_get(
		    json_array_get(fzh_json_get(&res, "error.details"), 0),
		    "field")), bad[i].field);
		fzh_res_free(&res);
	}
	/* Below admin: no key management at all. */
	assert_int_equal(post_key(d, write, "{\"name\":\"k\",\"scopes\":"
	    "[\"read\"]}", &res), 403);
	fzh_res_free(&res);
	assert_int_equal(delete_key(d, write, oid, &res), 403);
	fzh_res_free(&res);
	/* The free plan has no API. */
	assert_int_equal(fzh_get(d, "/api/v1/keys", freek, &res), 403);
	fzh_assert_envelope(&res, 403, "PLAN_LIMIT");
	fzh_res_free(&res);
	/* Another workspace's key is not there, and stays live. */
	assert_int_equal(delete_key(d, admin, oid, &res), 404);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	assert_int_equal(fzh_get(d, "/api/v1/auth", other, &res), 200);
	fzh_res_free(&res);
	assert_int_equal(delete_key(d, admin, "key_nosuchkey", &res), 404);
	fzh_res_free(&res);
	assert_int_equal(delete_key(d, admin, "nothing", &res), 404);
	fzh_res_free(&res);
	/* Nothing was made by the refused requests. */
	assert_int_equal(fzh_get(d, "/api/v1/keys", admin, &res), 200);
	assert_int_equal(json_array_size(fzh_json_get(&res, "data")), 2);
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fzh_setup, fzh_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_keys_create_list_revoke),
		T(test_keys_refused),
	};

	return cmocka_run_group_tests_name("keys", tests, fzh_group_setup,
	    fzh_group_teardown);
}
