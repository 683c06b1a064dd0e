/*
 * keys.h: API keys over the API, for the workspace console's "Settings ->
 * Security": list, create (the token is in the creation answer and
 * nowhere else, ever) and revoke. Admin scope; a key never makes one
 * that holds more than itself, and never a service key (those act for
 * any workspace, so only the admin commands on the server make them).
 */
#ifndef FZ_KEYS_H
#define FZ_KEYS_H

struct rq;

/* GET /api/v1/keys: the workspace's keys, newest first, revoked ones
 * included. */
void	keys_list(struct rq *rq);

/* POST /api/v1/keys: {"name", "scopes": ["read", "write", "admin"]}.
 * 201 with the key's record and "token". */
void	keys_create(struct rq *rq);

/* DELETE /api/v1/keys/:id: revokes the key (its token gets 401 from the
 * next request on) and answers its record; revoking again is the same
 * answer. */
void	keys_revoke(struct rq *rq);

#endif
