#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "relay/body.h"
#include "relay/http/http.h"
#include "relay/reply.h"

/* Returns 1 if ctype is application/json, with or without parameters. */
static int
body_is_json(const char *ctype)
{
	size_t n = strlen("application/json");

	if (ctype == NULL || strncasecmp(ctype, "application/json", n) != 0)
		return 0;
	return ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ';
}

const char *
body_json_text(struct rq *rq, size_t *len)
{
	const char *body = http_req_body(rq->http, len);

	if (*len == 0 ||
	    !body_is_json(http_req_header(rq->http, "Content-Type")))
		return NULL;
	return body;
}

int
body_parse(struct rq *rq)
{
	const char *body;
	json_error_t jerr;
	char msg[256];
	size_t len;

	body = http_req_body(rq->http, &len);
	if (len == 0) {
		/* An empty body means "no fields": validation names them. */
		rq->body = json_object();
		if (rq->body == NULL) {
			reply_error(rq, API_INTERNAL_ERROR, "out of memory",
			    NULL);
			return -1;
		}
		return 0;
	}
	if (!body_is_json(http_req_header(rq->http, "Content-Type"))) {
		reply_error(rq, API_UNSUPPORTED_MEDIA_TYPE, "send the body as "
		    "Content-Type: application/json", NULL);
		return -1;
	}
	rq->body = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (rq->body == NULL) {
		snprintf(msg, sizeof(msg), "malformed JSON at line %d column "
		    "%d: %s", jerr.line, jerr.column, jerr.text);
		reply_error(rq, API_VALIDATION_ERROR, msg,
		    reply_detail(NULL, "body", jerr.text));
		return -1;
	}
	if (!json_is_object(rq->body)) {
		reply_error(rq, API_VALIDATION_ERROR, "the body must be a JSON "
		    "object", reply_detail(NULL, "body", "must be an object"));
		return -1;
	}
	return 0;
}
