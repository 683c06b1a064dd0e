/*
 * test_openapi.c: relay/openapi.h against the route table: every route
 * is documented with the parameters, body and answers its flags imply,
 * and nothing is documented that is not routed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cmd/routes.h"
#include "relay/openapi.h"

static void
lower(const char *s, char *out)
{
	while ((*out++ = (char)tolower((unsigned char)*s++)) != '\0')
		;
}

static void
to_path(const char *pattern, char *out)
{
	const char *p;

	for (p = pattern; *p != '\0'; p++) {
		if (*p == ':') {
			*out++ = '{';
			while (p[1] != '\0' && p[1] != '/')
				*out++ = *++p;
			*out++ = '}';
		} else
			*out++ = *p;
	}
	*out = '\0';
}

static void
test_every_route_documented(void **state)
{
	const struct route *r;
	char path[256], method[16];
	json_t *doc, *op;
	size_t n, i;

	(void)state;
	r = routes_table(&n);
	assert_true(n > 10);
	assert_non_null(doc = openapi_build(r, n));
	for (i = 0; i < n; i++) {
		if (r[i].flags & ROUTE_PAGE)
			continue;
		to_path(r[i].pattern, path);
		lower(r[i].method, method);
		op = json_object_get(json_object_get(json_object_get(doc,
		    "paths"), path), method);
		/* Pages are not the API: they stay out of its description. */
		if (r[i].flags & ROUTE_PAGE) {
			assert_null(op);
			continue;
		}
		assert_non_null(op);
		assert_non_null(json_object_get(op, "operationId"));
		if (r[i].plan != 0)
			assert_int_equal(json_array_size(json_object_get(op,
			    "security")), 1);
		if (r[i].request != NULL)
			assert_non_null(json_object_get(op, "requestBody"));
		assert_non_null(json_object_get(json_object_get(op,
		    "responses"), (r[i].flags & ROUTE_QUEUES) ? "202" :
		    (r[i].flags & ROUTE_CREATES) ? "201" : "200"));
		assert_true(json_string_length(json_object_get(op,
		    "summary")) > 0);
		assert_true(json_string_length(json_object_get(op,
		    "description")) > 0);
		assert_true(json_array_size(json_object_get(op, "tags")) == 1);
	}
	json_decref(doc);
}

static void
test_nothing_undocumented_is_routed(void **state)
{
	const struct route *r;
	const char *path, *method;
	char want[256], m[16];
	json_t *doc, *item, *op;
	size_t n, i, ops = 0, pages = 0;
	int found;

	(void)state;
	r = routes_table(&n);
	for (i = 0; i < n; i++)
		pages += (r[i].flags & ROUTE_PAGE) != 0;
	assert_non_null(doc = openapi_build(r, n));
	json_object_foreach(json_object_get(doc, "paths"), path, item) {
		json_object_foreach(item, method, op) {
			found = 0;
			for (i = 0; i < n && !found; i++) {
				if (r[i].flags & ROUTE_PAGE)
					continue;
				to_path(r[i].pattern, want);
				lower(r[i].method, m);
				found = strcmp(want, path) == 0 &&
				    strcmp(m, method) == 0;
			}
			assert_true(found);
			ops++;
		}
	}
	assert_int_equal(ops + pages, n);
	json_decref(doc);
}

static void
test_schemas_resolve(void **state)
{
	const struct route *r;
	json_t *doc, *schemas;
	size_t n, i;

	(void)state;
	r = routes_table(&n);
	assert_non_null(doc = openapi_build(r, n));
	schemas = json_object_get(json_object_get(doc, "components"),
	    "schemas");
	assert_non_null(schemas);
	for (i = 0; i < n; i++) {
		if (r[i].request != NULL)
			assert_non_null(json_object_get(schemas, r[i].request));
		if (r[i].response != NULL)
			assert_non_null(json_object_get(schemas,
			    r[i].response));
	}
	json_decref(doc);
}

static void
test_list_and_idempotency_params(void **state)
{
	json_t *doc, *params, *p;
	const struct route *r;
	size_t n, i;
	int limit = 0, cursor = 0, idem = 0;

	(void)state;
	r = routes_table(&n);
	assert_non_null(doc = openapi_build(r, n));
	params = json_object_get(json_object_get(json_object_get(
	    json_object_get(doc, "paths"), "/api/v1/projects"), "get"),
	    "parameters");
	json_array_foreach(params, i, p) {
		limit |= strcmp(json_string_value(json_object_get(p, "name")),
		    "limit") == 0;
		cursor |= strcmp(json_string_value(json_object_get(p, "name")),
		    "cursor") == 0;
	}
	params = json_object_get(json_object_get(json_object_get(
	    json_object_get(doc, "paths"), "/api/v1/projects"), "post"),
	    "parameters");
	json_array_foreach(params, i, p)
		idem |= strcmp(json_string_value(json_object_get(p, "name")),
		    "Idempotency-Key") == 0;
	assert_true(limit && cursor && idem);
	json_decref(doc);
}

/* The operation's answer to status, or NULL. */
static json_t *
answer(json_t *doc, const char *path, const char *method, const char *status)
{
	return json_object_get(json_object_get(json_object_get(
	    json_object_get(json_object_get(doc, "paths"), path), method),
	    "responses"), status);
}

/* Whether the answer declares header, and whether it is required. */
static int
has_header(json_t *doc, json_t *resp, const char *header, int *required)
{
	json_t *h = json_object_get(json_object_get(resp, "headers"), header);
	const char *ref = json_string_value(json_object_get(h, "$ref"));

	if (h == NULL || ref == NULL || strncmp(ref, "#/components/headers/",
	    21) != 0)
		return 0;
	h = json_object_get(json_object_get(json_object_get(doc, "components"),
	    "headers"), ref + 21);
	*required = json_is_true(json_object_get(h, "required"));
	return h != NULL;
}

/* The answers handlers give are listed: each was missing once. */
static void
test_handler_answers_listed(void **state)
{
	static const struct {
		const char	*path, *method, *status;
	} want[] = {
		{ "/api/v1/webhooks/{id}/replay", "post", "202" },
		{ "/api/v1/events", "get", "400" },
		{ "/api/v1/zapier/actions/send-pack", "post", "404" },
		{ "/api/v1/zapier/actions/send-pack", "post", "409" },
		{ "/internal/events", "post", "200" },
		{ "/internal/events", "post", "201" },
		{ "/internal/events", "post", "401" },
		{ "/internal/events", "post", "404" },
		{ "/p/{token}/signoff", "post", "403" },
		{ "/p/{token}/signoff", "post", "409" },
		{ "/p/{token}/signoff", "post", "429" },
		{ "/p/{token}", "get", "404" },
		{ "/readyz", "get", "503" },
		{ "/api/v1/clients", "post", "409" },
		{ "/api/v1/projects/{id}/pack", "put", "409" },
		{ "/api/v1/projects", "get", "502" },
		{ "/api/v1/projects", "get", "504" },
		{ "/healthz", "get", "503" },
	};
	const struct route *r;
	json_t *doc;
	size_t n, i;

	(void)state;
	r = routes_table(&n);
	assert_non_null(doc = openapi_build(r, n));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (answer(doc, want[i].path, want[i].method, want[i].status) ==
		    NULL)
			fail_msg("%s %s: no %s", want[i].method, want[i].path,
			    want[i].status);
	/* 200 is not the replay's answer, nor 409 the ingest's (no key, so
	 * no Idempotency-Key). */
	assert_null(answer(doc, "/api/v1/webhooks/{id}/replay", "post",
	    "200"));
	assert_null(answer(doc, "/internal/events", "post", "409"));
	json_decref(doc);
}

/* Headers: X-Request-ID everywhere, the bucket on every keyed success,
 * WWW-Authenticate on 401, Retry-After on 429, X-Next-Cursor on
 * triggers. */
static void
test_answer_headers(void **state)
{
	const struct route *r;
	const char *path, *method, *status;
	json_t *doc, *item, *op, *resp;
	size_t n;
	int req, ok;

	(void)state;
	r = routes_table(&n);
	assert_non_null(doc = openapi_build(r, n));
	json_object_foreach(json_object_get(doc, "paths"), path, item)
	    json_object_foreach(item, method, op)
		json_object_foreach(json_object_get(op, "responses"), status,
		    resp) {
		assert_true(has_header(doc, resp, "X-Request-ID", &req));
		assert_true(req);
		ok = status[0] == '2';
		if (json_array_size(json_object_get(op, "security")) > 0 &&
		    ok) {
			assert_true(has_header(doc, resp, "X-RateLimit-Limit",
			    &req));
			assert_true(req);
			assert_true(has_header(doc, resp,
			    "X-RateLimit-Remaining", &req));
			assert_true(has_header(doc, resp, "X-RateLimit-Reset",
			    &req));
		}
		if (strcmp(status, "401") == 0) {
			assert_true(has_header(doc, resp, "WWW-Authenticate",
			    &req));
			assert_true(req);
			assert_false(has_header(doc, resp,
			    "X-RateLimit-Limit", &req));
		}
		if (strcmp(status, "429") == 0) {
			assert_true(has_header(doc, resp, "Retry-After",
			    &req));
			assert_true(req);
		}
	}
	assert_true(has_header(doc, answer(doc,
	    "/api/v1/zapier/triggers/pack-sent", "get", "200"),
	    "X-Next-Cursor", &req));
	assert_false(req);
	json_decref(doc);
}

/* Ids carry their pattern and an example of it; ingest declares its
 * signature headers, /events its query. */
static void
test_parameters_described(void **state)
{
	const struct route *r;
	json_t *doc, *params, *p, *schema;
	const char *name;
	size_t n, i;
	int after = 0, types = 0, limit = 0, sig = 0, id = 0;

	(void)state;
	r = routes_table(&n);
	assert_non_null(doc = openapi_build(r, n));
	params = json_object_get(json_object_get(json_object_get(
	    json_object_get(doc, "paths"), "/api/v1/projects/{id}/pack"),
	    "put"), "parameters");
	json_array_foreach(params, i, p) {
		name = json_string_value(json_object_get(p, "name"));
		schema = json_object_get(p, "schema");
		if (strcmp(name, "id") == 0) {
			assert_string_equal(json_string_value(json_object_get(
			    schema, "pattern")), "^project_[A-Za-z0-9]+$");
			assert_non_null(strstr(json_string_value(
			    json_object_get(p, "example")), "project_"));
			id = 1;
		}
		if (strcmp(name, "Idempotency-Key") == 0) {
			assert_int_equal(json_integer_value(json_object_get(
			    schema, "minLength")), 1);
			assert_int_equal(json_integer_value(json_object_get(
			    schema, "maxLength")), 255);
		}
	}
	params = json_object_get(json_object_get(json_object_get(
	    json_object_get(doc, "paths"), "/api/v1/events"), "get"),
	    "parameters");
	json_array_foreach(params, i, p) {
		name = json_string_value(json_object_get(p, "name"));
		after |= strcmp(name, "after") == 0;
		types |= strcmp(name, "types") == 0;
		limit |= strcmp(name, "limit") == 0;
	}
	params = json_object_get(json_object_get(json_object_get(
	    json_object_get(doc, "paths"), "/internal/events"), "post"),
	    "parameters");
	json_array_foreach(params, i, p)
		sig |= strcmp(json_string_value(json_object_get(p, "name")),
		    "webhook-signature") == 0 &&
		    json_is_true(json_object_get(p, "required"));
	assert_true(id && after && types && limit && sig);
	assert_non_null(json_object_get(json_object_get(json_object_get(doc,
	    "info"), "contact"), "url"));
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_route_documented),
		cmocka_unit_test(test_nothing_undocumented_is_routed),
		cmocka_unit_test(test_schemas_resolve),
		cmocka_unit_test(test_list_and_idempotency_params),
		cmocka_unit_test(test_handler_answers_listed),
		cmocka_unit_test(test_answer_headers),
		cmocka_unit_test(test_parameters_described),
	};

	return cmocka_run_group_tests_name("openapi", tests, NULL, NULL);
}
