#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "common/cidr.h"
#include "common/clock.h"
#include "common/fz.h"
#include "common/hmap.h"
#include "common/log.h"
#include "relay/http/http.h"
#include "relay/http/http_conn.h"

#define HTTP_LINGER_MS		2000
#define HTTP_LINGER_BYTES	((size_t)1 << 20)
/* Bytes asked of one read(2): requests are small, and a connection keeps
 * what it has read (a partial head) in chunks of about this size. */
#define HTTP_READ_SIZE		4096
/* Input buffered beyond the request being answered (pipelining) before
 * the connection stops reading until its turn comes. */
#define HTTP_AHEAD_BYTES	((size_t)16 << 10)

void
http_conn_arm(struct http_conn *c, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(c->timer, &tv);
}

static void
req_free(struct http_req *r)
{
	if (r == NULL)
		return;
	if (r->user_free != NULL)
		r->user_free(r->user);
	while (r->nheaders > 0)
		free(r->in[--r->nheaders].name);
	free(r->out);
	r->conn->srv->body_memory -= r->body_size;
	if (r->anon)
		r->conn->srv->anon_body_memory -= r->body_size;
	free(r->body);
	free(r->method);
	free(r->target);
	free(r);
}

static struct http_req *
req_new(struct http_conn *c)
{
	struct http_req *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->conn = c;
	r->minor = 1;
	r->max_body = c->srv->lim.max_body;
	return r;
}

/* Forgets a connection from c's address. */
static void
conn_addr_release(struct http_conn *c)
{
	unsigned *n;

	if (c->addr_key[0] == '\0' ||
	    (n = hmap_get(c->srv->per_addr, c->addr_key)) == NULL)
		return;
	if (--*n == 0)
		hmap_del(c->srv->per_addr, c->addr_key);
}

static void
server_check_drained(struct http_server *srv)
{
	http_drained_cb *cb;

	if (!srv->draining || srv->nconns > 0 || srv->drained_cb == NULL)
		return;
	cb = srv->drained_cb;
	srv->drained_cb = NULL;
	cb(srv->drained_arg);
}

void
http_conn_free(struct http_conn *c)
{
	struct http_server *srv = c->srv;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	srv->nconns--;
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->rev != NULL)
		event_free(c->rev);
	if (c->wev != NULL)
		event_free(c->wev);
	if (c->in != NULL)
		evbuffer_free(c->in);
	if (c->out != NULL)
		evbuffer_free(c->out);
	if (c->fd >= 0)
		evutil_closesocket(c->fd);
	req_free(c->req);
	conn_addr_release(c);
	free(c);
	server_check_drained(srv);
}

/* Hands the request to the callback; from here the connection waits. */
void
http_conn_dispatch(struct http_conn *c)
{
	struct http_req *r = c->req;
	struct http_server *srv = c->srv;

	c->state = CONN_DISPATCHED;
	evtimer_del(c->timer);
	if (r->error != 0 || srv->draining)
		c->close = 1;
	if (r->method == NULL && (r->method = strdup("")) == NULL)
		goto nomem;
	if (r->target == NULL && (r->target = strdup("")) == NULL)
		goto nomem;
	/* The NUL keeps string functions from running off the body. */
	if (r->body != NULL)
		r->body[r->body_len] = '\0';
	/* The context is the callback's from here. */
	r->user_free = NULL;
	srv->cb(r, srv->arg);
	return;
nomem:
	log_err("http: out of memory reading a request from %s", c->peer);
	http_conn_free(c);
}

void
http_conn_fail(struct http_conn *c, int status)
{
	c->req->error = status;
	http_conn_dispatch(c);
}

/* Returns 0 when c waits for more input, 1 when the request went to the
 * callback or c was freed: either way c is not the caller's any more. */
static int
conn_process(struct http_conn *c)
{
	struct evbuffer *in = c->in;
	struct http_server *srv = c->srv;
	size_t n;

	if (c->state == CONN_LINGER) {
		n = evbuffer_get_length(in);
		c->lingered += n;
		evbuffer_drain(in, n);
		if (c->lingered <= HTTP_LINGER_BYTES)
			return 0;
		http_conn_free(c);
		return 1;
	}
	if (c->state == CONN_HEAD && evbuffer_get_length(in) == 0)
		return 0;
	if (c->req == NULL && (c->req = req_new(c)) == NULL) {
		http_conn_free(c);
		return 1;
	}
	/* A new connection's head is due header_timeout_ms after accept,
	 * armed then; a kept-alive one's from its first byte. */
	if (!c->started) {
		c->started = 1;
		if (c->kept) {
			c->started_ms = clock_mono_ms();
			http_conn_arm(c, srv->lim.header_timeout_ms);
		}
	}
	if (c->state == CONN_HEAD && http_parse_head(c, in))
		return 1;
	if (c->state == CONN_BODY) {
		n = evbuffer_get_length(in);
		if (n > c->remaining)
			n = (size_t)c->remaining;
		evbuffer_remove(in, c->req->body + c->req->body_len, n);
		c->req->body_len += n;
		c->remaining -= n;
		if (c->remaining > 0)
			return 0;
		http_conn_dispatch(c);
		return 1;
	}
	if (c->state >= CONN_CHUNK_SIZE && c->state <= CONN_TRAILER)
		return http_parse_chunked(c, in);
	return 0;
}

static void
conn_reading(struct http_conn *c, int on)
{
	if (on == c->reading)
		return;
	if (on)
		event_add(c->rev, NULL);
	else
		event_del(c->rev);
	c->reading = on;
}

/*
 * The socket stays readable-watched while a request is answered, so a
 * plain request/answer exchange costs no epoll_ctl: what arrives early
 * (pipelined requests, FIN) is only buffered, up to HTTP_AHEAD_BYTES.
 */
static void
conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn *c = arg;
	struct evbuffer_iovec v;
	ssize_t n;

	(void)what;
	if (evbuffer_reserve_space(c->in, HTTP_READ_SIZE, &v, 1) < 1) {
		conn_reading(c, 0);
		c->dead = 1;
		goto gone;
	}
	n = read(fd, v.iov_base, v.iov_len);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	if (n > 0) {
		v.iov_len = (size_t)n;
		evbuffer_commit_space(c->in, &v, 1);
		if (c->state == CONN_DISPATCHED || c->state == CONN_WRITING) {
			if (evbuffer_get_length(c->in) > HTTP_AHEAD_BYTES)
				conn_reading(c, 0);
			return;
		}
		conn_process(c);
		return;
	}
	/* A FIN still lets the pending answer out (a client may half-close
	 * after its request); a reset does not. */
	conn_reading(c, 0);
	if (n == 0)
		c->eof = 1;
	else
		c->dead = 1;
gone:
	if (c->state == CONN_DISPATCHED || c->state == CONN_WRITING)
		return;
	http_conn_free(c);
}

static void
conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn *c = arg;

	(void)fd;
	(void)what;
	if (c->state == CONN_DISPATCHED)
		return;
	/* The peer went away before its request was whole. */
	if (c->dead) {
		http_conn_free(c);
		return;
	}
	if (c->started && c->state <= CONN_TRAILER && c->req != NULL &&
	    c->state != CONN_LINGER) {
		/* The head or body is too slow: say so, then close. */
		http_conn_fail(c, 408);
		return;
	}
	http_conn_free(c);
}

/* Starts waiting for the next request on a kept-alive connection. */
static void
conn_next(struct http_conn *c)
{
	struct http_server *srv = c->srv;

	req_free(c->req);
	c->req = NULL;
	c->state = CONN_HEAD;
	c->head_bytes = 0;
	c->started = 0;
	c->kept = 1;
	if (srv->draining && evbuffer_get_length(c->in) == 0) {
		http_conn_free(c);
		return;
	}
	http_conn_arm(c, srv->lim.idle_timeout_ms);
	if (!c->eof)
		conn_reading(c, 1);
	/* After a FIN, a request still incomplete never will be. */
	if (conn_process(c) == 0 && c->eof)
		http_conn_free(c);
}

static void
conn_written(struct http_conn *c)
{
	if (c->state != CONN_WRITING)
		return;
	if (c->dead) {
		http_conn_free(c);
		return;
	}
	/* Requests pipelined before a FIN are still answered. */
	if (!c->close && (!c->eof || evbuffer_get_length(c->in) > 0)) {
		conn_next(c);
		return;
	}
	if (c->eof) {
		http_conn_free(c);
		return;
	}
	/* Closing at once would reset a peer still sending its body and
	 * lose our answer; half-close and discard for a while instead. */
	c->state = CONN_LINGER;
	req_free(c->req);
	c->req = NULL;
	shutdown(c->fd, SHUT_WR);
	http_conn_arm(c, HTTP_LINGER_MS);
	conn_reading(c, 1);
	conn_process(c);
}

/* The write failed or timed out. A request its callback still owns keeps
 * the connection until it is answered (http_reply then frees it). */
static void
conn_write_failed(struct http_conn *c)
{
	c->dead = 1;
	conn_reading(c, 0);
	if (c->state != CONN_DISPATCHED)
		http_conn_free(c);
}

/* Writes what it can; returns 0 when c->out is empty, 1 when it waits for
 * EPOLLOUT, -1 when the peer is gone. */
static int
conn_send(struct http_conn *c)
{
	struct timeval tv;

	if (evbuffer_get_length(c->out) > 0 &&
	    evbuffer_write(c->out, c->fd) < 0 && errno != EAGAIN &&
	    errno != EWOULDBLOCK && errno != EINTR)
		return -1;
	if (evbuffer_get_length(c->out) == 0) {
		event_del(c->wev);
		return 0;
	}
	tv.tv_sec = c->srv->lim.write_timeout_ms / 1000;
	tv.tv_usec = (c->srv->lim.write_timeout_ms % 1000) * 1000;
	event_add(c->wev, &tv);
	return 1;
}

static void
conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn *c = arg;

	(void)fd;
	if (c->dead || (what & EV_TIMEOUT)) {
		conn_write_failed(c);
		return;
	}
	switch (conn_send(c)) {
	case 0:
		conn_written(c);
		break;
	case -1:
		conn_write_failed(c);
		break;
	}
}

/*
 * Writes what it can at once: most answers leave in this one writev and
 * never wait for EPOLLOUT. What follows (the next request, or closing)
 * runs from the loop, never inside the caller of http_reply.
 */
void
http_conn_flush(struct http_conn *c)
{
	if (c->dead)
		return;
	switch (conn_send(c)) {
	case 0:
		if (c->state == CONN_WRITING)
			event_active(c->wev, EV_WRITE, 1);
		break;
	case -1:
		c->dead = 1;
		conn_reading(c, 0);
		if (c->state == CONN_WRITING)
			event_active(c->wev, EV_WRITE, 1);
		else if (c->state != CONN_DISPATCHED)
			http_conn_arm(c, 0);	/* 100 Continue failed: free it */
		break;
	}
}

static void
http_refuse(struct http_server *srv, evutil_socket_t fd)
{
	char buf[1024];
	size_t len;

	if (srv->refuse_cb != NULL &&
	    (len = srv->refuse_cb(buf, sizeof(buf), srv->refuse_arg)) > 0)
		(void)send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	evutil_closesocket(fd);
}

/*
 * Writes the peer's address into peer, and what the per-address cap
 * counts it by into key: the address itself, but for IPv6 its /64, the
 * least one site is given (an IPv4-mapped one counts as IPv4).
 */
static void
conn_addr(const struct sockaddr *sa, char *peer, char *key, size_t size)
{
	const struct sockaddr_in6 *s6;
	const unsigned char *b;
	struct in_addr v4;

	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr, peer, size);
		snprintf(key, size, "%s", peer);
		return;
	}
	if (sa->sa_family != AF_INET6) {
		snprintf(peer, size, "unknown");
		snprintf(key, size, "unknown");
		return;
	}
	s6 = (const struct sockaddr_in6 *)(const void *)sa;
	inet_ntop(AF_INET6, &s6->sin6_addr, peer, size);
	b = s6->sin6_addr.s6_addr;
	if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		memcpy(&v4, b + 12, 4);
		inet_ntop(AF_INET, &v4, key, size);
		return;
	}
	snprintf(key, size, "%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", b[0],
	    b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
}

/* Counts c against its address's cap. Returns 0, or -1 when the
 * address is at the cap (or no memory is left to count it). */
static int
conn_addr_take(struct http_server *srv, struct http_conn *c)
{
	unsigned *n;
	int created;

	if ((n = hmap_put(srv->per_addr, c->addr_key, &created)) == NULL)
		return -1;
	if (srv->lim.max_conns_per_addr > 0 &&
	    *n >= srv->lim.max_conns_per_addr &&
	    !cidr_any(srv->lim.uncapped, srv->lim.nuncapped, c->peer))
		return -1;
	++*n;
	return 0;
}

static void
server_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct http_server *srv = arg;
	struct http_conn *c;
	int one = 1;

	(void)l;
	(void)salen;
	/* Over the cap the answer is written straight away and the socket
	 * closed: a flood of refusals holds no descriptor and no memory. */
	if (srv->nconns >= srv->lim.max_conns) {
		http_refuse(srv, fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		evutil_closesocket(fd);
		return;
	}
	conn_addr(sa, c->peer, c->addr_key, sizeof(c->peer));
	if (conn_addr_take(srv, c) != 0) {
		free(c);
		http_refuse(srv, fd);
		return;
	}
	c->fd = fd;
	/* Answers go out in more than one write: without this, Nagle holds
	 * the tail until the peer's delayed ACK, 40 ms later. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->srv = srv;
	c->next = srv->conns;
	if (srv->conns != NULL)
		srv->conns->prev = c;
	srv->conns = c;
	srv->nconns++;
	c->rev = event_new(srv->base, fd, EV_READ | EV_PERSIST, conn_read_cb,
	    c);
	c->wev = event_new(srv->base, fd, EV_WRITE, conn_write_cb, c);
	c->timer = evtimer_new(srv->base, conn_timer_cb, c);
	c->in = evbuffer_new();
	c->out = evbuffer_new();
	if (c->rev == NULL || c->wev == NULL || c->timer == NULL ||
	    c->in == NULL || c->out == NULL) {
		http_conn_free(c);
		return;
	}
	/* A connection that says nothing holds its slot no longer than a
	 * slow head would. */
	c->started_ms = clock_mono_ms();
	http_conn_arm(c, srv->lim.header_timeout_ms);
	conn_reading(c, 1);
}

static void
server_accept_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_server *srv = arg;

	(void)fd;
	(void)what;
	if (srv->listener != NULL && !srv->draining)
		evconnlistener_enable(srv->listener);
}

static void
server_accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct http_server *srv = arg;
	struct timeval tv = { 0, 100 * 1000 };
	int e = EVUTIL_SOCKET_ERROR();

	/* Out of descriptors: accepting again at once would spin. */
	log_warn("http: accept: %s", evutil_socket_error_to_string(e));
	evconnlistener_disable(l);
	evtimer_add(srv->accept_retry, &tv);
}

struct http_server *
http_server_new(struct event_base *base, const struct http_limits *lim,
    http_request_cb *cb, void *arg)
{
	struct http_server *srv;

	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return NULL;
	srv->base = base;
	srv->lim = *lim;
	srv->cb = cb;
	srv->arg = arg;
	if ((srv->per_addr = hmap_new(sizeof(unsigned))) == NULL ||
	    (srv->accept_retry = evtimer_new(base, server_accept_retry_cb,
	    srv)) == NULL) {
		hmap_free(srv->per_addr);
		free(srv);
		return NULL;
	}
	return srv;
}

int
http_server_listen(struct http_server *srv, const char *host, uint16_t port,
    uint16_t *bound)
{
	struct addrinfo hints, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char portstr[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%u", port);
	/* Runs before the loop starts, so a name lookup may block here. */
	if ((rc = getaddrinfo(host, portstr, &hints, &ai)) != 0) {
		log_err("listen %s:%u: %s", host, port, gai_strerror(rc));
		errno = EINVAL;
		return FZ_ESYS;
	}
	srv->listener = evconnlistener_new_bind(srv->base, server_accept_cb,
	    srv, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
	    LEV_OPT_CLOSE_ON_EXEC, 1024, ai->ai_addr, (int)ai->ai_addrlen);
	freeaddrinfo(ai);
	if (srv->listener == NULL) {
		log_err("listen %s:%u: %s", host, port, strerror(errno));
		return FZ_ESYS;
	}
	evconnlistener_set_error_cb(srv->listener, server_accept_error_cb);
	if (getsockname(evconnlistener_get_fd(srv->listener),
	    (struct sockaddr *)&ss, &sslen) != 0)
		return FZ_ESYS;
	if (ss.ss_family == AF_INET6)
		*bound = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		*bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

void
http_server_on_refuse(struct http_server *srv, http_refuse_cb *cb, void *arg)
{
	srv->refuse_cb = cb;
	srv->refuse_arg = arg;
}

void
http_server_on_head(struct http_server *srv, http_head_cb *cb, void *arg)
{
	srv->head_cb = cb;
	srv->head_arg = arg;
}

void
http_server_set_limits(struct http_server *srv, const struct http_limits *lim)
{
	srv->lim = *lim;
}

void
http_server_drain(struct http_server *srv, http_drained_cb *cb, void *arg)
{
	struct http_conn *c, *next;

	srv->draining = 1;
	srv->drained_cb = cb;
	srv->drained_arg = arg;
	if (srv->listener != NULL) {
		evconnlistener_free(srv->listener);
		srv->listener = NULL;
	}
	for (c = srv->conns; c != NULL; c = next) {
		next = c->next;
		if (c->state == CONN_HEAD && !c->started)
			http_conn_free(c);
		else
			c->close = 1;
	}
	server_check_drained(srv);
}

size_t
http_server_conns(const struct http_server *srv)
{
	return srv->nconns;
}

size_t
http_server_body_memory(const struct http_server *srv)
{
	return srv->body_memory;
}

void
http_server_free(struct http_server *srv)
{
	if (srv == NULL)
		return;
	srv->drained_cb = NULL;
	while (srv->conns != NULL)
		http_conn_free(srv->conns);
	if (srv->listener != NULL)
		evconnlistener_free(srv->listener);
	event_free(srv->accept_retry);
	hmap_free(srv->per_addr);
	free(srv);
}

