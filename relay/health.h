/*
 * health.h: liveness and readiness, for load balancers and systemd
 * units. Neither needs an API key.
 */
#ifndef FZ_HEALTH_H
#define FZ_HEALTH_H

struct rq;

/* GET /healthz: 200 while the loop runs. */
void	health_live(struct rq *rq);

/* GET /readyz: 200 when the store answers and the state takes writes,
 * else 503 naming what is not ready. */
void	health_ready(struct rq *rq);

#endif
