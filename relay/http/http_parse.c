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

/* Decides how the body is framed once the head is in. Returns 0 or a
 * status. */
static int
parse_framing(struct http_conn *c)
{
	struct http_req *r = c->req;
	struct http_server *srv = c->srv;
	const char *te, *cl, *conn, *expect;
	char *end;
	unsigned long long n;
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
	r->framing = HTTP_NO_BODY;
	if (te != NULL) {
		if (strcasecmp(te, "chunked") != 0 || r->minor == 0)
			return 501;
		r->framing = HTTP_CHUNKED;
	}
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

int
http_parse_chunked(struct http_conn *c, struct evbuffer *in)
{
	struct http_server *srv = c->srv;
	struct http_req *r = c->req;
	size_t len, n;
	char *line, *end;
	unsigned long long sz;
	int st;

	for (;;) {
		switch (c->state) {
		case CONN_CHUNK_SIZE:
		case CONN_CHUNK_CRLF:
		case CONN_TRAILER:
			line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
			if (line == NULL) {
				if (evbuffer_get_length(in) > 1024) {
					http_conn_fail(c, 400);
					return 1;
				}
				return 0;
			}
			if (c->state == CONN_CHUNK_CRLF) {
				free(line);
				if (len != 0) {
					http_conn_fail(c, 400);
					return 1;
				}
				c->state = CONN_CHUNK_SIZE;
				continue;
			}
			if (c->state == CONN_TRAILER) {
				free(line);
				if (len == 0) {
					http_conn_dispatch(c);
					return 1;
				}
				/* Ignored, but they count against the head. */
				c->head_bytes += len + 2;
				if (c->head_bytes > srv->lim.max_head) {
					http_conn_fail(c, 431);
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
				http_conn_fail(c, 400);
				return 1;
			}
			free(line);
			st = 0;
			if (sz > r->max_body)
				st = 413;
			else if (sz > 0)
				st = http_conn_body_room(c, r->body_len + sz);
			if (st != 0) {
				http_conn_fail(c, st);
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
			evbuffer_remove(in, r->body + r->body_len, n);
			r->body_len += n;
			c->remaining -= n;
			if (c->remaining == 0)
				c->state = CONN_CHUNK_CRLF;
			break;
		default:
			return 0;
		}
	}
}
