/*
 * zsearch.h: the Zapier searches. Each answers a bare JSON array of
 * flat objects (relay/zflat.h), newest first, empty when nothing
 * matches (Zapier takes the first), paged with ?limit= and ?cursor= and
 * X-Next-Cursor as the polling triggers are. A page of a name search
 * may be cut short, even empty, with X-Next-Cursor, when its scan of a
 * large workspace reaches its budget (state/projects.h).
 */
#ifndef FZ_ZSEARCH_H
#define FZ_ZSEARCH_H

struct rq;

/* GET /api/v1/zapier/searches/find-project?name=&client_email=: at
 * least one; name a substring of the project's, in any case,
 * client_email the client's exact address once normalized. Projects in
 * the shape of the actions' answer. */
void	zsearch_find_project(struct rq *rq);

/* GET /api/v1/zapier/searches/find-client?email=: the client with that
 * address once normalized, or none. */
void	zsearch_find_client(struct rq *rq);

#endif
