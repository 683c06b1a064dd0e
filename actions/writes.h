/*
 * writes.h: the write endpoints of the core API and the portal's view,
 * sign-off and password reveal.
 * Each validates its body completely (every bad field named at once),
 * builds the store's normalized input, and asks the store.
 */
#ifndef FZ_WRITES_H
#define FZ_WRITES_H

#include <jansson.h>

struct rq;
struct vctx;

void	writes_client_create(struct rq *rq);	/* POST /clients */
void	writes_project_create(struct rq *rq);	/* POST /projects */
void	writes_project_update(struct rq *rq);	/* PATCH /projects/:id */
void	writes_pack_put(struct rq *rq);		/* PUT /projects/:id/pack */
void	writes_pack_send(struct rq *rq);	/* POST .../pack/send */
void	writes_view(struct rq *rq);		/* POST /p/:token/view */
void	writes_signoff(struct rq *rq);		/* POST /p/:token/signoff */
void	writes_reveal(struct rq *rq);		/* POST /p/:token/reveal */

/* Checks a sign-off body (v's, begun by the caller): name, email (the
 * client's, the store checks), an optional comment. Returns the store's
 * input with the evidence of who sent rq (address, user agent; caller
 * decrefs) if v holds no failure, else NULL; NULL with no failure in v
 * means out of memory. The JSON route and the page's form share it. */
json_t	*writes_signoff_check(struct vctx *v, struct rq *rq);

/* Field names of a project-creating body: the REST API's camelCase or
 * the Zapier action's snake_case. */
struct writes_project_names {
	const char	*name, *client_id, *client_name, *client_email;
	const char	*project_type, *launch_date, *template_id;
};

/* POST /projects's names, and the Zapier "create project" action's. */
extern const struct writes_project_names writes_project_api;
extern const struct writes_project_names writes_project_zapier;

/* Checks a project-creating body (v's, begun by the caller) under the
 * given field names, recording every failure in v. Returns the store's
 * camelCase input (caller decrefs) if v holds no failure, else NULL; NULL
 * with no failure in v means out of memory. Needs no request, so the
 * fuzz tests run it as the handlers do. */
json_t	*writes_project_check(struct vctx *v,
	    const struct writes_project_names *names);

/* writes_project_check on rq's body. Returns the store's input (caller
 * decrefs), or NULL after answering rq with the error. */
json_t	*writes_project_input(struct rq *rq,
	    const struct writes_project_names *names);

#endif
