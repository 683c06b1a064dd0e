/*
 * zflat.h: the flat snake_case objects Zapier sees, made from records
 * as the REST API answers them (camelCase, the project's client
 * attached), whichever store answered. Each returns a new object, or
 * NULL when out of memory or when the record lacks a member the
 * answer's schema requires (an upstream store's record can); the record
 * is borrowed. Members the schema does not require are left out when
 * the record has none (template_id and the client's are null then).
 */
#ifndef FZ_ZFLAT_H
#define FZ_ZFLAT_H

#include <jansson.h>

/* A project as the Zapier actions answer it: id (required), name,
 * project_name, status, project_type, launch_date, template_id,
 * client_id, client_name, client_email, created_at, updated_at. */
json_t	*zflat_project(const json_t *p);

/* A project as a dropdown shows it: id and name (required), client_id,
 * client_name, client_email, status, project_type, launch_date,
 * created_at. */
json_t	*zflat_project_choice(const json_t *p);

/* A client: id, name and email (required), created_at. */
json_t	*zflat_client(const json_t *c);

/* A template: id and name (required), project_type. */
json_t	*zflat_template(const json_t *t);

#endif
