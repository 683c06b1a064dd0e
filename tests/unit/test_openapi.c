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
		    "responses"), (r[i].flags & ROUTE_CREATES) ? "201" :
		    "200"));
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_route_documented),
		cmocka_unit_test(test_nothing_undocumented_is_routed),
		cmocka_unit_test(test_schemas_resolve),
		cmocka_unit_test(test_list_and_idempotency_params),
	};

	return cmocka_run_group_tests_name("openapi", tests, NULL, NULL);
}
