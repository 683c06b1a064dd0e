/*
 * call.h: handing a request to the store and answering with its outcome,
 * the one place where store results become API answers.
 */
#ifndef FZ_CALL_H
#define FZ_CALL_H

#include "state/store.h"

struct rq;

/*
 * Fills the list fields of req from rq's query: limit (1..100, default
 * 50) and cursor. Returns 0, or -1 after answering rq with a validation
 * error naming the bad parameter.
 */
int	call_list_params(struct rq *rq, struct store_req *req);

/*
 * Submits req (workspace and request id filled from rq) and answers rq:
 * 200 with data (201 when a record was created; next_cursor in meta
 * while a list has more), 404, 409, 400 naming a field, or 500/503.
 * req and the body it points to need only live until this returns.
 */
void	call_store(struct rq *rq, struct store_req *req);

/* Reshapes a successful answer's data; returns a new value or NULL. */
typedef json_t	*call_map_fn(const json_t *data);

/* As call_store, answering map(data) instead of data on success. */
void	call_store_map(struct rq *rq, struct store_req *req, call_map_fn *map);

#endif
