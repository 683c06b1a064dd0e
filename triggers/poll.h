/*
 * poll.h: Zapier polling triggers, served from the journal.
 *
 * Each answers a bare JSON array (no envelope, as Zapier expects), newest
 * first, of the flat event objects whose "id" is the event id: unique
 * and stable forever, which is what Zapier de-duplicates on. ?limit=
 * (default 50, at most 100) sizes a page; ?cursor= continues below the
 * previous page, whose answer carried X-Next-Cursor while more remained.
 */
#ifndef FZ_POLL_H
#define FZ_POLL_H

struct rq;

void	poll_pack_sent(struct rq *rq);		/* .../pack-sent */
void	poll_pack_viewed(struct rq *rq);	/* .../pack-viewed */
void	poll_signed_off(struct rq *rq);		/* .../client-signed-off */

#endif
