/*
 * writes.h: the write endpoints of the core API and the portal sign-off.
 * Each validates its body completely (every bad field named at once),
 * builds the store's normalized input, and asks the store.
 */
#ifndef FZ_WRITES_H
#define FZ_WRITES_H

#include <jansson.h>

struct rq;

void	writes_client_create(struct rq *rq);	/* POST /clients */
void	writes_project_create(struct rq *rq);	/* POST /projects */
void	writes_project_update(struct rq *rq);	/* PATCH /projects/:id */
void	writes_pack_put(struct rq *rq);		/* PUT /projects/:id/pack */
void	writes_pack_send(struct rq *rq);	/* POST .../pack/send */
void	writes_signoff(struct rq *rq);		/* POST /p/:token/signoff */

/* Field names of a project-creating body: the REST API's camelCase or
 * the Zapier action's snake_case. */
struct writes_project_names {
	const char	*name, *client_id, *client_name, *client_email;
	const char	*project_type, *launch_date, *template_id;
};

/* Validates a project-creating body under the given field names and
 * returns the store's camelCase input (caller decrefs), or NULL after
 * answering rq with the validation error. */
json_t	*writes_project_input(struct rq *rq,
	    const struct writes_project_names *names);

#endif
