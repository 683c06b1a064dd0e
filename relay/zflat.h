/*
 * zflat.h: the flat snake_case objects Zapier sees, made from records
 * as the REST API answers them (camelCase, the project's client
 * attached), whichever store answered. Each returns a new object, or
 * NULL when out of memory; the record is borrowed.
 */
#ifndef FZ_ZFLAT_H
#define FZ_ZFLAT_H

#include <jansson.h>

/* A project as the Zapier actions answer it: id, name, project_name,
 * status, project_type, launch_date, template_id, client_id,
 * client_name, client_email, created_at, updated_at. */
json_t	*zflat_project(const json_t *p);

/* A project as a dropdown shows it: id, name, client_id, client_name,
 * client_email, status, project_type, launch_date, created_at. */
json_t	*zflat_project_choice(const json_t *p);

/* A client: id, name, email, created_at. */
json_t	*zflat_client(const json_t *c);

/* A template: id, name, project_type. */
json_t	*zflat_template(const json_t *t);

#endif
