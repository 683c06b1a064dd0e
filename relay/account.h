/*
 * account.h: who the caller is. GET /api/v1/auth is the check the help
 * article tells users to run first; GET /api/v1/me is what Zapier calls
 * to label a connection.
 */
#ifndef FZ_ACCOUNT_H
#define FZ_ACCOUNT_H

struct rq;

/* GET /api/v1/auth: the workspace (id, name, plan) and the key (id, name,
 * scopes, prefix). */
void	account_auth(struct rq *rq);

/* GET /api/v1/me: the workspace and a connection label. */
void	account_me(struct rq *rq);

#endif
