/*
 * e2e_framing.c: HTTP/1.1 message framing held to RFC 9112 over raw
 * sockets, as a proxy in front would need it: every Transfer-Encoding
 * line judged, chunked last and once, chunk extensions and line endings
 * in chunked framing, Host, and chunk lines held to their limit however
 * the bytes arrive. Each refused case is also in the fuzz_http corpus
 * (tests/fuzz/corpus/fuzz_http/rfc9112_*).
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

#define RAW_MS	5000		/* bound on waiting for a raw answer */

/* A chunked GET /healthz: its head, then body. */
#define CHUNKED_HEAD	"GET /healthz HTTP/1.1\r\nHost: t\r\n" \
	"Transfer-Encoding: chunked\r\n\r\n"

struct framing_case {
	const char	*name;
	const char	*req;
	int		 status;	/* 200: served */
};

static const struct framing_case framing_cases[] = {
	/* Every Transfer-Encoding line is judged, in order. */
	{ "te_chunked_then_identity", "GET /healthz HTTP/1.1\r\nHost: t\r\n"
	    "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n"
	    "\r\n0\r\n\r\n", 400 },
	{ "te_chunked_identity_list", "GET /healthz HTTP/1.1\r\nHost: t\r\n"
	    "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400 },
	{ "te_chunked_twice", "GET /healthz HTTP/1.1\r\nHost: t\r\n"
	    "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n0\r\n\r\n", 400 },
	{ "te_gzip_only", "GET /healthz HTTP/1.1\r\nHost: t\r\n"
	    "Transfer-Encoding: gzip\r\n\r\n", 400 },
	{ "te_empty", "GET /healthz HTTP/1.1\r\nHost: t\r\n"
	    "Transfer-Encoding: \r\n\r\n", 400 },
	{ "te_chunked_param", "GET /healthz HTTP/1.1\r\nHost: t\r\n"
	    "Transfer-Encoding: chunked;x=1\r\n\r\n0\r\n\r\n", 400 },
	{ "te_gzip_then_chunked", "GET /healthz HTTP/1.1\r\nHost: t\r\n"
	    "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "0\r\n\r\n", 501 },
	{ "te_http10", "GET /healthz HTTP/1.0\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400 },
	/* Chunk extensions: ;name[=token or quoted-string], BWS around. */
	{ "chunk_ext_junk", CHUNKED_HEAD "5 junk\r\nhello\r\n0\r\n\r\n",
	    400 },
	{ "chunk_ext_trailing_space", CHUNKED_HEAD "5 \r\nhello\r\n0\r\n\r\n",
	    400 },
	{ "chunk_ext_no_name", CHUNKED_HEAD "5;\r\nhello\r\n0\r\n\r\n", 400 },
	{ "chunk_ext_open_quote", CHUNKED_HEAD
	    "5;a=\"open\r\nhello\r\n0\r\n\r\n", 400 },
	{ "chunk_ext_empty_value", CHUNKED_HEAD
	    "5;a=\r\nhello\r\n0\r\n\r\n", 400 },
	{ "chunk_size_0x", CHUNKED_HEAD "0x5\r\nhello\r\n0\r\n\r\n", 400 },
	/* Bare LF anywhere in chunked framing. */
	{ "chunk_size_bare_lf", CHUNKED_HEAD "5\nhello\r\n0\r\n\r\n", 400 },
	{ "chunk_data_bare_lf", CHUNKED_HEAD "5\r\nhello\n0\r\n\r\n", 400 },
	{ "chunk_last_bare_lf", CHUNKED_HEAD "0\n\r\n", 400 },
	{ "chunk_trailer_bare_lf", CHUNKED_HEAD "0\r\nX-T: 1\n\r\n", 400 },
	{ "chunk_end_bare_lf", CHUNKED_HEAD "0\r\n\n", 400 },
	{ "chunk_trailer_junk", CHUNKED_HEAD "0\r\nnot a field\r\n\r\n",
	    400 },
	/* Host: exactly one on HTTP/1.1, and a valid one. */
	{ "host_missing", "GET /healthz HTTP/1.1\r\n\r\n", 400 },
	{ "host_twice", "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
	    400 },
	{ "host_twice_http10", "GET /healthz HTTP/1.0\r\nHost: a\r\n"
	    "Host: a\r\n\r\n", 400 },
	{ "host_invalid", "GET /healthz HTTP/1.1\r\nHost: a/b@c\r\n\r\n",
	    400 },
	/* What stays served. */
	{ "ok_ext_bws_quoted", CHUNKED_HEAD "5 ; a = \"q\\\"x\" ;b;c=d\r\n"
	    "hello\r\n0;e\r\nX-T: 1\r\n\r\n", 200 },
	{ "ok_te_list_empty_elements", "GET /healthz HTTP/1.1\r\nHost: t\r\n"
	    "Transfer-Encoding: , chunked\r\n\r\n0\r\n\r\n", 200 },
	{ "ok_host_port", "GET /healthz HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
	    200 },
	{ "ok_host_empty", "GET /healthz HTTP/1.1\r\nHost:\r\n\r\n", 200 },
	{ "ok_http10_no_host", "GET /healthz HTTP/1.0\r\n\r\n", 200 },
};
#define NCASES	(sizeof(framing_cases) / sizeof(framing_cases[0]))

/* Sends req on a new connection, piece bytes per write, and checks the
 * one answer: the 200 of /healthz, or an error envelope with status and
 * the connection closed. Returns 0, or 1 after saying what differs. */
static int
framing_check(const struct fzd *d, const struct framing_case *fc,
    size_t piece)
{
	struct fzh_conn c;
	struct fzh_res res = { 0 };
	size_t len = strlen(fc->req), i;
	int bad = 0;

	fzh_conn_open(&c, d);
	for (i = 0; i < len; i += piece)
		if (fzh_conn_send(&c, fc->req + i, len - i < piece ? len - i :
		    piece) != 0)
			break;		/* refused early */
	if (fzh_conn_read(&c, &res, 0, RAW_MS) != 0) {
		print_message("# %s: no answer\n", fc->name);
		bad = 1;
	} else if (res.status != fc->status) {
		print_message("# %s: status %d, want %d\n", fc->name,
		    res.status, fc->status);
		bad = 1;
	} else {
		fzh_assert_envelope(&res, fc->status, fc->status == 200 ?
		    NULL : "*");
		if (fc->status != 200 && !fzh_conn_closed(&c, RAW_MS)) {
			print_message("# %s: the connection stayed open\n",
			    fc->name);
			bad = 1;
		}
	}
	fzh_res_free(&res);
	fzh_conn_close(&c);
	return bad;
}

/* Every case, each fed piece bytes per write. */
static void
framing_all(void **state, size_t piece)
{
	struct fzd *d = *state;
	size_t i;
	int bad = 0;

	fzh_start(d, NULL, NULL);
	for (i = 0; i < NCASES; i++)
		bad += framing_check(d, &framing_cases[i], piece);
	if (bad > 0)
		fail_msg("%d of %zu cases framed wrongly", bad, NCASES);
	fzh_stop_ok(d);
}

static void
test_framing_cases(void **state)
{
	framing_all(state, 65536);
}

/* The same requests fed a byte at a time: framing is judged the same
 * however the bytes arrive. */
static void
test_framing_cases_bytewise(void **state)
{
	framing_all(state, 1);
}

/* A chunk-size line past 1 KiB (valid extensions, else it would fail
 * as junk): refused whole or in pieces. */
static void
test_chunk_line_limit(void **state)
{
	struct fzd *d = *state;
	struct framing_case fc = { "chunk_line_long", NULL, 400 };
	size_t n = strlen(CHUNKED_HEAD), ext = 1100;
	char *req;
	int bad = 0;

	req = malloc(n + ext + 64);
	assert_non_null(req);
	memcpy(req, CHUNKED_HEAD "5;", n + 2);
	memset(req + n + 2, 'e', ext);
	strcpy(req + n + 2 + ext, "\r\nhello\r\n0\r\n\r\n");
	fc.req = req;
	fzh_start(d, NULL, NULL);
	bad += framing_check(d, &fc, 65536);
	bad += framing_check(d, &fc, 1);
	bad += framing_check(d, &fc, 7);
	/* A long trailer line too. */
	fc.name = "chunk_trailer_long";
	memcpy(req + n, "0\r\nX-Long: ", 11);
	memset(req + n + 11, 'v', ext);
	strcpy(req + n + 11 + ext, "\r\n\r\n");
	bad += framing_check(d, &fc, 65536);
	bad += framing_check(d, &fc, 1);
	free(req);
	if (bad > 0)
		fail_msg("%d long lines let through", bad);
	fzh_stop_ok(d);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fzh_setup, fzh_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_framing_cases),
		T(test_framing_cases_bytewise),
		T(test_chunk_line_limit),
	};

	return cmocka_run_group_tests_name("e2e_framing", tests,
	    fzh_group_setup, fzh_group_teardown);
}
