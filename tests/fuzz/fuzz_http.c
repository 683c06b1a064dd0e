/*
 * fuzz_http.c: the HTTP/1.1 request reader of relay/http/http.c and
 * relay/http/http_parse.c.
 *
 * The parser is reached the way a client reaches it, with the
 * connection's whole life around it: through http_server_new and
 * http_server_listen on 127.0.0.1 (port 0), one loopback connection per
 * input. The input is
 * sent as it is (so it may hold several pipelined requests), then the
 * client half-closes and reads every answer until the server closes.
 * Each request handed to the callback, read or refused, is checked for
 * what the edge relies on and answered at once; an input ends only when
 * the server holds no connection, so nothing is carried to the next.
 * A head callback sees every head first, as the edge's does: a path
 * under /h is answered from the head (its body never read), one under
 * /s gets a 16-byte body limit, and every other carries a context to
 * the request callback (freed by whoever owns it: leaks show). The
 * limits are small (4 KiB head and body, 2 KiB of bodies in flight) so
 * inputs of a few KiB reach the 413, 414, 431 and 503 paths.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "common/fz.h"
#include "common/log.h"
#include "relay/http/http.h"
#include "tests/fuzz/fuzz.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
#define FUZZ_MAX_HEAD	4096
#define FUZZ_MAX_BODY	4096
#define FUZZ_MAX_MEMORY	2048
#define FUZZ_SMALL_BODY	16

struct fuzz_client {
	struct bufferevent	*bev;
	int			 connected;
	int			 shut;		/* our side half-closed */
	int			 done;		/* server closed, or error */
};

static struct event_base *base;
static struct http_server *srv;
static struct sockaddr_in addr;

static void
fuzz_cleanup(void)
{
	http_server_free(srv);
	event_base_free(base);
}

static int
fuzz_token(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (strchr("!#$%&'*+-.^_`|~", *s) == NULL &&
		    !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

/* What the head callback was shown, for the request callback to see
 * again. */
struct fuzz_ctx {
	int	small;		/* the body limit was lowered */
};

static void
fuzz_head_cb(struct http_req *req, void *arg)
{
	const char *path = http_req_path(req);
	struct fuzz_ctx *ctx;
	size_t len;

	(void)arg;
	FUZZ_CHECK(fuzz_token(http_req_method(req)));
	FUZZ_CHECK(path[0] == '/');
	/* No byte of the body is there yet. */
	FUZZ_CHECK(http_req_body(req, &len) != NULL && len == 0);
	FUZZ_CHECK(http_req_error(req) == 0);
	FUZZ_CHECK(http_req_user(req) == NULL);
	if (strncmp(path, "/h", 2) == 0) {
		FUZZ_CHECK(http_req_add_header(req, "X-Head", "1") == 0);
		http_reply(req, 401, "application/json", "{}", 2);
		return;
	}
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		abort();
	if (strncmp(path, "/s", 2) == 0) {
		http_req_set_max_body(req, FUZZ_SMALL_BODY);
		ctx->small = 1;
	}
	http_req_set_user(req, ctx, free);
}

static void
fuzz_request_cb(struct http_req *req, void *arg)
{
	const char *method = http_req_method(req);
	const char *path = http_req_path(req);
	const char *query = http_req_query(req);
	struct fuzz_ctx *ctx = http_req_user(req);
	const char *body, *s;
	size_t len;
	int st = http_req_error(req);

	(void)arg;
	FUZZ_CHECK(method != NULL && path != NULL);
	body = http_req_body(req, &len);
	FUZZ_CHECK(body != NULL && body[len] == '\0');
	FUZZ_CHECK(len <= FUZZ_MAX_BODY);
	FUZZ_CHECK(http_req_peer(req) != NULL);
	FUZZ_CHECK(http_server_body_memory(srv) <= FUZZ_MAX_MEMORY);
	/* Every request read whole went through the head callback. */
	FUZZ_CHECK(st != 0 || ctx != NULL);
	FUZZ_CHECK(ctx == NULL || !ctx->small || len <= FUZZ_SMALL_BODY);
	FUZZ_CHECK(strncmp(path, "/h", 2) != 0 || st != 0);
	free(ctx);
	if (st == 0) {
		/* What the router and the handlers are promised. */
		FUZZ_CHECK(fuzz_token(method));
		FUZZ_CHECK(path[0] == '/');
		for (s = path; *s != '\0'; s++)
			FUZZ_CHECK((unsigned char)*s > 0x20 && *s != 0x7f &&
			    *s != '?' && *s != '#');
		if (query != NULL)
			FUZZ_CHECK(strchr(query, '#') == NULL);
		if ((s = http_req_header(req, "Content-Length")) != NULL)
			FUZZ_CHECK(strtoull(s, NULL, 10) == len);
		if ((s = http_req_header(req, "Content-Type")) != NULL)
			FUZZ_CHECK(strchr(s, '\r') == NULL &&
			    strchr(s, '\n') == NULL);
	} else
		FUZZ_CHECK(st >= 400 && st <= 599);
	FUZZ_CHECK(http_req_add_header(req, "X-Request-ID", "fuzz") == 0);
	FUZZ_CHECK(http_req_add_header(req, "X-Bad", "a\r\nb") == FZ_EINVAL);
	http_reply(req, st != 0 ? st : 200, "application/json", "{}", 2);
}

static void
fuzz_half_close(struct fuzz_client *cl)
{
	if (cl->shut || !cl->connected ||
	    evbuffer_get_length(bufferevent_get_output(cl->bev)) > 0)
		return;
	shutdown(bufferevent_getfd(cl->bev), SHUT_WR);
	cl->shut = 1;
}

static void
fuzz_client_read_cb(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);

	(void)arg;
	evbuffer_drain(in, evbuffer_get_length(in));
}

static void
fuzz_client_write_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	fuzz_half_close(arg);
}

static void
fuzz_client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct fuzz_client *cl = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		cl->connected = 1;
		fuzz_half_close(cl);
		return;
	}
	/* EOF, or a reset when the server closed with our bytes unread. */
	cl->done = 1;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct http_limits lim;
	uint16_t port = 0;

	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	/* Refused requests are logged as errors: keep the run readable. */
	log_set_level(LOG_LVL_ERR);
	memset(&lim, 0, sizeof(lim));
	lim.max_body = FUZZ_MAX_BODY;
	lim.max_body_memory = FUZZ_MAX_MEMORY;
	lim.max_head = FUZZ_MAX_HEAD;
	lim.header_timeout_ms = 5000;
	lim.request_timeout_ms = 5000;
	lim.idle_timeout_ms = 5000;
	lim.write_timeout_ms = 5000;
	lim.max_conns = 16;
	lim.max_conns_per_addr = 16;
	if ((base = event_base_new()) == NULL ||
	    (srv = http_server_new(base, &lim, fuzz_request_cb, NULL)) ==
	    NULL || http_server_listen(srv, "127.0.0.1", 0, &port) != 0) {
		fprintf(stderr, "fuzz_http: cannot listen on 127.0.0.1\n");
		exit(1);
	}
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	http_server_on_head(srv, fuzz_head_cb, NULL);
	atexit(fuzz_cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_client cl;

	memset(&cl, 0, sizeof(cl));
	if ((cl.bev = bufferevent_socket_new(base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		return 0;
	bufferevent_setcb(cl.bev, fuzz_client_read_cb, fuzz_client_write_cb,
	    fuzz_client_event_cb, &cl);
	bufferevent_enable(cl.bev, EV_READ | EV_WRITE);
	if (evbuffer_add(bufferevent_get_output(cl.bev), data, size) != 0 ||
	    bufferevent_socket_connect(cl.bev, (struct sockaddr *)&addr,
	    sizeof(addr)) != 0) {
		bufferevent_free(cl.bev);
		return 0;
	}
	while (!cl.done)
		event_base_loop(base, EVLOOP_ONCE);
	bufferevent_free(cl.bev);
	/* The server notices the close and frees the connection. */
	while (http_server_conns(srv) > 0)
		event_base_loop(base, EVLOOP_ONCE);
	return 0;
}
