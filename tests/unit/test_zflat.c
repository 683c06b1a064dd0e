/*
 * test_zflat.c: relay/zflat.h, the flat objects Zapier sees, from
 * records as a store answers them: a record without a member the
 * answer's schema leaves optional still maps (an upstream store's may),
 * one without a required member does not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "relay/zflat.h"

static json_t *
parse(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);

	assert_non_null(j);
	return j;
}

static void
test_project_full_and_sparse(void **state)
{
	json_t *p, *z;

	(void)state;
	p = parse("{\"id\":\"project_a\",\"name\":\"Site\",\"status\":\"sent\","
	    "\"projectType\":\"Web Design\",\"launchDate\":\"2026-06-01\","
	    "\"clientId\":\"client_b\",\"client\":{\"name\":\"Ann\","
	    "\"email\":\"ann@example.com\"},\"createdAt\":\"2026-05-01T00:00:"
	    "00.000Z\",\"updatedAt\":\"2026-05-02T00:00:00.000Z\"}");
	assert_non_null(z = zflat_project(p));
	assert_string_equal(json_string_value(json_object_get(z,
	    "project_type")), "Web Design");
	assert_string_equal(json_string_value(json_object_get(z,
	    "launch_date")), "2026-06-01");
	assert_string_equal(json_string_value(json_object_get(z,
	    "client_email")), "ann@example.com");
	assert_true(json_is_null(json_object_get(z, "template_id")));
	json_decref(z);
	json_decref(p);
	/* An upstream's project with no type, date, status or client. */
	p = parse("{\"id\":\"project_a\",\"name\":\"Site\"}");
	assert_non_null(z = zflat_project(p));
	assert_string_equal(json_string_value(json_object_get(z, "id")),
	    "project_a");
	assert_string_equal(json_string_value(json_object_get(z,
	    "project_name")), "Site");
	assert_null(json_object_get(z, "project_type"));
	assert_null(json_object_get(z, "launch_date"));
	assert_null(json_object_get(z, "status"));
	assert_null(json_object_get(z, "client_id"));
	assert_true(json_is_null(json_object_get(z, "client_email")));
	json_decref(z);
	json_decref(p);
	/* No id: nothing Zapier could tell apart. */
	p = parse("{\"name\":\"Site\",\"projectType\":\"Web Design\"}");
	assert_null(zflat_project(p));
	json_decref(p);
}

static void
test_client_and_template_require_their_names(void **state)
{
	json_t *c, *z;

	(void)state;
	c = parse("{\"id\":\"client_b\",\"name\":\"Ann\","
	    "\"email\":\"ann@example.com\"}");
	assert_non_null(z = zflat_client(c));
	assert_true(json_is_null(json_object_get(z, "created_at")));
	json_decref(z);
	json_decref(c);
	c = parse("{\"id\":\"client_b\",\"name\":\"Ann\"}");
	assert_null(zflat_client(c));
	json_decref(c);
	c = parse("{\"id\":\"tpl_c\",\"name\":\"Launch\"}");
	assert_non_null(z = zflat_template(c));
	assert_true(json_is_null(json_object_get(z, "project_type")));
	json_decref(z);
	json_decref(c);
	c = parse("{\"id\":\"project_a\"}");
	assert_null(zflat_project_choice(c));
	json_decref(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_project_full_and_sparse),
		cmocka_unit_test(test_client_and_template_require_their_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
