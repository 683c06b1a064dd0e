/*
 * test_reply.c: relay/reply.h, the pure parts (error table, request ids,
 * details arrays).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/fz.h"
#include "relay/reply.h"

static const struct {
	enum api_error	 err;
	int		 status;
	const char	*code;
} errors[] = {
	{ API_VALIDATION_ERROR, 400, "VALIDATION_ERROR" },
	{ API_UNAUTHORIZED, 401, "UNAUTHORIZED" },
	{ API_FORBIDDEN, 403, "FORBIDDEN" },
	{ API_PLAN_LIMIT, 403, "PLAN_LIMIT" },
	{ API_NOT_FOUND, 404, "NOT_FOUND" },
	{ API_METHOD_NOT_ALLOWED, 405, "METHOD_NOT_ALLOWED" },
	{ API_REQUEST_TIMEOUT, 408, "REQUEST_TIMEOUT" },
	{ API_CONFLICT, 409, "CONFLICT" },
	{ API_PAYLOAD_TOO_LARGE, 413, "PAYLOAD_TOO_LARGE" },
	{ API_URI_TOO_LONG, 414, "URI_TOO_LONG" },
	{ API_UNSUPPORTED_MEDIA_TYPE, 415, "UNSUPPORTED_MEDIA_TYPE" },
	{ API_RATE_LIMITED, 429, "RATE_LIMITED" },
	{ API_HEADERS_TOO_LARGE, 431, "HEADERS_TOO_LARGE" },
	{ API_INTERNAL_ERROR, 500, "INTERNAL_ERROR" },
	{ API_NOT_IMPLEMENTED, 501, "NOT_IMPLEMENTED" },
	{ API_UPSTREAM_ERROR, 502, "UPSTREAM_ERROR" },
	{ API_UPSTREAM_UNAVAILABLE, 503, "UPSTREAM_UNAVAILABLE" },
	{ API_SERVICE_UNAVAILABLE, 503, "SERVICE_UNAVAILABLE" },
	{ API_UPSTREAM_TIMEOUT, 504, "UPSTREAM_TIMEOUT" },
	{ API_HTTP_VERSION, 505, "HTTP_VERSION_NOT_SUPPORTED" },
};

static void
test_status_table(void **state)
{
	size_t i;

	(void)state;
	/* The table above covers every enum value, in order. */
	assert_int_equal(FZ_NELEM(errors), (size_t)API_HTTP_VERSION + 1);
	for (i = 0; i < FZ_NELEM(errors); i++) {
		assert_int_equal(errors[i].err, (enum api_error)i);
		if (reply_status(errors[i].err) != errors[i].status)
			fail_msg("%s: status %d, want %d", errors[i].code,
			    reply_status(errors[i].err), errors[i].status);
	}
}

static void
test_code_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < FZ_NELEM(errors); i++)
		assert_string_equal(reply_code(errors[i].err), errors[i].code);
}

static void
test_codes_distinct(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < FZ_NELEM(errors); i++)
		for (j = i + 1; j < FZ_NELEM(errors); j++)
			assert_string_not_equal(reply_code(errors[i].err),
			    reply_code(errors[j].err));
}

static void
test_named_examples(void **state)
{
	(void)state;
	assert_int_equal(reply_status(API_PLAN_LIMIT), 403);
	assert_string_equal(reply_code(API_PLAN_LIMIT), "PLAN_LIMIT");
	assert_int_equal(reply_status(API_RATE_LIMITED), 429);
	assert_string_equal(reply_code(API_RATE_LIMITED), "RATE_LIMITED");
	assert_int_equal(reply_status(API_UNSUPPORTED_MEDIA_TYPE), 415);
	assert_int_equal(reply_status(API_VALIDATION_ERROR), 400);
	assert_string_equal(reply_code(API_VALIDATION_ERROR),
	    "VALIDATION_ERROR");
}

static void
test_request_id_accepts(void **state)
{
	char id[REPLY_REQUEST_ID_MAX + 1];

	(void)state;
	assert_true(reply_request_id_ok("abc-123"));
	assert_true(reply_request_id_ok("a.b:c_d"));
	assert_true(reply_request_id_ok("x"));
	assert_true(reply_request_id_ok("req_0123456789ABCDEFGHij"));
	assert_true(reply_request_id_ok(
	    "550e8400-e29b-41d4-a716-446655440000"));
	memset(id, 'a', REPLY_REQUEST_ID_MAX);
	id[REPLY_REQUEST_ID_MAX] = '\0';
	assert_int_equal(strlen(id), 128);
	assert_true(reply_request_id_ok(id));
}

static void
test_request_id_rejects(void **state)
{
	char id[REPLY_REQUEST_ID_MAX + 2];

	(void)state;
	assert_false(reply_request_id_ok(""));
	memset(id, 'a', REPLY_REQUEST_ID_MAX + 1);
	id[REPLY_REQUEST_ID_MAX + 1] = '\0';
	assert_int_equal(strlen(id), 129);
	assert_false(reply_request_id_ok(id));
	assert_false(reply_request_id_ok("abc 123"));
	assert_false(reply_request_id_ok("abc\"123"));
	assert_false(reply_request_id_ok("abc\n"));
	assert_false(reply_request_id_ok("abc\r\nX-Injected: 1"));
	assert_false(reply_request_id_ok("caf\xc3\xa9"));
	assert_false(reply_request_id_ok("a/b"));
	assert_false(reply_request_id_ok("a\tb"));
	assert_false(reply_request_id_ok("<script>"));
}

static void
check_detail(json_t *d, const char *field, const char *msg)
{
	assert_true(json_is_object(d));
	assert_int_equal(json_object_size(d), 2);
	assert_string_equal(json_string_value(json_object_get(d, "field")),
	    field);
	assert_string_equal(json_string_value(json_object_get(d, "message")),
	    msg);
}

static void
test_detail_new(void **state)
{
	json_t *details;

	(void)state;
	details = reply_detail(NULL, "name", "must not be empty");
	assert_non_null(details);
	assert_true(json_is_array(details));
	assert_int_equal(json_array_size(details), 1);
	check_detail(json_array_get(details, 0), "name", "must not be empty");
	json_decref(details);
}

static void
test_detail_append(void **state)
{
	json_t *details, *again;

	(void)state;
	details = reply_detail(NULL, "name", "too long");
	assert_non_null(details);
	again = reply_detail(details, "plan", "unknown plan");
	assert_ptr_equal(again, details);
	assert_int_equal(json_array_size(details), 2);
	check_detail(json_array_get(details, 0), "name", "too long");
	check_detail(json_array_get(details, 1), "plan", "unknown plan");
	json_decref(details);
}

static void
test_detail_dump(void **state)
{
	json_t *details;
	char *s;

	(void)state;
	details = reply_detail(NULL, "scope", "want \"read\"");
	assert_non_null(details);
	s = json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(s);
	assert_string_equal(s,
	    "[{\"field\":\"scope\",\"message\":\"want \\\"read\\\"\"}]");
	free(s);
	json_decref(details);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_table),
		cmocka_unit_test(test_code_table),
		cmocka_unit_test(test_codes_distinct),
		cmocka_unit_test(test_named_examples),
		cmocka_unit_test(test_request_id_accepts),
		cmocka_unit_test(test_request_id_rejects),
		cmocka_unit_test(test_detail_new),
		cmocka_unit_test(test_detail_append),
		cmocka_unit_test(test_detail_dump),
	};

	return cmocka_run_group_tests_name("reply", tests, NULL, NULL);
}
