/*
 * e2e_head.c: requests judged on their head, before any byte of their
 * body is read: the route and the API key (401, 403, 404, 405 with no
 * body sent), Expect: 100-continue answered only for a request let
 * through, the portal's small body limit, and the bound on the memory
 * all bodies in flight may hold together (503).
 */
#include <sys/socket.h>

#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "tests/e2e/harness.h"

#define RAW_MS		5000	/* bound on waiting for a raw answer */
#define BAD_TOKEN	"fz_live_0123456789abcdefghijABCDEFGHIJ0123456789"

/* Sends head (a request announcing a body) and no body; expects an
 * answer with status and code at once, then the connection closed.
 * Leaves the answer in res. */
static void
head_answer(const struct fzd *d, const char *head, int status,
    const char *code, struct fzh_res *res)
{
	struct fzh_conn c;

	fzh_conn_open(&c, d);
	assert_int_equal(fzh_conn_sends(&c, head), 0);
	if (fzh_conn_read(&c, res, 0, RAW_MS) != 0)
		fail_msg("no answer to a head whose body was not sent: the "
		    "body is read before the request is judged");
	fzh_assert_envelope(res, status, code);
	fzh_assert_str(fzh_header(res, "Connection"), "close");
	assert_true(fzh_conn_closed(&c, RAW_MS));
	fzh_conn_close(&c);
}

/* Makes an agency workspace with a key of scopes into tok (64 bytes). */
static void
make_key(const struct fzd *d, const char *scopes, char *tok)
{
	char ws[64];

	fzh_workspace(d->dir, "Head Agency", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, scopes, "head", tok, 64);
}

static void
test_no_key_401_before_body(void **state)
{
	struct fzd *d = *state;
	struct fzh_res res = { 0 };

	fzh_start(d, NULL, NULL);
	head_answer(d, "POST /api/v1/clients HTTP/1.1\r\nHost: t\r\n"
	    "X-Request-ID: head-401\r\nContent-Type: application/json\r\n"
	    "Content-Length: 1000000\r\n\r\n", 401, "UNAUTHORIZED", &res);
	fzh_assert_str(fzh_header(&res, "X-Request-ID"), "head-401");
	fzh_res_free(&res);
	head_answer(d, "PUT /api/v1/projects/prj_x/pack HTTP/1.1\r\n"
	    "Host: t\r\nAuthorization: Bearer " BAD_TOKEN "\r\n"
	    "Content-Type: application/json\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 401, "UNAUTHORIZED", &res);
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

/* Answers from the head carry what they carried when given after the
 * body: the request id, the key's rate-limit headers, Allow. */
static void
test_head_answers_complete(void **state)
{
	struct fzd *d = *state;
	struct fzh_res res = { 0 };
	char tok[64], head[512];

	make_key(d, "read", tok);
	fzh_start(d, NULL, NULL);
	snprintf(head, sizeof(head), "POST /api/v1/clients HTTP/1.1\r\n"
	    "Host: t\r\nX-Request-ID: head-403\r\n"
	    "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
	    "Content-Length: 1000000\r\n\r\n", tok);
	head_answer(d, head, 403, "FORBIDDEN", &res);
	fzh_assert_str(fzh_header(&res, "X-Request-ID"), "head-403");
	assert_non_null(fzh_header(&res, "X-RateLimit-Limit"));
	assert_non_null(fzh_header(&res, "X-RateLimit-Remaining"));
	assert_non_null(fzh_header(&res, "X-RateLimit-Reset"));
	fzh_res_free(&res);
	head_answer(d, "POST /api/v1/auth HTTP/1.1\r\nHost: t\r\n"
	    "Content-Length: 1000000\r\n\r\n", 405, "METHOD_NOT_ALLOWED",
	    &res);
	fzh_assert_str(fzh_header(&res, "Allow"), "GET, HEAD");
	fzh_res_free(&res);
	head_answer(d, "POST /api/v1/nothing HTTP/1.1\r\nHost: t\r\n"
	    "Content-Length: 1000000\r\n\r\n", 404, "NOT_FOUND", &res);
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

/* Reads exactly n bytes off c's socket into buf, past the harness's
 * buffering (which drops interim answers); fails after RAW_MS. */
static void
raw_bytes(struct fzh_conn *c, char *buf, size_t n)
{
	long long deadline = fzh_now_ms() + RAW_MS;
	struct pollfd pfd = { c->fd, POLLIN, 0 };
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		if (fzh_now_ms() > deadline ||
		    poll(&pfd, 1, (int)(deadline - fzh_now_ms())) <= 0)
			fail_msg("no answer to the head");
		if ((r = recv(c->fd, buf + got, n - got, 0)) <= 0)
			fail_msg("connection closed after %zu bytes", got);
		got += (size_t)r;
	}
}

static void
test_continue_only_when_authenticated(void **state)
{
	struct fzd *d = *state;
	static const char expect[] = "Content-Type: application/json\r\n"
	    "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n";
	struct fzh_conn c;
	struct fzh_res res = { 0 };
	char tok[64], head[512], line[25];

	make_key(d, "read,write", tok);
	fzh_start(d, NULL, NULL);
	/* No key: the answer is the 401, never 100 Continue. */
	fzh_conn_open(&c, d);
	snprintf(head, sizeof(head), "POST /api/v1/clients HTTP/1.1\r\n"
	    "Host: t\r\n%s", expect);
	assert_int_equal(fzh_conn_sends(&c, head), 0);
	raw_bytes(&c, line, 12);
	if (memcmp(line, "HTTP/1.1 100", 12) == 0)
		fail_msg("100 Continue sent to a request without a key");
	assert_memory_equal(line, "HTTP/1.1 401", 12);
	fzh_conn_close(&c);

	/* A valid key: 100 Continue, then the body is read and judged. */
	fzh_conn_open(&c, d);
	snprintf(head, sizeof(head), "POST /api/v1/clients HTTP/1.1\r\n"
	    "Host: t\r\nAuthorization: Bearer %s\r\n%s", tok, expect);
	assert_int_equal(fzh_conn_sends(&c, head), 0);
	raw_bytes(&c, line, 25);
	assert_memory_equal(line, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	assert_int_equal(fzh_conn_sends(&c, "{}"), 0);
	assert_int_equal(fzh_conn_read(&c, &res, 0, RAW_MS), 0);
	fzh_assert_envelope(&res, 400, "VALIDATION_ERROR");
	assert_non_null(fzh_header(&res, "X-RateLimit-Remaining"));
	fzh_res_free(&res);
	fzh_conn_close(&c);
	fzh_stop_ok(d);
}

static void
test_portal_small_body(void **state)
{
	struct fzd *d = *state;
	struct fzh_conn c;
	struct fzh_res res = { 0 };
	const char *msg;
	char chunk[1000];
	int i;

	fzh_start(d, NULL, NULL);
	/* Announced over the portal's 8 KiB: refused from the head. */
	head_answer(d, "POST /p/tok_unknown/signoff HTTP/1.1\r\nHost: t\r\n"
	    "Content-Type: application/json\r\nContent-Length: 8193\r\n\r\n",
	    413, "PAYLOAD_TOO_LARGE", &res);
	msg = fzh_json_str(&res, "error.message");
	assert_true(msg != NULL && strstr(msg, "8192") != NULL);
	fzh_res_free(&res);

	/* Chunked: refused at the chunk that crosses it. */
	fzh_conn_open(&c, d);
	assert_int_equal(fzh_conn_sends(&c, "POST /p/tok_unknown/signoff "
	    "HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"), 0);
	memset(chunk, ' ', sizeof(chunk));
	for (i = 0; i < 10; i++)
		if (fzh_conn_sends(&c, "3e8\r\n") != 0 ||
		    fzh_conn_send(&c, chunk, sizeof(chunk)) != 0 ||
		    fzh_conn_sends(&c, "\r\n") != 0)
			break;
	assert_int_equal(fzh_conn_read(&c, &res, 0, RAW_MS), 0);
	fzh_assert_envelope(&res, 413, "PAYLOAD_TOO_LARGE");
	fzh_res_free(&res);
	fzh_conn_close(&c);

	/* Within it the body is read and the route decides. */
	fzh_conn_open(&c, d);
	assert_int_equal(fzh_conn_sends(&c, "POST /p/tok_unknown/signoff "
	    "HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
	    "Content-Length: 2\r\n\r\n{}"), 0);
	assert_int_equal(fzh_conn_read(&c, &res, 0, RAW_MS), 0);
	assert_int_not_equal(res.status, 413);
	fzh_assert_envelope(&res, res.status, "*");
	fzh_res_free(&res);
	fzh_conn_close(&c);
	fzh_stop_ok(d);
}

/* Opens c with a 1,000,000-byte body announced and half of it sent: to
 * ingest, which takes no key, or with token to POST /api/v1/clients. */
static void
half_body_to(const struct fzd *d, struct fzh_conn *c, const char *token)
{
	static char half[500000];
	char head[512];

	memset(half, ' ', sizeof(half));
	half[0] = '{';
	if (token == NULL)
		snprintf(head, sizeof(head), "POST /internal/events HTTP/1.1\r\n"
		    "Host: t\r\nContent-Type: application/json\r\n"
		    "Content-Length: 1000000\r\n\r\n");
	else
		snprintf(head, sizeof(head), "POST /api/v1/clients HTTP/1.1\r\n"
		    "Host: t\r\nAuthorization: Bearer %s\r\n"
		    "Content-Type: application/json\r\n"
		    "Content-Length: 1000000\r\n\r\n", token);
	fzh_conn_open(c, d);
	assert_int_equal(fzh_conn_sends(c, head), 0);
	assert_int_equal(fzh_conn_send(c, half, sizeof(half)), 0);
}

static void
half_body(const struct fzd *d, struct fzh_conn *c)
{
	half_body_to(d, c, NULL);
}

static void
test_body_memory_bound(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--max-body-bytes", "1048576",
	    "--max-body-memory-bytes", "2097152", NULL };
	static char rest[500000];
	struct fzh_conn c1, c2, c3;
	struct fzh_res res = { 0 };
	const char *msg;
	char tok[64];

	make_key(d, "write", tok);
	fzh_start(d, args, NULL);
	/* Two bodies of 1 MB in flight, one keyed, take the 2 MiB... */
	half_body(d, &c1);
	half_body_to(d, &c2, tok);
	/* ...so a third is refused from its head, told to come back. */
	head_answer(d, "POST /internal/events HTTP/1.1\r\nHost: t\r\n"
	    "X-Request-ID: mem-503\r\nContent-Type: application/json\r\n"
	    "Content-Length: 1000000\r\n\r\n", 503, "SERVICE_UNAVAILABLE",
	    &res);
	fzh_assert_str(fzh_header(&res, "X-Request-ID"), "mem-503");
	fzh_assert_str(fzh_header(&res, "Retry-After"), "1");
	msg = fzh_json_str(&res, "error.message");
	assert_true(msg != NULL &&
	    strstr(msg, "max_body_memory_bytes") != NULL);
	fzh_res_free(&res);
	/* A request without a body needs none of it. */
	fzh_get(d, "/healthz", NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);

	/* Once one of them is answered, its memory is free again. */
	memset(rest, ' ', sizeof(rest));
	rest[sizeof(rest) - 1] = '}';
	assert_int_equal(fzh_conn_send(&c1, rest, sizeof(rest)), 0);
	assert_int_equal(fzh_conn_read(&c1, &res, 0, RAW_MS), 0);
	assert_int_not_equal(res.status, 503);
	fzh_assert_envelope(&res, res.status, "*");
	fzh_res_free(&res);
	fzh_conn_close(&c1);
	half_body(d, &c3);
	assert_int_equal(fzh_conn_send(&c3, rest, sizeof(rest)), 0);
	assert_int_equal(fzh_conn_read(&c3, &res, 0, RAW_MS), 0);
	assert_int_not_equal(res.status, 503);
	fzh_assert_envelope(&res, res.status, "*");
	fzh_res_free(&res);
	fzh_conn_close(&c3);
	fzh_conn_close(&c2);
	fzh_stop_ok(d);
}

/*
 * Bodies no key vouches for hold at most a quarter of the bodies' memory
 * (never less than one body): heads that announce bodies and send
 * nothing cannot take keyed writes' room, and a route that reads no
 * body lets through at most 1 KiB.
 */
static void
test_anonymous_share(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--max-body-bytes", "1048576",
	    "--max-body-memory-bytes", "4194304", NULL };
	struct fzh_conn held;
	struct fzh_res res = { 0 };
	char tok[64], auth[128];
	const char *hdrs[] = { auth, "Content-Type: application/json", NULL };
	static const char body[] = "{\"name\":\"Ada\",\"email\":"
	    "\"ada@example.com\"}";

	make_key(d, "write", tok);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	fzh_start(d, args, NULL);
	head_answer(d, "GET /healthz HTTP/1.1\r\nHost: t\r\n"
	    "Content-Length: 1048575\r\n\r\n", 413, "PAYLOAD_TOO_LARGE", &res);
	assert_non_null(strstr(fzh_json_str(&res, "error.message"),
	    "reads no body"));
	fzh_res_free(&res);
	/* One announced body without a key takes the whole share... */
	fzh_conn_open(&held, d);
	assert_int_equal(fzh_conn_sends(&held, "POST /internal/events "
	    "HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
	    "Content-Length: 1000000\r\n\r\n"), 0);
	assert_false(fzh_conn_wait(&held, 300));
	/* ...so another is refused, ... */
	head_answer(d, "POST /internal/events HTTP/1.1\r\nHost: t\r\n"
	    "Content-Type: application/json\r\nContent-Length: 1000000\r\n"
	    "\r\n", 503, "SERVICE_UNAVAILABLE", &res);
	fzh_res_free(&res);
	/* ...while a keyed write still has room. */
	assert_int_equal(fzh_http(d, "POST", "/api/v1/clients", hdrs, body,
	    sizeof(body) - 1, &res), 201);
	fzh_res_free(&res);
	fzh_conn_close(&held);
	fzh_stop_ok(d);
}

static void
test_body_memory_below_max_body(void **state)
{
	struct fzd *d = *state;
	const char *argv[] = { "serve", "--listen", "127.0.0.1:0",
	    "--max-body-memory-bytes", "4096", NULL };
	char err[2048];

	/* No body of max_body_bytes could ever be read: refused at start. */
	assert_int_equal(fzh_run(argv, NULL, d->dir, NULL, 0, err,
	    sizeof(err)), 78);
	assert_non_null(strstr(err, "max_body_memory_bytes (4096) is below "
	    "max_body_bytes"));
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fzh_setup, fzh_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_no_key_401_before_body),
		T(test_head_answers_complete),
		T(test_continue_only_when_authenticated),
		T(test_portal_small_body),
		T(test_body_memory_bound),
		T(test_anonymous_share),
		T(test_body_memory_below_max_body),
	};

	return cmocka_run_group_tests_name("e2e_head", tests,
	    fzh_group_setup, fzh_group_teardown);
}
