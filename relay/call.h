/*
 * call.h: handing a request to the store and answering with its outcome,
 * the one place where store results become API answers.
 */
#ifndef FZ_CALL_H
#define FZ_CALL_H

#include <stddef.h>

#include "state/store.h"

struct rq;

/*
 * Fills the list fields of req from rq's query: limit (1..100, default
 * 50) and cursor. Returns 0, or -1 after answering rq with a validation
 * error naming the bad parameter.
 */
int	call_list_params(struct rq *rq, struct store_req *req);

/* How a list filter's value is checked: text (1..CALL_TEXT_MAX bytes,
 * no control characters), an email (normalized), a record id with its
 * prefix, a project status (draft, sent, viewed, signed_off). */
enum call_check {
	CALL_TEXT,
	CALL_EMAIL,
	CALL_ID,
	CALL_STATUS,
};

/* Longest text filter: no name is longer, so no longer one can match. */
#define CALL_TEXT_MAX	200

/* A filter a list takes from its query: the parameter as clients write
 * it, the key the store gets it under (the REST API's query name), the
 * check, and for CALL_ID the id's prefix. */
struct call_filter {
	const char	*param;
	const char	*key;
	enum call_check	 check;
	const char	*prefix;
};

/*
 * call_list_params, and filters[0..n-1]: each present, non-empty
 * parameter is checked and put in req->filter (a new object, which the
 * caller decrefs after call_store; NULL when none was given). An empty
 * value is no filter. Returns 0, or -1 after answering rq with one
 * validation error naming every bad parameter.
 */
int	call_list_query(struct rq *rq, struct store_req *req,
	    const struct call_filter *filters, size_t n);

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

/* Answers a list outside the envelope, as Zapier takes it: the bare
 * array of map(item) for each item of the store's answer, with
 * X-Next-Cursor while more remain. Failures are envelope errors. */
void	call_store_bare(struct rq *rq, struct store_req *req,
	    call_map_fn *map);

/* As call_store, handing the outcome to cb(res, arg) instead, which
 * must answer rq (call_answer, or after another store call). Returns 0,
 * or -1 after answering rq (out of memory; cb will not run). */
int	call_submit(struct rq *rq, struct store_req *req, store_cb *cb,
	    void *arg);

/* Answers rq with res as call_store does (rq->map applied), taking
 * res->data and res->details. */
void	call_answer(struct rq *rq, struct store_res *res);

/* Answers rq with res as call_store_bare does (rq->map applied to each
 * item), taking res->data and res->details. */
void	call_answer_bare(struct rq *rq, struct store_res *res);

#endif
