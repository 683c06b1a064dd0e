#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>

#include "common/fz.h"
#include "common/log.h"
#include "common/text.h"
#include "relay/http/http.h"
#include "relay/http/http_conn.h"

/* An answer's status line, Date, Server and Content-Length (http_head):
 * at most 9 + 3 + 1 + a reason of 40 + 8 + 29 + 35 + 20 + 2 bytes. */
#define HTTP_HEAD_SIZE		192

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
http_req_header_next(const struct http_req *req, const char *name, int *pos)
{
	for (; *pos < req->nheaders; (*pos)++)
		if (strcasecmp(req->in[*pos].name, name) == 0)
			return req->in[(*pos)++].value;
	return NULL;
}

const char *
http_req_body(const struct http_req *req, size_t *len)
{
	*len = req->body_len;
	return req->body != NULL ? req->body : "";
}

const char *
http_req_peer(const struct http_req *req)
{
	return req->conn->peer;
}

void
http_req_set_anonymous(struct http_req *req)
{
	/* Before any body byte is held: the share counts all of it. */
	if (req->body_size == 0)
		req->anon = 1;
}

void
http_req_set_max_body(struct http_req *req, size_t max)
{
	if (max < req->max_body)
		req->max_body = max;
}

void
http_req_set_user(struct http_req *req, void *user, void (*free_fn)(void *))
{
	req->user = user;
	req->user_free = free_fn;
}

void *
http_req_user(const struct http_req *req)
{
	return req->user;
}

int
http_req_add_header(struct http_req *req, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value), need, size;
	char *p;

	if (!http_parse_token(name, nl) || strpbrk(value, "\r\n") != NULL)
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
	*n += text_u64(buf + *n, v);
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

	if ((c->state != CONN_DISPATCHED && c->state != CONN_AT_HEAD) ||
	    c->req != req) {
		log_err("http: answer for a request that is not waiting");
		free(own);
		return;
	}
	if (c->dead) {
		free(own);
		http_conn_free(c);
		return;
	}
	/* Answered from its head, a request's body is never read: nothing
	 * after it could be told from it. */
	if (c->srv->draining ||
	    (c->state == CONN_AT_HEAD && req->framing != HTTP_NO_BODY))
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
	http_conn_flush(c);
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
