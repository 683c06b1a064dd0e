/*
 * http_conn.h: what relay/http/http.c, http_parse.c and http_answer.c share,
 * and nothing else may use: a connection, its request, the server. The
 * module's public face is relay/http/http.h.
 *
 * http.c owns connections: accepting, reading, timers, writing, closing.
 * http_parse.c turns a connection's input into its request: the request
 * line and fields, Host, how the body is framed (Content-Length or
 * chunked, never both), chunked decoding; a failure dispatches the
 * request flagged with the status to answer. http_body.c stands between
 * head and body: it shows the head to the head callback, takes the
 * body's block against max_body_memory and sends 100 Continue.
 * http_answer.c gives the request's fields to the callback and formats
 * its answer by hand (status line, Date, Server, Content-Length, the
 * callback's fields), taking the body by reference when it is given up.
 * All of it runs on the loop thread.
 */
#ifndef FZ_HTTP_CONN_H
#define FZ_HTTP_CONN_H

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stddef.h>
#include <stdint.h>

#include <event2/util.h>

#include "relay/http/http.h"

struct evbuffer;
struct hmap;

#define HTTP_MAX_HEADERS	100
/* A chunk-size or trailer line, without its CRLF. */
#define HTTP_CHUNK_LINE_MAX	1024

enum conn_state {
	CONN_HEAD,		/* reading the request line and headers */
	CONN_AT_HEAD,		/* the head callback has the request */
	CONN_BODY,		/* reading a Content-Length body */
	CONN_CHUNK_SIZE,	/* reading a chunk-size line */
	CONN_CHUNK_DATA,
	CONN_CHUNK_CRLF,	/* the CRLF after a chunk's data */
	CONN_TRAILER,		/* trailer lines after the last chunk */
	CONN_DISPATCHED,	/* the callback owns the request */
	CONN_WRITING,
	CONN_LINGER,		/* answered and closing: discard input */
};

enum http_framing {
	HTTP_NO_BODY,
	HTTP_LENGTH,		/* Content-Length */
	HTTP_CHUNKED,
};

struct http_req {
	struct http_conn	*conn;
	int			 error;
	char			*method;
	char			*target;	/* path, '\0', query */
	const char		*query;
	int			 minor;		/* HTTP/1.minor */
	enum http_framing	 framing;
	uint64_t		 length;	/* Content-Length */
	int			 expect;	/* Expect: 100-continue */
	size_t			 max_body;
	int			 anon;		/* http_req_set_anonymous */
	void			*user;
	void			(*user_free)(void *);
	/* The head's fields, in order: each line as read, its name cut at
	 * the colon. */
	struct {
		char		*name;		/* the line; owned */
		const char	*value;		/* in the line */
	}			 in[HTTP_MAX_HEADERS];
	int			 nheaders;
	char			*out;		/* answer fields, "N: v\r\n"... */
	size_t			 out_len, out_size;
	/* The body, read straight into one block that grows to what is
	 * announced (Content-Length, each chunk's size): body_size bytes,
	 * counted in the server's body_memory. */
	char			*body;
	size_t			 body_len, body_size;
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
	/* What max_conns_per_addr counts by: the address, or an IPv6
	 * address's /64. */
	char			 addr_key[INET6_ADDRSTRLEN];
	size_t			 head_bytes;
	uint64_t		 remaining;	/* body or chunk bytes to read */
	size_t			 lingered;
	int			 started;	/* a byte of the request arrived */
	int64_t			 started_ms;	/* monotonic, when it did (the
						   first request: accepted) */
	int			 kept;		/* past its first request */
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
	struct hmap		*per_addr;	/* addr_key -> unsigned conns */
	size_t			 body_memory;	/* bytes bodies hold */
	size_t			 anon_body_memory;	/* of it, anonymous */
	int			 draining;
	http_drained_cb		*drained_cb;
	void			*drained_arg;
	http_refuse_cb		*refuse_cb;
	void			*refuse_arg;
	http_head_cb		*head_cb;
	void			*head_arg;
};

/* http.c */

/* (Re)starts c's timer: ms from now. */
void	http_conn_arm(struct http_conn *c, unsigned ms);

/* Hands c's request to the server's callback; c waits for its answer.
 * c may be gone on return (no memory, or the callback answered at once
 * on a dead connection): the caller must not touch it again. */
void	http_conn_dispatch(struct http_conn *c);

/* Dispatches c's request as failed with status (its answer closes c).
 * As http_conn_dispatch, c may be gone on return. */
void	http_conn_fail(struct http_conn *c, int status);

/* Writes what c's output holds, as far as the socket takes it; what
 * follows the answer runs from the loop, never inside the caller. */
void	http_conn_flush(struct http_conn *c);

/* Closes c and frees it with its request. */
void	http_conn_free(struct http_conn *c);

/* http_body.c */

/* Called once c's head is read and its framing known: shows it to the
 * head callback, then dispatches a request without a body, or readies
 * the body's memory and sends 100 Continue. Returns 1 when the request
 * was answered or dispatched (c may be gone), 0 when its body is to be
 * read. */
int	http_conn_head(struct http_conn *c);

/* Makes room for c's body to hold need bytes (and a NUL). Returns 0,
 * 413 beyond the request's limit or 503 beyond max_body_memory (or with
 * no memory). */
int	http_conn_body_room(struct http_conn *c, uint64_t need);

/* http_parse.c */

/* Reads c's request head from in. Returns 1 when the request is complete
 * or failed (dispatched either way: c may be gone), 0 when more input is
 * needed. */
int	http_parse_head(struct http_conn *c, struct evbuffer *in);

/* Reads a chunked body from in. Returns 1 when dispatched (complete or
 * failed: c may be gone), 0 when more input is needed. */
int	http_parse_chunked(struct http_conn *c, struct evbuffer *in);

/* Returns 1 if s[0..n) is a non-empty HTTP token (RFC 9110), else 0. */
int	http_parse_token(const char *s, size_t n);

#endif
