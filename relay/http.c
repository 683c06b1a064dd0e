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
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "common/clock.h"
#include "common/fz.h"
#include "common/log.h"
#include "relay/http.h"

#define HTTP_MAX_HEADERS	100
/* An answer's status line, Date, Server and Content-Length (http_head):
 * at most 9 + 3 + 1 + a reason of 40 + 8 + 29 + 35 + 20 + 2 bytes. */
#define HTTP_HEAD_SIZE		192
#define HTTP_LINGER_MS		2000
#define HTTP_LINGER_BYTES	((size_t)1 << 20)
/* Bytes asked of one read(2): requests are small, and a connection keeps
 * what it has read (a partial head) in chunks of about this size. */
#define HTTP_READ_SIZE		4096
/* Input buffered beyond the request being answered (pipelining) before
 * the connection stops reading until its turn comes. */
#define HTTP_AHEAD_BYTES	((size_t)16 << 10)

enum conn_state {
	CONN_HEAD,		/* reading the request line and headers */
	CONN_BODY,		/* reading a Content-Length body */
	CONN_CHUNK_SIZE,	/* reading a chunk-size line */
	CONN_CHUNK_DATA,
	CONN_CHUNK_CRLF,	/* the CRLF after a chunk's data */
	CONN_TRAILER,		/* trailer lines after the last chunk */
	CONN_DISPATCHED,	/* the callback owns the request */
	CONN_WRITING,
	CONN_LINGER,		/* answered and closing: discard input */
};

struct http_req {
	struct http_conn	*conn;
	int			 error;
	char			*method;
	char			*target;	/* path, '\0', query */
	const char		*query;
	int			 minor;		/* HTTP/1.minor */
	/* The head's fields, in order: each line as read, its name cut at
	 * the colon. */
	struct {
		char		*name;		/* the line; owned */
		const char	*value;		/* in the line */
	}			 in[HTTP_MAX_HEADERS];
	int			 nheaders;
	char			*out;		/* answer fields, "N: v\r\n"... */
	size_t			 out_len, out_size;
	struct evbuffer		*body;
	char			*body_flat;
	size_t			 body_len;
};

struct http_conn {
	struct http_server	*srv;
	evutil_socket_t		 fd;
	struct event		*rev;		/* persistent while reading */
	struct event		*wev;		/* only while output waits */
	struct evbuffer		*in, *out;
	struct event		*timer;
	struct http_conn	*next, *prev;
	enum conn_state		 state;
	struct http_req		*req;
	char			 peer[INET6_ADDRSTRLEN];
	size_t			 head_bytes;
	uint64_t		 remaining;	/* body or chunk bytes to read */
	size_t			 lingered;
	int			 started;	/* a byte of the request arrived */
	int64_t			 started_ms;	/* monotonic, when it did */
	int			 close;		/* close after this answer */
	int			 dead;		/* peer gone while dispatched */
	int			 reading;	/* rev is pending */
	int			 eof;		/* the peer sent FIN */
};

struct http_server {
	struct event_base	*base;
	struct evconnlistener	*listener;
	struct event		*accept_retry;
	struct http_limits	 lim;
	http_request_cb		*cb;
	void			*arg;
	struct http_conn	*conns;
	size_t			 nconns;
	int			 draining;
	http_drained_cb		*drained_cb;
	void			*drained_arg;
	http_refuse_cb		*refuse_cb;
	void			*refuse_arg;
};

static void	conn_free(struct http_conn *);
static void	conn_flush(struct http_conn *);

static void
conn_arm(struct http_conn *c, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(c->timer, &tv);
}

static void
req_free(struct http_req *r)
{
	if (r == NULL)
		return;
	while (r->nheaders > 0)
		free(r->in[--r->nheaders].name);
	free(r->out);
	if (r->body != NULL)
		evbuffer_free(r->body);
	free(r->body_flat);
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
	if ((r->body = evbuffer_new()) == NULL) {
		free(r);
		return NULL;
	}
	r->conn = c;
	r->minor = 1;
	return r;
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

static void
conn_free(struct http_conn *c)
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
	free(c);
	server_check_drained(srv);
}

/* Hands the request to the callback; from here the connection waits. */
static void
conn_dispatch(struct http_conn *c)
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
	r->body_len = evbuffer_get_length(r->body);
	if ((r->body_flat = malloc(r->body_len + 1)) == NULL)
		goto nomem;
	evbuffer_remove(r->body, r->body_flat, r->body_len);
	r->body_flat[r->body_len] = '\0';
	srv->cb(r, srv->arg);
	return;
nomem:
	log_err("http: out of memory reading a request from %s", c->peer);
	conn_free(c);
}

static void
conn_fail(struct http_conn *c, int status)
{
	c->req->error = status;
	conn_dispatch(c);
}

static int
http_token_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

static int
http_token(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!http_token_char((unsigned char)s[i]) || s[i] == '\0')
			return 0;
	return 1;
}

/* Returns 0 or the status to answer with. */
static int
parse_request_line(struct http_req *r, char *line)
{
	char *sp1, *sp2, *q;
	size_t i;

	if ((sp1 = strchr(line, ' ')) == NULL ||
	    (sp2 = strchr(sp1 + 1, ' ')) == NULL || strchr(sp2 + 1, ' '))
		return 400;
	*sp1 = *sp2 = '\0';
	if (!http_token(line, strlen(line)))
		return 400;
	if (strncmp(sp2 + 1, "HTTP/", 5) != 0)
		return 400;
	if (strcmp(sp2 + 1, "HTTP/1.1") == 0)
		r->minor = 1;
	else if (strcmp(sp2 + 1, "HTTP/1.0") == 0)
		r->minor = 0;
	else
		return 505;
	if (sp1[1] != '/')
		return 400;
	for (i = 1; sp1[i] != '\0'; i++)
		if ((unsigned char)sp1[i] <= 0x20 || sp1[i] == 0x7f)
			return 400;
	if ((r->method = strdup(line)) == NULL ||
	    (r->target = strdup(sp1 + 1)) == NULL)
		return 503;
	if ((q = strchr(r->target, '#')) != NULL)
		*q = '\0';
	if ((q = strchr(r->target, '?')) != NULL) {
		*q = '\0';
		r->query = q + 1;
	}
	return 0;
}

/* Takes line (kept in r, or freed). Returns 0 or a status. */
static int
parse_header_line(struct http_req *r, char *line)
{
	char *colon, *v, *e;
	int st = 400;

	/* Folded continuation lines are obsolete and a smuggling vector. */
	if (line[0] == ' ' || line[0] == '\t')
		goto fail;
	if ((colon = strchr(line, ':')) == NULL ||
	    !http_token(line, (size_t)(colon - line)))
		goto fail;
	*colon = '\0';
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	e = v + strlen(v);
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	for (e = v; *e != '\0'; e++)
		if (((unsigned char)*e < 0x20 && *e != '\t') || *e == 0x7f)
			goto fail;
	if (r->nheaders == HTTP_MAX_HEADERS) {
		st = 431;
		goto fail;
	}
	r->in[r->nheaders].name = line;
	r->in[r->nheaders++].value = v;
	return 0;
fail:
	free(line);
	return st;
}

/* Decides how the body is framed once the head is in. Returns 0 or a
 * status. */
static int
conn_head_done(struct http_conn *c)
{
	struct http_req *r = c->req;
	struct http_server *srv = c->srv;
	const char *te, *cl, *conn, *expect;
	char *end;
	unsigned long long n;
	int64_t elapsed;
	int i;

	conn = http_req_header(r, "Connection");
	if (r->minor == 0)
		c->close = conn == NULL || strcasecmp(conn, "keep-alive") != 0;
	else if (conn != NULL && strcasecmp(conn, "close") == 0)
		c->close = 1;

	te = http_req_header(r, "Transfer-Encoding");
	cl = NULL;
	for (i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->in[i].name, "Content-Length") != 0)
			continue;
		if (cl != NULL && strcmp(cl, r->in[i].value) != 0)
			return 400;
		cl = r->in[i].value;
	}
	if (te != NULL && cl != NULL)
		return 400;
	if (te != NULL) {
		if (strcasecmp(te, "chunked") != 0 || r->minor == 0)
			return 501;
		c->state = CONN_CHUNK_SIZE;
		c->remaining = 0;
	} else if (cl != NULL) {
		errno = 0;
		n = strtoull(cl, &end, 10);
		if (*cl < '0' || *cl > '9' || *end != '\0' || errno != 0)
			return 400;
		if (n > srv->lim.max_body)
			return 413;
		if (n == 0)
			return -1;
		c->state = CONN_BODY;
		c->remaining = n;
	} else
		return -1;		/* no body */

	expect = http_req_header(r, "Expect");
	if (expect != NULL && strcasecmp(expect, "100-continue") == 0 &&
	    r->minor == 1 &&
	    evbuffer_add(c->out, "HTTP/1.1 100 Continue\r\n\r\n", 25) == 0)
		conn_flush(c);
	/* request_timeout_ms counts from the first byte, head included. */
	elapsed = clock_mono_ms() - c->started_ms;
	conn_arm(c, elapsed < (int64_t)srv->lim.request_timeout_ms ?
	    (unsigned)(srv->lim.request_timeout_ms - elapsed) : 1);
	return 0;
}

/* Returns 1 when the request is complete or failed (dispatched), 0 when
 * more input is needed. */
static int
conn_read_head(struct http_conn *c, struct evbuffer *in)
{
	struct http_server *srv = c->srv;
	struct http_req *r = c->req;
	size_t len;
	char *line;
	int st;

	for (;;) {
		line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
		if (line == NULL) {
			if (c->head_bytes + evbuffer_get_length(in) >
			    srv->lim.max_head) {
				conn_fail(c, r->method == NULL ? 414 : 431);
				return 1;
			}
			return 0;
		}
		c->head_bytes += len + 2;
		if (c->head_bytes > srv->lim.max_head) {
			free(line);
			conn_fail(c, r->method == NULL ? 414 : 431);
			return 1;
		}
		if (strlen(line) != len) {
			st = 400;	/* NUL inside the head */
		} else if (r->method == NULL) {
			/* Stray blank lines before a request are allowed. */
			if (len == 0) {
				free(line);
				continue;
			}
			st = parse_request_line(r, line);
		} else if (len == 0) {
			st = conn_head_done(c);
			free(line);
			if (st < 0) {
				conn_dispatch(c);
				return 1;
			}
			if (st > 0) {
				conn_fail(c, st);
				return 1;
			}
			return 0;
		} else {
			st = parse_header_line(r, line);
			line = NULL;		/* taken */
		}
		free(line);
		if (st != 0) {
			conn_fail(c, st);
			return 1;
		}
	}
}

static int
conn_read_chunked(struct http_conn *c, struct evbuffer *in)
{
	struct http_server *srv = c->srv;
	struct http_req *r = c->req;
	size_t len, n;
	char *line, *end;
	unsigned long long sz;

	for (;;) {
		switch (c->state) {
		case CONN_CHUNK_SIZE:
		case CONN_CHUNK_CRLF:
		case CONN_TRAILER:
			line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
			if (line == NULL) {
				if (evbuffer_get_length(in) > 1024) {
					conn_fail(c, 400);
					return 1;
				}
				return 0;
			}
			if (c->state == CONN_CHUNK_CRLF) {
				free(line);
				if (len != 0) {
					conn_fail(c, 400);
					return 1;
				}
				c->state = CONN_CHUNK_SIZE;
				continue;
			}
			if (c->state == CONN_TRAILER) {
				free(line);
				if (len == 0) {
					conn_dispatch(c);
					return 1;
				}
				/* Ignored, but they count against the head. */
				c->head_bytes += len + 2;
				if (c->head_bytes > srv->lim.max_head) {
					conn_fail(c, 431);
					return 1;
				}
				continue;
			}
			errno = 0;
			sz = strtoull(line, &end, 16);
			if (strncasecmp(line, "0x", 2) == 0 ||
			    !((*line >= '0' && *line <= '9') ||
			    (*line >= 'a' && *line <= 'f') ||
			    (*line >= 'A' && *line <= 'F')) ||
			    (*end != '\0' && *end != ';' && *end != ' ' &&
			    *end != '\t') || errno != 0) {
				free(line);
				conn_fail(c, 400);
				return 1;
			}
			free(line);
			if (sz > srv->lim.max_body ||
			    evbuffer_get_length(r->body) + sz >
			    srv->lim.max_body) {
				conn_fail(c, 413);
				return 1;
			}
			if (sz == 0)
				c->state = CONN_TRAILER;
			else {
				c->state = CONN_CHUNK_DATA;
				c->remaining = sz;
			}
			break;
		case CONN_CHUNK_DATA:
			n = evbuffer_get_length(in);
			if (n == 0)
				return 0;
			if (n > c->remaining)
				n = (size_t)c->remaining;
			evbuffer_remove_buffer(in, r->body, n);
			c->remaining -= n;
			if (c->remaining == 0)
				c->state = CONN_CHUNK_CRLF;
			break;
		default:
			return 0;
		}
	}
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
		conn_free(c);
		return 1;
	}
	if (c->state == CONN_HEAD && evbuffer_get_length(in) == 0)
		return 0;
	if (c->req == NULL && (c->req = req_new(c)) == NULL) {
		conn_free(c);
		return 1;
	}
	if (!c->started) {
		c->started = 1;
		c->started_ms = clock_mono_ms();
		conn_arm(c, srv->lim.header_timeout_ms);
	}
	if (c->state == CONN_HEAD && conn_read_head(c, in))
		return 1;
	if (c->state == CONN_BODY) {
		n = evbuffer_get_length(in);
		if (n > c->remaining)
			n = (size_t)c->remaining;
		evbuffer_remove_buffer(in, c->req->body, n);
		c->remaining -= n;
		if (c->remaining > 0)
			return 0;
		conn_dispatch(c);
		return 1;
	}
	if (c->state >= CONN_CHUNK_SIZE && c->state <= CONN_TRAILER)
		return conn_read_chunked(c, in);
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
	conn_free(c);
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
		conn_free(c);
		return;
	}
	if (c->started && c->state <= CONN_TRAILER && c->req != NULL &&
	    c->state != CONN_LINGER) {
		/* The head or body is too slow: say so, then close. */
		conn_fail(c, 408);
		return;
	}
	conn_free(c);
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
	if (srv->draining && evbuffer_get_length(c->in) == 0) {
		conn_free(c);
		return;
	}
	conn_arm(c, srv->lim.idle_timeout_ms);
	if (!c->eof)
		conn_reading(c, 1);
	/* After a FIN, a request still incomplete never will be. */
	if (conn_process(c) == 0 && c->eof)
		conn_free(c);
}

static void
conn_written(struct http_conn *c)
{
	if (c->state != CONN_WRITING)
		return;
	if (c->dead) {
		conn_free(c);
		return;
	}
	/* Requests pipelined before a FIN are still answered. */
	if (!c->close && (!c->eof || evbuffer_get_length(c->in) > 0)) {
		conn_next(c);
		return;
	}
	if (c->eof) {
		conn_free(c);
		return;
	}
	/* Closing at once would reset a peer still sending its body and
	 * lose our answer; half-close and discard for a while instead. */
	c->state = CONN_LINGER;
	req_free(c->req);
	c->req = NULL;
	shutdown(c->fd, SHUT_WR);
	conn_arm(c, HTTP_LINGER_MS);
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
		conn_free(c);
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
static void
conn_flush(struct http_conn *c)
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
			conn_arm(c, 0);	/* 100 Continue failed: free it */
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
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)sa)->sin_addr,
		    c->peer, sizeof(c->peer));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
		    &((struct sockaddr_in6 *)(void *)sa)->sin6_addr, c->peer,
		    sizeof(c->peer));
	else
		strcpy(c->peer, "unknown");
	c->rev = event_new(srv->base, fd, EV_READ | EV_PERSIST, conn_read_cb,
	    c);
	c->wev = event_new(srv->base, fd, EV_WRITE, conn_write_cb, c);
	c->timer = evtimer_new(srv->base, conn_timer_cb, c);
	c->in = evbuffer_new();
	c->out = evbuffer_new();
	if (c->rev == NULL || c->wev == NULL || c->timer == NULL ||
	    c->in == NULL || c->out == NULL) {
		conn_free(c);
		return;
	}
	conn_arm(c, srv->lim.idle_timeout_ms);
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
	if ((srv->accept_retry = evtimer_new(base, server_accept_retry_cb,
	    srv)) == NULL) {
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
			conn_free(c);
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

void
http_server_free(struct http_server *srv)
{
	if (srv == NULL)
		return;
	srv->drained_cb = NULL;
	while (srv->conns != NULL)
		conn_free(srv->conns);
	if (srv->listener != NULL)
		evconnlistener_free(srv->listener);
	event_free(srv->accept_retry);
	free(srv);
}

int
http_req_error(const struct http_req *req)
{
	return req->error;
}

const char *
http_req_method(const struct http_req *req)
{
	return req->method;
}

const char *
http_req_path(const struct http_req *req)
{
	return req->target;
}

const char *
http_req_query(const struct http_req *req)
{
	return req->query;
}

const char *
http_req_header(const struct http_req *req, const char *name)
{
	int i;

	for (i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->in[i].name, name) == 0)
			return req->in[i].value;
	return NULL;
}

const char *
http_req_body(const struct http_req *req, size_t *len)
{
	*len = req->body_len;
	return req->body_flat;
}

const char *
http_req_peer(const struct http_req *req)
{
	return req->conn->peer;
}

int
http_req_add_header(struct http_req *req, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value), need, size;
	char *p;

	if (!http_token(name, nl) || strpbrk(value, "\r\n") != NULL)
		return FZ_EINVAL;
	need = req->out_len + nl + 2 + vl + 2;
	if (need > req->out_size) {
		for (size = req->out_size > 0 ? req->out_size : 256; size < need;
		    size *= 2)
			;
		if ((p = realloc(req->out, size)) == NULL)
			return FZ_ENOMEM;
		req->out = p;
		req->out_size = size;
	}
	p = req->out + req->out_len;
	memcpy(p, name, nl);
	memcpy(p + nl, ": ", 2);
	memcpy(p + nl + 2, value, vl);
	memcpy(p + nl + 2 + vl, "\r\n", 2);
	req->out_len = need;
	return 0;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	}
	return "Unknown";
}

static void
http_body_free(const void *data, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	free((void *)(uintptr_t)data);
}

/* The Date header's value, formatted once a second. */
static const char *
http_date(void)
{
	static char date[64];
	static time_t at = -1;
	time_t now = time(NULL);
	struct tm tm;

	if (now != at) {
		gmtime_r(&now, &tm);
		strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		at = now;
	}
	return date;
}

/* Appends s to buf at *n. */
static void
http_put(char *buf, size_t *n, const char *s)
{
	size_t len = strlen(s);

	memcpy(buf + *n, s, len);
	*n += len;
}

/* Appends v in decimal to buf at *n. */
static void
http_put_num(char *buf, size_t *n, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do
		tmp[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	memcpy(buf + *n, tmp + i, sizeof(tmp) - i);
	*n += sizeof(tmp) - i;
}

/* Adds an answer's status line and fixed fields to out. Formatted by
 * hand: it is on every answer's path. */
static void
http_head(struct evbuffer *out, int minor, int status, size_t len,
    const char *ctype, const char *conn)
{
	char buf[HTTP_HEAD_SIZE];
	size_t n = 0;

	http_put(buf, &n, minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ");
	http_put_num(buf, &n, (uint64_t)status % 1000);
	buf[n++] = ' ';
	http_put(buf, &n, http_reason(status));
	http_put(buf, &n, "\r\nDate: ");
	http_put(buf, &n, http_date());
	http_put(buf, &n, "\r\nServer: fzrelay\r\nContent-Length: ");
	http_put_num(buf, &n, len);
	http_put(buf, &n, "\r\n");
	evbuffer_add(out, buf, n);
	if (ctype != NULL) {
		evbuffer_add(out, "Content-Type: ", 14);
		evbuffer_add(out, ctype, strlen(ctype));
		evbuffer_add(out, "\r\n", 2);
	}
	evbuffer_add(out, conn, strlen(conn));
}

/* http_reply and http_reply_take: own, if not NULL, is body, taken. */
static void
http_send(struct http_req *req, int status, const char *ctype,
    const char *body, size_t len, char *own)
{
	struct http_conn *c = req->conn;
	struct evbuffer *out;

	if (c->state != CONN_DISPATCHED || c->req != req) {
		log_err("http: answer for a request that is not waiting");
		free(own);
		return;
	}
	if (c->dead) {
		free(own);
		conn_free(c);
		return;
	}
	if (c->srv->draining)
		c->close = 1;
	out = c->out;
	http_head(out, req->minor, status, len, ctype, c->close ?
	    "Connection: close\r\n" : req->minor == 0 ?
	    "Connection: keep-alive\r\n" : "");
	if (req->out_len > 0)
		evbuffer_add(out, req->out, req->out_len);
	evbuffer_add(out, "\r\n", 2);
	if (len == 0 || strcmp(req->method, "HEAD") == 0)
		free(own);
	else if (own == NULL)
		evbuffer_add(out, body, len);
	else if (evbuffer_add_reference(out, own, len, http_body_free, NULL) !=
	    0) {
		evbuffer_add(out, own, len);
		free(own);
	}
	c->state = CONN_WRITING;
	conn_flush(c);
}

void
http_reply(struct http_req *req, int status, const char *ctype,
    const char *body, size_t len)
{
	http_send(req, status, ctype, body, len, NULL);
}

void
http_reply_take(struct http_req *req, int status, const char *ctype,
    char *body, size_t len)
{
	http_send(req, status, ctype, body, len, body);
}
