#include "relay/zflat.h"

json_t *
zflat_project(const json_t *p)
{
	const json_t *c = json_object_get(p, "client");

	return json_pack("{s:O, s:O*, s:O*, s:O*, s:O*, s:O*, s:O?, s:O*, s:O?,"
	    " s:O?, s:O?, s:O?}",
	    "id", json_object_get(p, "id"),
	    "name", json_object_get(p, "name"),
	    "project_name", json_object_get(p, "name"),
	    "status", json_object_get(p, "status"),
	    "project_type", json_object_get(p, "projectType"),
	    "launch_date", json_object_get(p, "launchDate"),
	    "template_id", json_object_get(p, "templateId"),
	    "client_id", json_object_get(p, "clientId"),
	    "client_name", json_object_get(c, "name"),
	    "client_email", json_object_get(c, "email"),
	    "created_at", json_object_get(p, "createdAt"),
	    "updated_at", json_object_get(p, "updatedAt"));
}

json_t *
zflat_project_choice(const json_t *p)
{
	const json_t *c = json_object_get(p, "client");

	return json_pack("{s:O, s:O, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?,"
	    " s:O?}",
	    "id", json_object_get(p, "id"),
	    "name", json_object_get(p, "name"),
	    "client_id", json_object_get(p, "clientId"),
	    "client_name", json_object_get(c, "name"),
	    "client_email", json_object_get(c, "email"),
	    "status", json_object_get(p, "status"),
	    "project_type", json_object_get(p, "projectType"),
	    "launch_date", json_object_get(p, "launchDate"),
	    "created_at", json_object_get(p, "createdAt"));
}

json_t *
zflat_client(const json_t *c)
{
	return json_pack("{s:O, s:O, s:O, s:O?}",
	    "id", json_object_get(c, "id"),
	    "name", json_object_get(c, "name"),
	    "email", json_object_get(c, "email"),
	    "created_at", json_object_get(c, "createdAt"));
}

json_t *
zflat_template(const json_t *t)
{
	return json_pack("{s:O, s:O, s:O?}",
	    "id", json_object_get(t, "id"),
	    "name", json_object_get(t, "name"),
	    "project_type", json_object_get(t, "projectType"));
}
