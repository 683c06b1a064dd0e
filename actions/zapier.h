/*
 * zapier.h: the Zapier actions. They take the help article's snake_case
 * fields, name them in validation errors, share all logic (and
 * Idempotency-Key) with the REST writes, and answer the flat object Zapier
 * maps into later steps, "id" included, inside the usual envelope.
 */
#ifndef FZ_ZAPIER_H
#define FZ_ZAPIER_H

struct rq;

/* POST /api/v1/zapier/actions/create-project: project_name, client_name,
 * client_email (or client_id), project_type, launch_date, template_id?. */
void	zapier_create_project(struct rq *rq);

/* POST /api/v1/zapier/actions/send-pack: project_id, personal_message?.
 * Sending an unchanged, already sent pack records nothing new. */
void	zapier_send_pack(struct rq *rq);

/* POST /api/v1/zapier/actions/create-client: client_name (or first_name
 * and last_name), client_email. Idempotent on the email: 201 with a new
 * client, 200 with the one that has it. */
void	zapier_create_client(struct rq *rq);

#endif
