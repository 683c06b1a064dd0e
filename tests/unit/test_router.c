/*
 * test_router.c: relay/http/router.h, method + path-pattern routing; a
 * match hands back the data its entry was given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/fz.h"
#include "relay/http/router.h"

#define ALLOW_SIZE	64

enum {
	R_HEALTH,
	R_WS_LIST,
	R_WS_CREATE,
	R_WS_GET,
	R_WS_DELETE,
	R_KEY_GET,
	R_KEY_CREATE,
	R_COUNT
};

/* What each entry carries: the router hands it back on a match. */
static const int which[R_COUNT] = {
	R_HEALTH, R_WS_LIST, R_WS_CREATE, R_WS_GET, R_WS_DELETE, R_KEY_GET,
	R_KEY_CREATE
};

static const struct router_entry routes[R_COUNT] = {
	[R_HEALTH] = { .method = "GET", .pattern = "/v1/health",
	    .data = &which[R_HEALTH] },
	[R_WS_LIST] = { .method = "GET", .pattern = "/v1/workspaces",
	    .data = &which[R_WS_LIST] },
	[R_WS_CREATE] = { .method = "POST", .pattern = "/v1/workspaces",
	    .data = &which[R_WS_CREATE] },
	[R_WS_GET] = { .method = "GET", .pattern = "/v1/workspaces/:id",
	    .data = &which[R_WS_GET] },
	[R_WS_DELETE] = { .method = "DELETE", .pattern = "/v1/workspaces/:id",
	    .data = &which[R_WS_DELETE] },
	[R_KEY_GET] = { .method = "GET",
	    .pattern = "/v1/workspaces/:ws/keys/:key",
	    .data = &which[R_KEY_GET] },
	[R_KEY_CREATE] = { .method = "POST",
	    .pattern = "/v1/workspaces/:ws/keys",
	    .data = &which[R_KEY_CREATE] },
};

struct fixture {
	struct router		*r;
	const void		*out;
	struct router_params	 params;
	char			 allow[ALLOW_SIZE];
};

static int
setup(void **state)
{
	struct fixture *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	if ((f->r = router_new(routes, R_COUNT)) == NULL) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	router_params_clear(&f->params);
	router_free(f->r);
	free(f);
	return 0;
}

static int
match(struct fixture *f, const char *method, const char *path)
{
	router_params_clear(&f->params);
	memset(f->allow, 'Z', sizeof(f->allow));
	f->out = f;	/* not NULL */
	return router_match(f->r, method, path, &f->out, &f->params,
	    f->allow, sizeof(f->allow));
}

static void
expect_route(struct fixture *f, const char *method, const char *path,
    int want)
{
	int rc;

	rc = match(f, method, path);
	if (rc != 0)
		fail_msg("%s %s: got %d, want route %d", method, path, rc,
		    want);
	assert_ptr_equal(f->out, routes[want].data);
	assert_int_equal(*(const int *)f->out, want);
}

static void
expect_not_found(struct fixture *f, const char *method, const char *path)
{
	int rc;

	rc = match(f, method, path);
	if (rc != FZ_ENOTFOUND)
		fail_msg("%s \"%s\": got %d, want FZ_ENOTFOUND", method, path,
		    rc);
	assert_null(f->out);
	assert_int_equal(f->params.n, 0);
}

/* True if the comma-separated list has exactly this element. */
static int
allow_has(const char *allow, const char *method)
{
	size_t n = strlen(method);
	const char *p = allow;

	while ((p = strstr(p, method)) != NULL) {
		if ((p == allow || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ','))
			return 1;
		p += n;
	}
	return 0;
}

static size_t
allow_count(const char *allow)
{
	size_t n = 1;

	if (*allow == '\0')
		return 0;
	for (; *allow != '\0'; allow++)
		if (*allow == ',')
			n++;
	return n;
}

static void
test_literal(void **state)
{
	struct fixture *f = *state;

	expect_route(f, "GET", "/v1/health", R_HEALTH);
	assert_int_equal(f->params.n, 0);
	expect_route(f, "GET", "/v1/workspaces", R_WS_LIST);
	expect_route(f, "POST", "/v1/workspaces", R_WS_CREATE);
}

/* The entries are copied: the array may go once the router is made. An
 * entry without data matches all the same, and hands back NULL. */
static void
test_entries_copied(void **state)
{
	struct router_entry ents[2] = {
		{ .method = "GET", .pattern = "/a/:x",
		    .data = &which[R_HEALTH] },
		{ .method = "PUT", .pattern = "/a/:x", .data = NULL },
	};
	struct router_params params;
	struct router *r;
	const void *out;

	(void)state;
	assert_non_null(r = router_new(ents, FZ_NELEM(ents)));
	memset(ents, 0, sizeof(ents));
	out = NULL;
	assert_int_equal(router_match(r, "GET", "/a/1", &out, &params, NULL,
	    0), 0);
	assert_ptr_equal(out, &which[R_HEALTH]);
	assert_string_equal(router_param(&params, "x"), "1");
	router_params_clear(&params);
	out = r;
	assert_int_equal(router_match(r, "PUT", "/a/2", &out, &params, NULL,
	    0), 0);
	assert_null(out);
	assert_string_equal(router_param(&params, "x"), "2");
	router_params_clear(&params);
	router_free(r);
}

static void
test_param(void **state)
{
	struct fixture *f = *state;

	expect_route(f, "GET", "/v1/workspaces/ws_123", R_WS_GET);
	assert_int_equal(f->params.n, 1);
	assert_string_equal(router_param(&f->params, "id"), "ws_123");
	assert_null(router_param(&f->params, "ws"));

	expect_route(f, "DELETE", "/v1/workspaces/ws_9", R_WS_DELETE);
	assert_string_equal(router_param(&f->params, "id"), "ws_9");
}

static void
test_two_params(void **state)
{
	struct fixture *f = *state;

	expect_route(f, "GET", "/v1/workspaces/ws_1/keys/key_2", R_KEY_GET);
	assert_int_equal(f->params.n, 2);
	assert_string_equal(router_param(&f->params, "ws"), "ws_1");
	assert_string_equal(router_param(&f->params, "key"), "key_2");
	assert_null(router_param(&f->params, "id"));
	assert_null(router_param(&f->params, ""));

	expect_route(f, "POST", "/v1/workspaces/ws_1/keys", R_KEY_CREATE);
	assert_int_equal(f->params.n, 1);
	assert_string_equal(router_param(&f->params, "ws"), "ws_1");
}

static void
test_param_decoded(void **state)
{
	struct fixture *f = *state;

	expect_route(f, "GET", "/v1/workspaces/%41bc%20d", R_WS_GET);
	assert_string_equal(router_param(&f->params, "id"), "Abc d");
	expect_route(f, "GET", "/v1/workspaces/caf%C3%A9", R_WS_GET);
	assert_string_equal(router_param(&f->params, "id"), "caf\xc3\xa9");
}

static void
test_not_found(void **state)
{
	struct fixture *f = *state;

	expect_not_found(f, "GET", "/v1/nope");
	expect_not_found(f, "GET", "/v2/health");
	expect_not_found(f, "GET", "/v1");
	expect_not_found(f, "GET", "/");
	expect_not_found(f, "GET", "/v1/health/extra");
	expect_not_found(f, "GET", "/v1/workspaces/ws_1/keys/key_2/more");
	expect_not_found(f, "GET", "/V1/HEALTH");
	expect_not_found(f, "POST", "/v1/nope");
}

static void
test_empty_segments(void **state)
{
	struct fixture *f = *state;

	expect_not_found(f, "GET", "//");
	expect_not_found(f, "GET", "/v1//health");
	expect_not_found(f, "GET", "//v1/health");
	expect_not_found(f, "GET", "/v1/health//");
	/* A parameter never matches an empty segment. */
	expect_not_found(f, "GET", "/v1/workspaces//keys/key_2");
	expect_not_found(f, "POST", "/v1/workspaces//keys");
}

static void
test_not_rooted(void **state)
{
	struct fixture *f = *state;

	expect_not_found(f, "GET", "v1/health");
	expect_not_found(f, "GET", "");
	expect_not_found(f, "GET", "*");
	expect_not_found(f, "GET", "http://host/v1/health");
}

static void
test_method_not_allowed(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(match(f, "DELETE", "/v1/health"), FZ_ECONFLICT);
	assert_null(f->out);
	assert_int_equal(f->params.n, 0);
	assert_string_equal(f->allow, "GET, HEAD");

	assert_int_equal(match(f, "PUT", "/v1/workspaces"), FZ_ECONFLICT);
	assert_null(f->out);
	assert_true(allow_has(f->allow, "GET"));
	assert_true(allow_has(f->allow, "HEAD"));
	assert_true(allow_has(f->allow, "POST"));
	assert_false(allow_has(f->allow, "DELETE"));
	assert_int_equal(allow_count(f->allow), 3);

	assert_int_equal(match(f, "POST", "/v1/workspaces/ws_1"),
	    FZ_ECONFLICT);
	assert_int_equal(f->params.n, 0);
	assert_true(allow_has(f->allow, "GET"));
	assert_true(allow_has(f->allow, "HEAD"));
	assert_true(allow_has(f->allow, "DELETE"));
	assert_false(allow_has(f->allow, "POST"));
	assert_int_equal(allow_count(f->allow), 3);
}

static void
test_head_is_get(void **state)
{
	struct fixture *f = *state;

	expect_route(f, "HEAD", "/v1/health", R_HEALTH);
	expect_route(f, "HEAD", "/v1/workspaces", R_WS_LIST);
	expect_route(f, "HEAD", "/v1/workspaces/ws_5", R_WS_GET);
	assert_string_equal(router_param(&f->params, "id"), "ws_5");

	/* Only POST here: HEAD is not allowed and not advertised. */
	assert_int_equal(match(f, "HEAD", "/v1/workspaces/ws_1/keys"),
	    FZ_ECONFLICT);
	assert_string_equal(f->allow, "POST");
}

static void
test_trailing_slash(void **state)
{
	struct fixture *f = *state;

	expect_route(f, "GET", "/v1/health/", R_HEALTH);
	expect_route(f, "POST", "/v1/workspaces/", R_WS_CREATE);
	expect_route(f, "GET", "/v1/workspaces/ws_1/", R_WS_GET);
	assert_string_equal(router_param(&f->params, "id"), "ws_1");
}

static void
test_allow_small_buffer(void **state)
{
	struct fixture *f = *state;
	const void *out;
	struct router_params params;
	char allow[8];

	memset(allow, 'Z', sizeof(allow));
	assert_int_equal(router_match(f->r, "PUT", "/v1/workspaces", &out,
	    &params, allow, 4), FZ_ECONFLICT);
	/* Nothing written past allowsz bytes, and NUL-terminated inside. */
	assert_true(memchr(allow, '\0', 4) != NULL);
	assert_int_equal(allow[4], 'Z');
	router_params_clear(&params);
}

static void
test_params_clear(void **state)
{
	struct fixture *f = *state;

	expect_route(f, "GET", "/v1/workspaces/ws_1/keys/key_2", R_KEY_GET);
	assert_int_equal(f->params.n, 2);
	router_params_clear(&f->params);
	assert_int_equal(f->params.n, 0);
	assert_null(router_param(&f->params, "ws"));
	assert_null(f->params.value[0]);
	assert_null(f->params.value[1]);
	/* Clearing an empty set is harmless. */
	router_params_clear(&f->params);
	assert_int_equal(f->params.n, 0);
}

static void
test_bad_patterns(void **state)
{
	static const struct router_entry no_slash[] = {
		{ .method = "GET", .pattern = "/ok" },
		{ .method = "GET", .pattern = "v1/health" },
	};
	static const struct router_entry empty_seg[] = {
		{ .method = "GET", .pattern = "/ok" },
		{ .method = "GET", .pattern = "/ok/also" },
		{ .method = "GET", .pattern = "/v1//health" },
	};
	static const struct router_entry empty[] = {
		{ .method = "GET", .pattern = "" },
	};

	(void)state;
	assert_null(router_new(no_slash, FZ_NELEM(no_slash)));
	assert_null(router_new(empty_seg, FZ_NELEM(empty_seg)));
	assert_null(router_new(empty, FZ_NELEM(empty)));
	router_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_literal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_param, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_params, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_param_decoded, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_not_found, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_empty_segments, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_not_rooted, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_method_not_allowed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_head_is_get, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_trailing_slash, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_allow_small_buffer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_params_clear, setup,
		    teardown),
		cmocka_unit_test(test_entries_copied),
		cmocka_unit_test(test_bad_patterns),
	};

	return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
