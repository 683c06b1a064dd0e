/*
 * stream.h: the event stream for CRMs that poll.
 *
 * GET /api/v1/events?after=<cursor>&types=pack.sent,...&limit= answers
 * the workspace's events oldest first after the cursor, and always
 * meta.next_cursor: the position to poll from next, also when the page is
 * empty. The journal's sequence never has gaps a reader could see, so
 * reading page after page while writes continue yields every event once,
 * in order.
 */
#ifndef FZ_STREAM_H
#define FZ_STREAM_H

struct rq;

void	stream_events(struct rq *rq);

#endif
