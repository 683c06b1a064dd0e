#include <sys/queue.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/cursor.h"
#include "common/fz.h"
#include "relay/edge.h"
#include "relay/http/http.h"
#include "relay/redact.h"
#include "relay/reply.h"
#include "state/journal.h"
#include "triggers/stream.h"

#define STREAM_LIMIT_DEFAULT	50
#define STREAM_LIMIT_MAX	100

/* Parses "pack.sent,client.signed_off" into a mask. Returns 0 if a name
 * is unknown. */
static unsigned
stream_types(const char *s)
{
	char buf[256], *tok, *save = NULL;
	unsigned mask = 0, bit;

	if (strlen(s) >= sizeof(buf))
		return 0;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((bit = journal_type_bit(tok)) == 0)
			return 0;
		mask |= bit;
	}
	return mask;
}

void
stream_events(struct rq *rq)
{
	const unsigned char *key = edge_cursor_key(rq->edge);
	const char *query = http_req_query(rq->http), *s;
	char scope[64], next[CURSOR_SIZE];
	struct journal_page page;
	struct evkeyvalq q;
	json_t *details = NULL;
	unsigned mask = JOURNAL_T_ALL, limit = STREAM_LIMIT_DEFAULT;
	unsigned long v;
	uint64_t after = 0;
	char *end;

	TAILQ_INIT(&q);
	snprintf(scope, sizeof(scope), "%s:events", rq->ws.id);
	if (query != NULL && evhttp_parse_query_str(query, &q) != 0)
		details = reply_detail(details, "query", "cannot be parsed");
	if ((s = evhttp_find_header(&q, "after")) != NULL && *s != '\0' &&
	    cursor_decode(key, scope, s, &after) != 0)
		details = reply_detail(details, "after", "not a cursor this "
		    "stream issued");
	if ((s = evhttp_find_header(&q, "types")) != NULL && *s != '\0' &&
	    (mask = stream_types(s)) == 0)
		details = reply_detail(details, "types", "want pack.sent, "
		    "pack.viewed or client.signed_off, comma-separated");
	if ((s = evhttp_find_header(&q, "limit")) != NULL) {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 ||
		    v < 1 || v > STREAM_LIMIT_MAX)
			details = reply_detail(details, "limit", "must be "
			    "1..100");
		else
			limit = (unsigned)v;
	}
	evhttp_clear_headers(&q);
	if (details != NULL) {
		reply_error(rq, API_VALIDATION_ERROR, "invalid query "
		    "parameters", details);
		return;
	}
	if (journal_page_after(edge_state(rq->edge), rq->ws.id, mask, after,
	    limit, &page) != 0) {
		reply_error(rq, API_INTERNAL_ERROR, "journal read failed", NULL);
		return;
	}
	if (cursor_encode(key, scope, page.next, next) != 0) {
		free(page.json);
		reply_error(rq, API_INTERNAL_ERROR, "cursor failed", NULL);
		return;
	}
	/* pack.sent's share link is not for read keys (relay/redact.h). */
	if (redact_share_hidden(rq))
		page.len = redact_share_text(page.json, page.len);
	reply_ok_text(rq, 200, page.json, page.len, json_pack("{s:s, s:b}",
	    "next_cursor", next, "has_more", page.more));
	free(page.json);
}
