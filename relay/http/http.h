/*
 * http.h: the HTTP/1.1 server side of the edge, on libevent events and
 * evbuffers.
 *
 * It reads one request at a time per connection (pipelined requests wait
 * their turn, buffered up to 16 KiB), enforces the limits below before
 * buffering anything large, and hands each complete request, or each
 * request it could not read, to one callback. The callback answers with
 * http_reply(), at once or later from the same loop; the answer is
 * written at once as far as the socket takes it, and the next request
 * is parsed from the loop afterwards. A client that half-closes still
 * gets the answers to the requests it sent. So that every answer
 * carries the API envelope, read failures (400, 408, 413, 414, 431, 501,
 * 503, 505) reach the callback too, flagged by http_req_error(), and the
 * connection closes after that answer. A connection over max_conns, or
 * over max_conns_per_addr from one address, gets the refusal callback's
 * answer written at once and is closed, holding nothing.
 *
 * Between the head and the body a head callback (http_server_on_head)
 * sees the request first: it lets the body be read, or answers at once
 * and no byte of the body is read. 100 Continue goes out only to a
 * request it let through.
 *
 * Framing follows RFC 9112 strictly: an HTTP/1.1 request needs exactly
 * one valid Host; every Transfer-Encoding line is judged, and chunked
 * must be the last coding, applied once (else 400; any other coding is
 * 501); Transfer-Encoding with Content-Length, or on HTTP/1.0, is 400;
 * chunked framing lines end in CRLF, never a bare LF, hold only valid
 * chunk extensions and are at most 1 KiB, however the bytes arrive.
 */
#ifndef FZ_HTTP_H
#define FZ_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct cidr;
struct event_base;
struct http_server;
struct http_req;

struct http_limits {
	size_t		max_body;		/* bytes, after de-chunking */
	/* Bytes every request body in flight may hold together (0: no
	 * bound); a body that would go beyond is refused with 503. */
	size_t		max_body_memory;
	size_t		max_head;		/* request line and headers */
	/* A new connection: from accept to the end of its first head; a
	 * kept-alive one: from a request's first byte to its head's end. */
	unsigned	header_timeout_ms;
	unsigned	request_timeout_ms;	/* first byte to end of body */
	unsigned	idle_timeout_ms;	/* keep-alive wait between requests */
	unsigned	write_timeout_ms;
	unsigned	max_conns;		/* beyond it: refused, closed */
	/* Connections from one address (an IPv6 one counts by its /64)
	 * beyond which a new one is refused (0: no cap). */
	unsigned	max_conns_per_addr;
	/* Of max_body_memory, what bodies of requests no key vouches for
	 * may hold (http_req_set_anonymous; 0: no share of their own), so
	 * that nobody without a key can take every keyed write's room. */
	size_t		max_anon_body_memory;
	/* Peers the cap does not hold (reverse proxies carry many clients'
	 * connections); borrowed, must outlive the limits. */
	const struct cidr *uncapped;
	size_t		nuncapped;
};

typedef void http_request_cb(struct http_req *req, void *arg);
/* Sees a request once its head is read, before any byte of its body. It
 * either returns without answering, and the body is read (within
 * http_req_set_max_body, if it lowered it), or answers req with
 * http_reply before returning: then the body is never read, and a
 * connection that announced one closes after the answer. It must not
 * keep req to answer later. */
typedef void http_head_cb(struct http_req *req, void *arg);
/* Writes a complete HTTP response refusing a connection over max_conns
 * into buf (size bytes); returns its length (0: close unanswered). */
typedef size_t http_refuse_cb(char *buf, size_t size, void *arg);
typedef void http_drained_cb(void *arg);

/* Returns a server on base, or NULL (no memory). cb is called for every
 * request. Caller frees with http_server_free. Loop thread only. */
struct http_server	*http_server_new(struct event_base *base,
			    const struct http_limits *lim,
			    http_request_cb *cb, void *arg);

/* Starts listening on host:port (port 0: any free port) and writes the
 * bound port to *bound. Returns 0 or FZ_ESYS. */
int	http_server_listen(struct http_server *srv, const char *host,
	    uint16_t port, uint16_t *bound);

/* Sets how connections over max_conns are answered. */
void	http_server_on_refuse(struct http_server *srv, http_refuse_cb *cb,
	    void *arg);

/* Sets the head callback; without one every body is read. With one, a
 * request that reaches the request callback without error has passed
 * it. */
void	http_server_on_head(struct http_server *srv, http_head_cb *cb,
	    void *arg);

/* Replaces the limits for requests that start from now on. */
void	http_server_set_limits(struct http_server *srv,
	    const struct http_limits *lim);

/* Stops accepting, closes idle connections, lets requests already begun
 * finish (their answers say Connection: close) and calls cb once no
 * connection is left. cb may run before this returns. */
void	http_server_drain(struct http_server *srv, http_drained_cb *cb,
	    void *arg);

/* Returns the number of open connections. */
size_t	http_server_conns(const struct http_server *srv);

/* Returns the bytes request bodies hold now (max_body_memory counts
 * these). */
size_t	http_server_body_memory(const struct http_server *srv);

/* Closes every connection and frees srv; NULL is fine. Requests still
 * waiting for an answer are freed: their owners must not answer them. */
void	http_server_free(struct http_server *srv);

/*
 * Request accessors. Every returned pointer is borrowed and valid until
 * http_reply() is called on req.
 */
/* 0, or the HTTP status describing why the request could not be read. */
int		 http_req_error(const struct http_req *req);
/* "GET", "POST", ... ("" when the request line was unreadable). */
const char	*http_req_method(const struct http_req *req);
/* The path part of the target, undecoded ("" when unreadable). */
const char	*http_req_path(const struct http_req *req);
/* The query string without '?', or NULL. */
const char	*http_req_query(const struct http_req *req);
/* A request header, matched case-insensitively, or NULL. */
const char	*http_req_header(const struct http_req *req, const char *name);
/* Each line of a repeated header in turn: start with *pos = 0; NULL
 * after the last. */
const char	*http_req_header_next(const struct http_req *req,
		    const char *name, int *pos);
/* The body, NUL-terminated (it may hold NULs); *len excludes the NUL. */
const char	*http_req_body(const struct http_req *req, size_t *len);
/* The peer's numeric address. */
const char	*http_req_peer(const struct http_req *req);

/* From the head callback: lowers req's body limit to max bytes (a
 * higher value changes nothing). A longer body is refused with 413. */
void	http_req_set_max_body(struct http_req *req, size_t max);

/* From the head callback: req's body counts against
 * max_anon_body_memory as well, nothing having vouched for its sender. */
void	http_req_set_anonymous(struct http_req *req);

/* Attaches the caller's context to req (NULL: none). Until req reaches
 * the request callback the server owns it: if the request is dropped
 * before (the peer went away, the server is freed), free_fn(user) is
 * called. From the request callback on, it is the caller's again. */
void	http_req_set_user(struct http_req *req, void *user,
	    void (*free_fn)(void *));
/* The context attached by http_req_set_user, or NULL. */
void	*http_req_user(const struct http_req *req);

/* Adds a response header. Returns 0, or FZ_EINVAL if name or value holds
 * CR, LF or NUL. */
int	http_req_add_header(struct http_req *req, const char *name,
	    const char *value);

/* Sends the response and releases req. body may be NULL when len is 0;
 * it is copied. A HEAD request gets the headers only. */
void	http_reply(struct http_req *req, int status, const char *ctype,
	    const char *body, size_t len);

/* As http_reply, but takes body (from malloc; freed once written, or
 * with the connection) instead of copying it. */
void	http_reply_take(struct http_req *req, int status, const char *ctype,
	    char *body, size_t len);

/* Returns the reason phrase of status ("Unknown" if none). */
const char	*http_reason(int status);

#endif
