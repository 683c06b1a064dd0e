/*
 * e2e_http.c: the HTTP edge of the running daemon, without API keys:
 * the envelope, request ids, routing errors, size and time limits, and
 * HTTP/1.1 framing over raw sockets.
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

#define RAW_MS	5000		/* bound on waiting for a raw answer */

/* Asserts the answer is the 200 of /healthz. */
static void
assert_healthz(const struct fzh_res *res)
{
	const char *s;

	fzh_assert_envelope(res, 200, NULL);
	s = fzh_json_str(res, "data.status");
	assert_non_null(s);
	fzh_assert_str(s, "ok");
}

static void
test_healthz_envelope(void **state)
{
	struct fzd *d = *state;
	struct fzh_res res;
	const char *rid;

	fzh_start(d, NULL, NULL);
	fzh_get(d, "/healthz", NULL, &res);
	assert_healthz(&res);
	rid = fzh_json_str(&res, "meta.request_id");
	assert_true(fzh_match("^req_[0-9A-Za-z]+$", rid));
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_readyz(void **state)
{
	struct fzd *d = *state;
	struct fzh_res res;

	fzh_start(d, NULL, NULL);
	fzh_get(d, "/readyz", NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_non_null(fzh_json_str(&res, "data.status"));
	fzh_assert_str(fzh_json_str(&res, "data.status"), "ready");
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_request_id_kept(void **state)
{
	struct fzd *d = *state;
	const char *hdrs[] = { "X-Request-ID: abc-123", NULL };
	char longid[160], hdr[200];
	const char *hdrs2[] = { hdr, NULL };
	struct fzh_res res;

	fzh_start(d, NULL, NULL);
	fzh_http(d, "GET", "/healthz", hdrs, NULL, 0, &res);
	assert_healthz(&res);
	fzh_assert_str(fzh_json_str(&res, "meta.request_id"), "abc-123");
	fzh_assert_str(fzh_header(&res, "X-Request-ID"), "abc-123");
	fzh_res_free(&res);

	/* Errors carry it too. */
	fzh_http(d, "GET", "/no/such/thing", hdrs, NULL, 0, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_assert_str(fzh_json_str(&res, "meta.request_id"), "abc-123");
	fzh_res_free(&res);

	/* 128 characters of the allowed set is the longest kept. */
	memset(longid, 'a', 128);
	memcpy(longid, "Az09._:-", 8);
	longid[128] = '\0';
	snprintf(hdr, sizeof(hdr), "X-Request-ID: %s", longid);
	fzh_http(d, "GET", "/healthz", hdrs2, NULL, 0, &res);
	assert_healthz(&res);
	fzh_assert_str(fzh_json_str(&res, "meta.request_id"), longid);
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

/* Sends X-Request-ID: bad and asserts a generated id replaced it. */
static void
assert_id_replaced(const struct fzd *d, const char *bad)
{
	char hdr[400];
	const char *hdrs[] = { hdr, NULL };
	struct fzh_res res;
	const char *rid;

	snprintf(hdr, sizeof(hdr), "X-Request-ID: %s", bad);
	fzh_http(d, "GET", "/healthz", hdrs, NULL, 0, &res);
	assert_healthz(&res);
	rid = fzh_json_str(&res, "meta.request_id");
	assert_true(fzh_match("^req_[0-9A-Za-z]+$", rid));
	assert_string_not_equal(rid, bad);
	fzh_res_free(&res);
}

static void
test_request_id_replaced(void **state)
{
	struct fzd *d = *state;
	char longid[201];

	fzh_start(d, NULL, NULL);
	assert_id_replaced(d, "abc 123");
	assert_id_replaced(d, "abc/123");
	memset(longid, 'a', 200);
	longid[200] = '\0';
	assert_id_replaced(d, longid);
	memset(longid, 'b', 129);
	longid[129] = '\0';
	assert_id_replaced(d, longid);
	fzh_stop_ok(d);
}

static void
test_unknown_path(void **state)
{
	struct fzd *d = *state;
	struct fzh_res res;

	fzh_start(d, NULL, NULL);
	fzh_get(d, "/nope", NULL, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	fzh_get(d, "/healthz/extra", NULL, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_method_not_allowed(void **state)
{
	struct fzd *d = *state;
	struct fzh_res res;
	const char *allow;

	fzh_start(d, NULL, NULL);
	fzh_http(d, "POST", "/healthz", NULL, NULL, 0, &res);
	fzh_assert_envelope(&res, 405, "METHOD_NOT_ALLOWED");
	allow = fzh_header(&res, "Allow");
	assert_non_null(allow);
	assert_non_null(strstr(allow, "GET"));
	fzh_res_free(&res);
	fzh_http(d, "DELETE", "/readyz", NULL, NULL, 0, &res);
	fzh_assert_envelope(&res, 405, "METHOD_NOT_ALLOWED");
	assert_non_null(fzh_header(&res, "Allow"));
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

/* POSTs len bytes of JSON-typed body to /api/v1/auth. */
static void
post_body(const struct fzd *d, size_t len, struct fzh_res *res)
{
	const char *hdrs[] = { "Content-Type: application/json", NULL };
	char *body;

	body = malloc(len);
	assert_non_null(body);
	memset(body, ' ', len);
	body[0] = '{';
	body[len - 1] = '}';
	fzh_http(d, "POST", "/api/v1/auth", hdrs, body, len, res);
	free(body);
}

static void
test_body_too_large(void **state)
{
	struct fzd *d = *state;
	struct fzh_res res;

	fzh_start(d, NULL, NULL);
	post_body(d, 2u << 20, &res);
	fzh_assert_envelope(&res, 413, "PAYLOAD_TOO_LARGE");
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_max_body_bytes_flag(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--max-body-bytes", "2048", NULL };
	struct fzh_res res;

	fzh_start(d, args, NULL);
	post_body(d, 4096, &res);
	fzh_assert_envelope(&res, 413, "PAYLOAD_TOO_LARGE");
	fzh_res_free(&res);
	/* Under the limit the body is read and the route decides. */
	post_body(d, 1024, &res);
	fzh_assert_envelope(&res, 405, "METHOD_NOT_ALLOWED");
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_chunked_too_large(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--max-body-bytes", "2048", NULL };
	struct fzh_conn c;
	struct fzh_res res = { 0 };
	char chunk[1200];
	int i;

	fzh_start(d, args, NULL);
	fzh_conn_open(&c, d);
	/* A route that takes a body without a key, so it is read. */
	assert_int_equal(fzh_conn_sends(&c, "POST /internal/events HTTP/1.1\r\n"
	    "Host: t\r\nContent-Type: application/json\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"), 0);
	memset(chunk, 'x', sizeof(chunk));
	/* Four chunks of 1000: the third crosses 2048. */
	for (i = 0; i < 4; i++) {
		if (fzh_conn_sends(&c, "3e8\r\n") != 0 ||
		    fzh_conn_send(&c, chunk, 1000) != 0 ||
		    fzh_conn_sends(&c, "\r\n") != 0)
			break;
	}
	assert_int_equal(fzh_conn_read(&c, &res, 0, RAW_MS), 0);
	fzh_assert_envelope(&res, 413, "PAYLOAD_TOO_LARGE");
	fzh_res_free(&res);
	fzh_conn_close(&c);
	fzh_stop_ok(d);
}

/* Sends req on a new connection and expects one error answer, then the
 * connection closed. */
static void
raw_error(const struct fzd *d, const char *req, size_t len, int status,
    const char *code)
{
	struct fzh_conn c;
	struct fzh_res res = { 0 };

	fzh_conn_open(&c, d);
	fzh_conn_send(&c, req, len);	/* the peer may stop reading early */
	assert_int_equal(fzh_conn_read(&c, &res, 0, RAW_MS), 0);
	fzh_assert_envelope(&res, status, code);
	fzh_res_free(&res);
	assert_true(fzh_conn_closed(&c, RAW_MS));
	fzh_conn_close(&c);
}

static void
test_raw_garbage(void **state)
{
	struct fzd *d = *state;
	static const char req[] = "NOT HTTP AT ALL\r\n\r\n";
	static const char req2[] = "GET healthz HTTP/1.1\r\n\r\n";

	fzh_start(d, NULL, NULL);
	raw_error(d, req, sizeof(req) - 1, 400, "VALIDATION_ERROR");
	raw_error(d, req2, sizeof(req2) - 1, 400, "VALIDATION_ERROR");
	fzh_stop_ok(d);
}

static void
test_raw_huge_header(void **state)
{
	struct fzd *d = *state;
	static const char head[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n"
	    "X-Big: ";
	size_t n = sizeof(head) - 1, big = 20 * 1024;
	char *req;

	req = malloc(n + big + 4);
	assert_non_null(req);
	memcpy(req, head, n);
	memset(req + n, 'a', big);
	memcpy(req + n + big, "\r\n\r\n", 4);
	fzh_start(d, NULL, NULL);
	raw_error(d, req, n + big + 4, 431, "HEADERS_TOO_LARGE");
	free(req);
	fzh_stop_ok(d);
}

static void
test_raw_http2_version(void **state)
{
	struct fzd *d = *state;
	static const char req[] = "GET /healthz HTTP/2.0\r\nHost: t\r\n\r\n";

	fzh_start(d, NULL, NULL);
	raw_error(d, req, sizeof(req) - 1, 505, "*");
	fzh_stop_ok(d);
}

static void
test_raw_content_length_huge(void **state)
{
	struct fzd *d = *state;
	static const char req[] = "POST /api/v1/auth HTTP/1.1\r\nHost: t\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 1000000000\r\n\r\n";

	fzh_start(d, NULL, NULL);
	/* Answered from the head alone: no body byte is sent. */
	raw_error(d, req, sizeof(req) - 1, 413, "PAYLOAD_TOO_LARGE");
	fzh_stop_ok(d);
}

static void
test_raw_uri_too_long(void **state)
{
	struct fzd *d = *state;
	size_t big = 20 * 1024;
	char *req;

	req = malloc(big + 64);
	assert_non_null(req);
	memcpy(req, "GET /", 5);
	memset(req + 5, 'a', big);
	memcpy(req + 5 + big, " HTTP/1.1\r\nHost: t\r\n\r\n", 22);
	fzh_start(d, NULL, NULL);
	raw_error(d, req, 5 + big + 22, 414, "URI_TOO_LONG");
	free(req);
	fzh_stop_ok(d);
}

static void
test_raw_ambiguous_length(void **state)
{
	struct fzd *d = *state;
	/* Both framings at once, or two lengths: a smuggling attempt. */
	static const char te_cl[] = "POST /healthz HTTP/1.1\r\nHost: t\r\n"
	    "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "0\r\n\r\n";
	static const char cl_cl[] = "POST /healthz HTTP/1.1\r\nHost: t\r\n"
	    "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!";

	fzh_start(d, NULL, NULL);
	raw_error(d, te_cl, sizeof(te_cl) - 1, 400, "VALIDATION_ERROR");
	raw_error(d, cl_cl, sizeof(cl_cl) - 1, 400, "VALIDATION_ERROR");
	fzh_stop_ok(d);
}

static void
test_raw_chunked(void **state)
{
	struct fzd *d = *state;
	struct fzh_conn c;
	struct fzh_res res = { 0 };

	fzh_start(d, NULL, NULL);
	fzh_conn_open(&c, d);
	assert_int_equal(fzh_conn_sends(&c, "GET /healthz HTTP/1.1\r\n"
	    "Host: t\r\nX-Request-ID: chunked-1\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"
	    "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
	    "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-ID: after-2\r\n"
	    "\r\n"), 0);
	assert_int_equal(fzh_conn_read(&c, &res, 0, RAW_MS), 0);
	assert_healthz(&res);
	fzh_assert_str(fzh_header(&res, "X-Request-ID"), "chunked-1");
	/* The body was consumed exactly: the next request parses. */
	assert_int_equal(fzh_conn_read(&c, &res, 0, RAW_MS), 0);
	assert_healthz(&res);
	fzh_assert_str(fzh_header(&res, "X-Request-ID"), "after-2");
	fzh_res_free(&res);
	fzh_conn_close(&c);
	fzh_stop_ok(d);
}

static void
test_raw_keepalive(void **state)
{
	struct fzd *d = *state;
	struct fzh_conn c;
	struct fzh_res res = { 0 };
	const char *conn;

	fzh_start(d, NULL, NULL);
	fzh_conn_open(&c, d);
	assert_int_equal(fzh_conn_sends(&c, "GET /healthz HTTP/1.1\r\n"
	    "Host: t\r\nX-Request-ID: ka-1\r\n\r\n"), 0);
	assert_int_equal(fzh_conn_read(&c, &res, 0, RAW_MS), 0);
	assert_healthz(&res);
	fzh_assert_str(fzh_header(&res, "X-Request-ID"), "ka-1");
	conn = fzh_header(&res, "Connection");
	assert_true(conn == NULL || strcasecmp(conn, "close") != 0);
	assert_int_equal(fzh_conn_sends(&c, "GET /readyz HTTP/1.1\r\n"
	    "Host: t\r\nX-Request-ID: ka-2\r\n\r\n"), 0);
	assert_int_equal(fzh_conn_read(&c, &res, 0, RAW_MS), 0);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_header(&res, "X-Request-ID"), "ka-2");
	fzh_assert_str(fzh_json_str(&res, "data.status"), "ready");
	fzh_res_free(&res);
	fzh_conn_close(&c);
	fzh_stop_ok(d);
}

static void
test_raw_pipelined(void **state)
{
	struct fzd *d = *state;
	struct fzh_conn c;
	struct fzh_res res = { 0 };

	fzh_start(d, NULL, NULL);
	fzh_conn_open(&c, d);
	assert_int_equal(fzh_conn_sends(&c,
	    "GET /readyz HTTP/1.1\r\nHost: t\r\nX-Request-ID: pipe-1\r\n\r\n"
	    "GET /nope HTTP/1.1\r\nHost: t\r\nX-Request-ID: pipe-2\r\n\r\n"
	    "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-ID: pipe-3\r\n"
	    "Connection: close\r\n\r\n"), 0);
	assert_int_equal(fzh_conn_read(&c, &res, 0, RAW_MS), 0);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_header(&res, "X-Request-ID"), "pipe-1");
	fzh_assert_str(fzh_json_str(&res, "data.status"), "ready");
	assert_int_equal(fzh_conn_read(&c, &res, 0, RAW_MS), 0);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_assert_str(fzh_header(&res, "X-Request-ID"), "pipe-2");
	assert_int_equal(fzh_conn_read(&c, &res, 0, RAW_MS), 0);
	assert_healthz(&res);
	fzh_assert_str(fzh_header(&res, "X-Request-ID"), "pipe-3");
	fzh_res_free(&res);
	assert_true(fzh_conn_closed(&c, RAW_MS));
	fzh_conn_close(&c);
	fzh_stop_ok(d);
}

/* A client may send its requests and then half-close: every request that
 * arrived before the FIN is still answered, then the connection closes. */
static void
test_raw_half_close(void **state)
{
	struct fzd *d = *state;
	struct fzh_conn c;
	struct fzh_res res = { 0 };

	fzh_start(d, NULL, NULL);
	fzh_conn_open(&c, d);
	assert_int_equal(fzh_conn_sends(&c,
	    "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-ID: fin-1\r\n\r\n"
	    "GET /readyz HTTP/1.1\r\nHost: t\r\nX-Request-ID: fin-2\r\n\r\n"),
	    0);
	assert_int_equal(shutdown(c.fd, SHUT_WR), 0);
	assert_int_equal(fzh_conn_read(&c, &res, 0, RAW_MS), 0);
	assert_healthz(&res);
	fzh_assert_str(fzh_header(&res, "X-Request-ID"), "fin-1");
	assert_int_equal(fzh_conn_read(&c, &res, 0, RAW_MS), 0);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_header(&res, "X-Request-ID"), "fin-2");
	fzh_res_free(&res);
	assert_true(fzh_conn_closed(&c, RAW_MS));
	fzh_conn_close(&c);
	/* An incomplete request before the FIN is dropped, not answered. */
	fzh_conn_open(&c, d);
	assert_int_equal(fzh_conn_sends(&c, "GET /healthz HTTP/1.1\r\nHo"), 0);
	assert_int_equal(shutdown(c.fd, SHUT_WR), 0);
	assert_true(fzh_conn_closed(&c, RAW_MS));
	assert_int_equal(c.len, 0);
	fzh_conn_close(&c);
	fzh_stop_ok(d);
}

static void
test_slowloris(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--header-timeout-ms", "500",
	    "--request-timeout-ms", "1000", NULL };
	static const char drip[] = "X-Slow: abcdefg";	/* 15 bytes, 3 s */
	struct fzh_conn c;
	struct fzh_res res = { 0 };
	size_t i;
	int answered = 0;

	fzh_start(d, args, NULL);
	fzh_conn_open(&c, d);
	assert_int_equal(fzh_conn_sends(&c, "GET /healthz HTTP/1.1\r\n"), 0);
	/* One byte every 200 ms keeps any per-read timer from firing; only
	 * a bound on the whole head ends this. */
	for (i = 0; i < sizeof(drip) - 1; i++) {
		if (fzh_conn_wait(&c, 200)) {
			answered = 1;
			break;
		}
		if (fzh_conn_send(&c, drip + i, 1) != 0)
			break;
	}
	if (!answered)
		answered = fzh_conn_wait(&c, 200);
	assert_true(answered);
	assert_int_equal(fzh_conn_read(&c, &res, 0, RAW_MS), 0);
	fzh_assert_envelope(&res, 408, "REQUEST_TIMEOUT");
	fzh_res_free(&res);
	assert_true(fzh_conn_closed(&c, RAW_MS));
	fzh_conn_close(&c);
	fzh_stop_ok(d);
}

static void
test_idle_timeout(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--idle-timeout-ms", "200", NULL };
	struct fzh_conn c;
	struct fzh_res res = { 0 };

	fzh_start(d, args, NULL);
	fzh_conn_open(&c, d);
	assert_int_equal(fzh_conn_sends(&c, "GET /healthz HTTP/1.1\r\n"
	    "Host: t\r\n\r\n"), 0);
	assert_int_equal(fzh_conn_read(&c, &res, 0, RAW_MS), 0);
	assert_healthz(&res);
	fzh_res_free(&res);
	/* Kept alive, then closed once idle: without the timeout this
	 * would wait a minute. */
	assert_true(fzh_conn_closed(&c, RAW_MS));
	fzh_conn_close(&c);
	fzh_stop_ok(d);
}

static void
test_max_connections(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--max-connections", "1", NULL };
	struct fzh_conn c1, c2;
	struct fzh_res res = { 0 };
	long long deadline;

	fzh_start(d, args, NULL);
	fzh_conn_open(&c1, d);
	assert_int_equal(fzh_conn_sends(&c1, "GET /healthz HTTP/1.1\r\n"
	    "Host: t\r\n\r\n"), 0);
	assert_int_equal(fzh_conn_read(&c1, &res, 0, RAW_MS), 0);
	assert_healthz(&res);
	fzh_res_free(&res);

	/* c1 holds the only slot: c2 is told so, with Retry-After. */
	fzh_conn_open(&c2, d);
	assert_int_equal(fzh_conn_read(&c2, &res, 0, RAW_MS), 0);
	fzh_assert_envelope(&res, 503, "SERVICE_UNAVAILABLE");
	assert_non_null(fzh_header(&res, "Retry-After"));
	fzh_res_free(&res);
	assert_true(fzh_conn_closed(&c2, RAW_MS));
	fzh_conn_close(&c2);

	/* Once c1 goes, the slot is free again. */
	fzh_conn_close(&c1);
	deadline = fzh_now_ms() + RAW_MS;
	for (;;) {
		fzh_get(d, "/healthz", NULL, &res);
		if (res.status == 200 || fzh_now_ms() > deadline)
			break;
		fzh_res_free(&res);
		poll(NULL, 0, 20);
	}
	assert_healthz(&res);
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

/*
 * A connection must send its first head within header_timeout_ms: 50
 * sockets that never send a byte no longer hold every slot of
 * max_connections 50 for idle_timeout_ms (a minute).
 */
static void
test_silent_connections_closed(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--max-connections", "50",
	    "--header-timeout-ms", "300", NULL };
	struct fzh_conn c[50];
	struct fzh_res res = { 0 };
	long long deadline;
	size_t i;

	fzh_start(d, args, NULL);
	for (i = 0; i < 50; i++)
		fzh_conn_open(&c[i], d);
	deadline = fzh_now_ms() + RAW_MS;
	for (;;) {
		fzh_get(d, "/healthz", NULL, &res);
		if (res.status == 200 || fzh_now_ms() > deadline)
			break;
		fzh_res_free(&res);
		poll(NULL, 0, 50);
	}
	if (res.status != 200)
		fail_msg("50 silent connections still lock out a request "
		    "(status %d)", res.status);
	assert_healthz(&res);
	fzh_res_free(&res);
	/* Each was closed without a word: nothing was asked. */
	for (i = 0; i < 50; i++) {
		assert_true(fzh_conn_wait(&c[i], RAW_MS));
		assert_int_equal(c[i].len, 0);
		assert_true(c[i].eof);
		fzh_conn_close(&c[i]);
	}
	fzh_stop_ok(d);
}

/* One address holds at most max_connections_per_address connections;
 * the next is refused like one over max_connections. */
static void
test_connections_per_address(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--max-connections-per-address", "3", NULL };
	struct fzh_conn c[4];
	struct fzh_res res = { 0 };
	long long deadline;
	size_t i;

	fzh_start(d, args, NULL);
	/* Three, each shown to be served and kept. */
	for (i = 0; i < 3; i++) {
		fzh_conn_open(&c[i], d);
		assert_int_equal(fzh_conn_sends(&c[i], "GET /healthz "
		    "HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
		assert_int_equal(fzh_conn_read(&c[i], &res, 0, RAW_MS), 0);
		assert_healthz(&res);
		fzh_res_free(&res);
	}
	fzh_conn_open(&c[3], d);
	assert_int_equal(fzh_conn_read(&c[3], &res, 0, RAW_MS), 0);
	fzh_assert_envelope(&res, 503, "SERVICE_UNAVAILABLE");
	assert_non_null(fzh_header(&res, "Retry-After"));
	fzh_res_free(&res);
	assert_true(fzh_conn_closed(&c[3], RAW_MS));
	fzh_conn_close(&c[3]);
	/* The three are still served. */
	assert_int_equal(fzh_conn_sends(&c[0], "GET /healthz HTTP/1.1\r\n"
	    "Host: t\r\n\r\n"), 0);
	assert_int_equal(fzh_conn_read(&c[0], &res, 0, RAW_MS), 0);
	assert_healthz(&res);
	fzh_res_free(&res);
	/* One gone, the address may open another. */
	fzh_conn_close(&c[1]);
	deadline = fzh_now_ms() + RAW_MS;
	for (;;) {
		fzh_get(d, "/healthz", NULL, &res);
		if (res.status == 200 || fzh_now_ms() > deadline)
			break;
		fzh_res_free(&res);
		poll(NULL, 0, 20);
	}
	assert_healthz(&res);
	fzh_res_free(&res);
	fzh_conn_close(&c[0]);
	fzh_conn_close(&c[2]);
	fzh_stop_ok(d);
}

/* A trusted proxy carries many clients' connections: the cap does not
 * hold it (its clients are told apart by X-Forwarded-For). */
static void
test_connections_per_address_proxy(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--max-connections-per-address", "2",
	    "--trusted-proxies", "127.0.0.1", NULL };
	struct fzh_conn c[4];
	struct fzh_res res = { 0 };
	size_t i;

	fzh_start(d, args, NULL);
	for (i = 0; i < 4; i++) {
		fzh_conn_open(&c[i], d);
		assert_int_equal(fzh_conn_sends(&c[i], "GET /healthz "
		    "HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
		assert_int_equal(fzh_conn_read(&c[i], &res, 0, RAW_MS), 0);
		assert_healthz(&res);
		fzh_res_free(&res);
	}
	for (i = 0; i < 4; i++)
		fzh_conn_close(&c[i]);
	fzh_stop_ok(d);
}

/*
 * request_timeout_ms bounds a request "from first byte to end of body"
 * (README, relay/http/http.h). The head takes 1.5 s of a 2 s budget, then
 * the body trickles: the 408 must come about 0.5 s later, well before
 * the trickle ends 1.2 s later.
 */
static void
test_request_timeout_from_first_byte(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--header-timeout-ms", "2000",
	    "--request-timeout-ms", "2000", NULL };
	struct fzh_conn c;
	struct fzh_res res = { 0 };
	int i, answered = 0;

	fzh_start(d, args, NULL);
	fzh_conn_open(&c, d);
	assert_int_equal(fzh_conn_sends(&c, "POST /internal/events "
	    "HTTP/1.1\r\n"), 0);
	assert_int_equal(fzh_conn_wait(&c, 1500), 0);
	assert_int_equal(fzh_conn_sends(&c, "Host: t\r\n"
	    "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"),
	    0);
	for (i = 0; i < 12; i++) {
		if (fzh_conn_send(&c, "x", 1) != 0)
			break;
		if (fzh_conn_wait(&c, 100)) {
			answered = 1;
			break;
		}
	}
	if (!answered)
		fail_msg("no 408 by 2.7 s after the first byte with "
		    "request_timeout_ms 2000: the body's deadline is not "
		    "counted from the first byte");
	assert_int_equal(fzh_conn_read(&c, &res, 0, RAW_MS), 0);
	fzh_assert_envelope(&res, 408, "REQUEST_TIMEOUT");
	fzh_res_free(&res);
	assert_true(fzh_conn_closed(&c, RAW_MS));
	fzh_conn_close(&c);
	fzh_stop_ok(d);
}

static void
test_head_no_body(void **state)
{
	struct fzd *d = *state;
	struct fzh_conn c;
	struct fzh_res res = { 0 };

	fzh_start(d, NULL, NULL);
	fzh_http(d, "HEAD", "/healthz", NULL, NULL, 0, &res);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.len, 0);
	assert_non_null(fzh_header(&res, "X-Request-ID"));
	fzh_res_free(&res);

	/* On the wire: the head, then the end of the connection. */
	fzh_conn_open(&c, d);
	assert_int_equal(fzh_conn_sends(&c, "HEAD /healthz HTTP/1.1\r\n"
	    "Host: t\r\nConnection: close\r\n\r\n"), 0);
	assert_int_equal(fzh_conn_read(&c, &res, 1, RAW_MS), 0);
	assert_int_equal(res.status, 200);
	assert_non_null(fzh_header(&res, "X-Request-ID"));
	fzh_res_free(&res);
	assert_true(fzh_conn_wait(&c, RAW_MS));
	assert_int_equal(c.len, 0);	/* no body bytes */
	assert_true(c.eof);
	fzh_conn_close(&c);
	fzh_stop_ok(d);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fzh_setup, fzh_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_healthz_envelope),
		T(test_readyz),
		T(test_request_id_kept),
		T(test_request_id_replaced),
		T(test_unknown_path),
		T(test_method_not_allowed),
		T(test_body_too_large),
		T(test_max_body_bytes_flag),
		T(test_chunked_too_large),
		T(test_raw_garbage),
		T(test_raw_huge_header),
		T(test_raw_http2_version),
		T(test_raw_content_length_huge),
		T(test_raw_uri_too_long),
		T(test_raw_ambiguous_length),
		T(test_raw_chunked),
		T(test_raw_keepalive),
		T(test_raw_pipelined),
		T(test_raw_half_close),
		T(test_slowloris),
		T(test_idle_timeout),
		T(test_max_connections),
		T(test_silent_connections_closed),
		T(test_connections_per_address),
		T(test_connections_per_address_proxy),
		T(test_request_timeout_from_first_byte),
		T(test_head_no_body),
	};

	return cmocka_run_group_tests_name("e2e_http", tests,
	    fzh_group_setup, fzh_group_teardown);
}
