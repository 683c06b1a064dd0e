/*
 * hooks.h: webhook subscriptions over the API: Zapier REST hooks
 * (subscribe with hookUrl or target_url and one event, bound to the
 * subscribing key; list, get with their status, unsubscribe) and
 * CRM webhooks (url, events, description; a whsec_ signing secret shown
 * at creation, by GET to admin keys, and on rotation, when the old secret
 * keeps signing beside the new one for 24 hours). Deliveries themselves
 * are triggers/deliver.h's. Each family's :id routes know only their own
 * ids: a Zapier hook's id is 404 on /webhooks/:id and the other way
 * round.
 */
#ifndef FZ_ACTIONS_HOOKS_H
#define FZ_ACTIONS_HOOKS_H

struct rq;

void	hooks_zapier_subscribe(struct rq *rq);	/* POST /zapier/hooks */
void	hooks_zapier_list(struct rq *rq);	/* GET /zapier/hooks */
void	hooks_zapier_get(struct rq *rq);	/* GET .../:id */
void	hooks_zapier_unsubscribe(struct rq *rq);	/* DELETE .../:id */
void	hooks_webhook_create(struct rq *rq);	/* POST /webhooks */
void	hooks_webhook_list(struct rq *rq);	/* GET /webhooks */
void	hooks_webhook_get(struct rq *rq);	/* GET /webhooks/:id */
void	hooks_webhook_delete(struct rq *rq);	/* DELETE /webhooks/:id */
void	hooks_webhook_rotate(struct rq *rq);	/* POST .../rotate-secret */
void	hooks_webhook_enable(struct rq *rq);	/* POST .../enable */
void	hooks_webhook_deliveries(struct rq *rq);	/* GET .../deliveries */
/* POST .../replay {"since": time} or {"after": cursor of GET /events}:
 * queues those events again for this endpoint (at most 10,000 a call). */
void	hooks_webhook_replay(struct rq *rq);

#endif
