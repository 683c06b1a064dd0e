#include <stdint.h>
#include <stdlib.h>

#include <event2/buffer.h>

#include "common/clock.h"
#include "relay/http/http.h"
#include "relay/http/http_conn.h"

int
http_conn_head(struct http_conn *c)
{
	struct http_req *r = c->req;
	struct http_server *srv = c->srv;
	int64_t elapsed;
	int st;

	if (srv->head_cb != NULL) {
		c->state = CONN_AT_HEAD;
		srv->head_cb(r, srv->head_arg);
		/* Answered: the answer is on its way, the body unread. */
		if (c->state != CONN_AT_HEAD)
			return 1;
	}
	switch (r->framing) {
	case HTTP_NO_BODY:
		http_conn_dispatch(c);
		return 1;
	case HTTP_LENGTH:
		if ((st = http_conn_body_room(c, r->length)) != 0) {
			http_conn_fail(c, st);
			return 1;
		}
		c->state = CONN_BODY;
		c->remaining = r->length;
		break;
	case HTTP_CHUNKED:
		c->state = CONN_CHUNK_SIZE;
		c->remaining = 0;
		break;
	}
	if (r->expect &&
	    evbuffer_add(c->out, "HTTP/1.1 100 Continue\r\n\r\n", 25) == 0)
		http_conn_flush(c);
	/* request_timeout_ms counts from the first byte, head included. */
	elapsed = clock_mono_ms() - c->started_ms;
	http_conn_arm(c, elapsed < (int64_t)srv->lim.request_timeout_ms ?
	    (unsigned)(srv->lim.request_timeout_ms - elapsed) : 1);
	return 0;
}

int
http_conn_body_room(struct http_conn *c, uint64_t need)
{
	struct http_req *r = c->req;
	struct http_server *srv = c->srv;
	size_t size;
	char *p;

	if (need > r->max_body)
		return 413;
	if (need + 1 <= r->body_size)
		return 0;
	/* A chunked body grows by doubling, within its limit; a
	 * Content-Length one is sized once. */
	size = r->body_size * 2;
	if (size > r->max_body + 1)
		size = r->max_body + 1;
	if (size < need + 1)
		size = (size_t)need + 1;
	if (srv->lim.max_body_memory > 0 && srv->body_memory - r->body_size +
	    size > srv->lim.max_body_memory)
		return 503;
	if (r->anon && srv->lim.max_anon_body_memory > 0 &&
	    srv->anon_body_memory - r->body_size + size >
	    srv->lim.max_anon_body_memory)
		return 503;
	if ((p = realloc(r->body, size)) == NULL)
		return 503;
	srv->body_memory += size - r->body_size;
	if (r->anon)
		srv->anon_body_memory += size - r->body_size;
	r->body = p;
	r->body_size = size;
	return 0;
}
