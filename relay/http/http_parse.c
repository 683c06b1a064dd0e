#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#include "relay/http/http.h"
#include "relay/http/http_conn.h"

static int
http_token_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

int
http_parse_token(const char *s, size_t n)
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
	if (!http_parse_token(line, strlen(line)))
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
	    !http_parse_token(line, (size_t)(colon - line)))
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

/* Returns p past optional whitespace (OWS, BWS). */
static const char *
parse_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Returns p past a token (p itself if none starts there). */
static const char *
parse_token_end(const char *p)
{
	while (*p != '\0' && http_token_char((unsigned char)*p))
		p++;
	return p;
}

/* Returns 1 if ch is a letter, a digit or one of set, else 0. */
static int
parse_alnum_or(char ch, const char *set)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= 'A' && ch <= 'Z') || (ch != '\0' && strchr(set, ch) != NULL);
}

/* Returns 1 if h is a Host field value: uri-host [ ":" port ] (RFC 9112
 * 3.2; empty is allowed), else 0. */
static int
parse_host_ok(const char *h)
{
	if (*h == '[') {
		for (h++; *h != ']'; h++)
			if (!parse_alnum_or(*h, "-._~!$&'()*+,;=:"))
				return 0;
		h++;
	} else
		for (; *h != '\0' && *h != ':'; h++)
			if (!parse_alnum_or(*h, "-._~!$&'()*+,;=%"))
				return 0;
	if (*h == ':')
		for (h++; *h >= '0' && *h <= '9'; h++)
			;
	return *h == '\0';
}

/* Judges the Host lines. Returns 0 or 400. */
static int
parse_host(const struct http_req *r)
{
	const char *host = NULL;
	int i, n = 0;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->in[i].name, "Host") == 0) {
			host = r->in[i].value;
			n++;
		}
	if (n > 1 || (n == 0 && r->minor == 1) ||
	    (host != NULL && !parse_host_ok(host)))
		return 400;
	return 0;
}

/*
 * Judges every Transfer-Encoding line together, as one list of codings
 * in order (RFC 9112 6.1, 6.3): chunked must be the last, applied once;
 * otherwise the body's end cannot be known, 400. A list ending in
 * chunked after other codings is well framed but asks for codings not
 * served: 501. Sets *te if there is any such line. Returns 0 or the
 * status.
 */
static int
parse_te(const struct http_req *r, int *te)
{
	const char *p, *e;
	int i, n = 0, chunked = 0, last = 0, other = 0;

	*te = 0;
	for (i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->in[i].name, "Transfer-Encoding") != 0)
			continue;
		*te = 1;
		for (p = r->in[i].value; *p != '\0'; p++) {
			p = parse_ows(p);
			if (*p == ',' || *p == '\0') {	/* an empty element */
				if (*p == '\0')
					break;
				continue;
			}
			e = parse_token_end(p);
			if (e == p)
				return 400;
			n++;
			last = (size_t)(e - p) == 7 &&
			    strncasecmp(p, "chunked", 7) == 0;
			if (last && chunked++ > 0)
				return 400;
			p = parse_ows(e);
			/* chunked takes no parameters; another coding's are
			 * skipped, it is not served anyway. */
			if (last && *p != ',' && *p != '\0')
				return 400;
			if (!last) {
				other = 1;
				p += strcspn(p, ",");
			}
			if (*p == '\0')
				break;
		}
	}
	if (!*te)
		return 0;
	if (n == 0 || !last)
		return 400;
	return other ? 501 : 0;
}

/* Decides how the body is framed once the head is in. Returns 0 or a
 * status. */
static int
parse_framing(struct http_conn *c)
{
	struct http_req *r = c->req;
	struct http_server *srv = c->srv;
	const char *cl, *conn, *expect;
	char *end;
	unsigned long long n;
	int i, st, te;

	conn = http_req_header(r, "Connection");
	if (r->minor == 0)
		c->close = conn == NULL || strcasecmp(conn, "keep-alive") != 0;
	else if (conn != NULL && strcasecmp(conn, "close") == 0)
		c->close = 1;
	if ((st = parse_host(r)) != 0)
		return st;

	cl = NULL;
	for (i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->in[i].name, "Content-Length") != 0)
			continue;
		if (cl != NULL && strcmp(cl, r->in[i].value) != 0)
			return 400;
		cl = r->in[i].value;
	}
	st = parse_te(r, &te);
	/* Two framings, or chunked where HTTP/1.0 has none: smuggling. */
	if (te && (cl != NULL || r->minor == 0))
		return 400;
	if (st != 0)
		return st;
	r->framing = HTTP_NO_BODY;
	if (te)
		r->framing = HTTP_CHUNKED;
	else if (cl != NULL) {
		errno = 0;
		n = strtoull(cl, &end, 10);
		if (*cl < '0' || *cl > '9' || *end != '\0' || errno != 0)
			return 400;
		if (n > srv->lim.max_body)
			return 413;
		if (n > 0) {
			r->framing = HTTP_LENGTH;
			r->length = n;
		}
	}
	expect = http_req_header(r, "Expect");
	r->expect = r->framing != HTTP_NO_BODY && expect != NULL &&
	    strcasecmp(expect, "100-continue") == 0 && r->minor == 1;
	return 0;
}

/* Returns 1 when the request is complete or failed (dispatched), 0 when
 * more input is needed. */
int
http_parse_head(struct http_conn *c, struct evbuffer *in)
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
				http_conn_fail(c, r->method == NULL ? 414 : 431);
				return 1;
			}
			return 0;
		}
		c->head_bytes += len + 2;
		if (c->head_bytes > srv->lim.max_head) {
			free(line);
			http_conn_fail(c, r->method == NULL ? 414 : 431);
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
			free(line);
			if ((st = parse_framing(c)) != 0) {
				http_conn_fail(c, st);
				return 1;
			}
			return http_conn_head(c);
		} else {
			st = parse_header_line(r, line);
			line = NULL;		/* taken */
		}
		free(line);
		if (st != 0) {
			http_conn_fail(c, st);
			return 1;
		}
	}
}

/*
 * Takes the next line of chunked framing off in into line (at least
 * HTTP_CHUNK_LINE_MAX + 1 bytes), without its CRLF, NUL-terminated.
 * Returns 1 with the line, 0 when more input is needed, or 400: a bare
 * LF, a NUL, or a line longer than HTTP_CHUNK_LINE_MAX, however its
 * bytes arrived.
 */
static int
chunk_line(struct evbuffer *in, char *line)
{
	size_t avail = evbuffer_get_length(in), look, n;
	const unsigned char *p;
	const unsigned char *lf;

	look = avail < HTTP_CHUNK_LINE_MAX + 2 ? avail :
	    HTTP_CHUNK_LINE_MAX + 2;
	if (look == 0)
		return 0;
	if ((p = evbuffer_pullup(in, (ssize_t)look)) == NULL)
		return 400;
	if ((lf = memchr(p, '\n', look)) == NULL)
		return look == HTTP_CHUNK_LINE_MAX + 2 ? 400 : 0;
	n = (size_t)(lf - p);
	if (n == 0 || p[n - 1] != '\r' || memchr(p, '\0', n) != NULL)
		return 400;
	memcpy(line, p, n - 1);
	line[n - 1] = '\0';
	evbuffer_drain(in, n + 1);
	return 1;
}

/* Returns p past a quoted-string (RFC 9110 5.6.4) that starts there, or
 * NULL if none does. */
static const char *
parse_quoted_end(const char *p)
{
	unsigned char ch;

	if (*p++ != '"')
		return NULL;
	for (;;) {
		ch = (unsigned char)*p++;
		if (ch == '"')
			return p;
		if (ch == '\\') {
			ch = (unsigned char)*p++;
			if (ch != '\t' && (ch < 0x20 || ch == 0x7f))
				return NULL;
		} else if (ch != '\t' && (ch < 0x20 || ch == 0x7f))
			return NULL;	/* the NUL ending the line too */
	}
}

/* Returns 1 if p is nothing or valid chunk extensions (RFC 9112 7.1.1):
 * *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] ). */
static int
chunk_ext_ok(const char *p)
{
	const char *q;

	while (*p != '\0') {
		p = parse_ows(p);
		if (*p != ';')
			return 0;
		p = parse_ows(p + 1);
		if ((q = parse_token_end(p)) == p)
			return 0;
		p = q;
		q = parse_ows(p);
		if (*q != '=')
			continue;
		p = parse_ows(q + 1);
		if (*p == '"')
			q = parse_quoted_end(p);
		else if ((q = parse_token_end(p)) == p)
			q = NULL;
		if (q == NULL)
			return 0;
		p = q;
	}
	return 1;
}

/* Reads a chunk-size line: hex digits, then extensions. Returns 0 with
 * *sz, or 400. */
static int
chunk_size(const char *line, uint64_t *sz)
{
	const char *p;
	int d;

	*sz = 0;
	for (p = line;; p++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (*sz > UINT64_MAX >> 4)
			return 400;
		*sz = *sz << 4 | (uint64_t)d;
	}
	if (p == line || !chunk_ext_ok(p))
		return 400;
	return 0;
}

/* Returns 1 if line is a field line (trailers are read and dropped, but
 * held to the head's syntax). */
static int
chunk_trailer_ok(const char *line)
{
	const char *colon = strchr(line, ':'), *p;

	if (colon == NULL ||
	    !http_parse_token(line, (size_t)(colon - line)))
		return 0;
	for (p = colon + 1; *p != '\0'; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			return 0;
	return 1;
}

int
http_parse_chunked(struct http_conn *c, struct evbuffer *in)
{
	struct http_server *srv = c->srv;
	struct http_req *r = c->req;
	char line[HTTP_CHUNK_LINE_MAX + 1];
	const unsigned char *p;
	size_t len, n;
	uint64_t sz;
	int st;

	for (;;) {
		switch (c->state) {
		case CONN_CHUNK_SIZE:
		case CONN_TRAILER:
			if ((st = chunk_line(in, line)) == 0)
				return 0;
			if (st != 1)
				goto fail;
			len = strlen(line);
			if (c->state == CONN_TRAILER) {
				if (len == 0) {
					http_conn_dispatch(c);
					return 1;
				}
				/* Dropped, but they count against the head. */
				c->head_bytes += len + 2;
				if (c->head_bytes > srv->lim.max_head)
					st = 431;
				else if (!chunk_trailer_ok(line))
					st = 400;
				else
					continue;
				goto fail;
			}
			if ((st = chunk_size(line, &sz)) != 0)
				goto fail;
			if (sz > r->max_body)
				st = 413;
			else if (sz > 0)
				st = http_conn_body_room(c, r->body_len + sz);
			if (st != 0)
				goto fail;
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
			evbuffer_remove(in, r->body + r->body_len, n);
			r->body_len += n;
			c->remaining -= n;
			if (c->remaining == 0)
				c->state = CONN_CHUNK_CRLF;
			break;
		case CONN_CHUNK_CRLF:
			/* Exactly CRLF after the data: a bare LF is refused
			 * as soon as it is seen. */
			n = evbuffer_get_length(in);
			if (n == 0)
				return 0;
			p = evbuffer_pullup(in, n < 2 ? (ssize_t)n : 2);
			st = 400;
			if (p == NULL || p[0] != '\r' ||
			    (n >= 2 && p[1] != '\n'))
				goto fail;
			if (n < 2)
				return 0;
			evbuffer_drain(in, 2);
			c->state = CONN_CHUNK_SIZE;
			break;
		default:
			return 0;
		}
	}
fail:
	http_conn_fail(c, st);
	return 1;
}
