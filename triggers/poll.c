#include <stdio.h>
#include <stdlib.h>

#include "common/cursor.h"
#include "common/fz.h"
#include "relay/call.h"
#include "relay/edge.h"
#include "relay/redact.h"
#include "relay/reply.h"
#include "state/journal.h"
#include "state/pagecache.h"
#include "triggers/poll.h"

static void
poll_answer(struct rq *rq, unsigned mask)
{
	const unsigned char *ckey = edge_cursor_key(rq->edge);
	struct state *st = edge_state(rq->edge);
	struct store_req req = { 0 };
	struct pagecache_key key;
	struct journal_page fresh = { 0 };
	const struct journal_page *page;
	char scope[96], next[CURSOR_SIZE];
	uint64_t before = 0;

	if (call_list_params(rq, &req) != 0)
		return;
	/* Bound to workspace and trigger: a cursor of another is refused. */
	snprintf(scope, sizeof(scope), "%s:trigger:%u", rq->ws.id, mask);
	if (req.cursor != NULL &&
	    cursor_decode(ckey, scope, req.cursor, &before) != 0) {
		reply_error(rq, API_VALIDATION_ERROR, "cursor is not valid for "
		    "this trigger", reply_detail(NULL, "cursor", "not a cursor "
		    "this trigger issued"));
		return;
	}
	key.ws = rq->ws.id;
	key.mask = mask;
	key.before = before;
	key.limit = req.limit;
	key.newest = 1;
	/* pack.sent's share link is not for read keys (relay/redact.h). */
	key.variant = redact_share_hidden(rq);
	if (!pagecache_get(st, &key, &page)) {
		if (journal_page_newest(st, rq->ws.id, mask, before, req.limit,
		    &fresh) != 0) {
			reply_error(rq, API_INTERNAL_ERROR, "journal read "
			    "failed", NULL);
			return;
		}
		if (key.variant)
			fresh.len = redact_share_text(fresh.json, fresh.len);
		pagecache_put(st, &key, &fresh);
		page = &fresh;
	}
	if (page->more) {
		if (cursor_encode(ckey, scope, page->next, next) != 0) {
			free(fresh.json);
			reply_error(rq, API_INTERNAL_ERROR, "cursor failed",
			    NULL);
			return;
		}
		reply_header(rq, "X-Next-Cursor", next);
	}
	/* A kept page is copied to the socket; a fresh one is handed over. */
	if (page == &fresh)
		reply_raw_take(rq, 200, "application/json", fresh.json,
		    fresh.len);
	else
		reply_raw(rq, 200, "application/json", page->json, page->len);
}

void
poll_pack_sent(struct rq *rq)
{
	poll_answer(rq, JOURNAL_T_SENT);
}

void
poll_pack_viewed(struct rq *rq)
{
	poll_answer(rq, JOURNAL_T_VIEWED);
}

void
poll_signed_off(struct rq *rq)
{
	poll_answer(rq, JOURNAL_T_SIGNED);
}
