#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "relay/openapi.h"
#include "relay/reply.h"

/* The daemon's routes, from openapi_set_routes. */
static const struct route	*openapi_routes;
static size_t			 openapi_nroutes;

/* "/api/v1/projects/:id/pack" -> "/api/v1/projects/{id}/pack". */
static char *
openapi_path(const char *pattern)
{
	char *out, *o;
	const char *p;

	if ((out = malloc(strlen(pattern) * 2 + 1)) == NULL)
		return NULL;
	for (p = pattern, o = out; *p != '\0'; p++) {
		if (*p == ':' && (p == pattern || p[-1] == '/')) {
			*o++ = '{';
			while (p[1] != '\0' && p[1] != '/')
				*o++ = *++p;
			*o++ = '}';
		} else
			*o++ = *p;
	}
	*o = '\0';
	return out;
}

/* "GET /api/v1/projects/:id/pack" -> "getProjectsIdPack". */
static void
openapi_opid(const struct route *r, char *buf, size_t size)
{
	const char *p = r->pattern;
	size_t n = 0;
	int up = 0;

	for (const char *m = r->method; *m != '\0' && n + 1 < size; m++)
		buf[n++] = (char)tolower((unsigned char)*m);
	if (strncmp(p, "/api/v1", 7) == 0)
		p += 7;
	for (; *p != '\0' && n + 1 < size; p++) {
		if (*p == '/' || *p == ':' || *p == '.' || *p == '-') {
			up = 1;
			continue;
		}
		buf[n++] = up ? (char)toupper((unsigned char)*p) : *p;
		up = 0;
	}
	buf[n] = '\0';
}

static json_t *
openapi_ref(const char *kind, const char *name)
{
	char ref[128];

	snprintf(ref, sizeof(ref), "#/components/%s/%s", kind, name);
	return json_pack("{s:s}", "$ref", ref);
}

static json_t *
openapi_envelope(const char *data_schema)
{
	return json_pack("{s:s, s:[s,s,s], s:{s:o, s:o, s:{s:s}}}",
	    "type", "object", "required", "data", "meta", "error",
	    "properties", "data", data_schema != NULL ?
	    openapi_ref("schemas", data_schema) : json_pack("{}"),
	    "meta", openapi_ref("schemas", "Meta"), "error", "type", "null");
}

static json_t *
openapi_params(const struct route *r)
{
	json_t *ps = json_array();
	const char *p;
	char name[64];
	size_t n;

	for (p = strchr(r->pattern, ':'); p != NULL; p = strchr(p, ':')) {
		n = strcspn(p + 1, "/");
		snprintf(name, sizeof(name), "%.*s", (int)n, p + 1);
		json_array_append_new(ps, json_pack("{s:s, s:s, s:b, s:{s:s}}",
		    "name", name, "in", "path", "required", 1, "schema",
		    "type", "string"));
		p += n + 1;
	}
	if (r->flags & ROUTE_LIST) {
		json_array_append_new(ps, json_pack("{s:s, s:s, s:s, s:{s:s,"
		    " s:i, s:i, s:i}}", "name", "limit", "in", "query",
		    "description", "Page size", "schema", "type", "integer",
		    "minimum", 1, "maximum", 100, "default", 50));
		json_array_append_new(ps, json_pack("{s:s, s:s, s:s, s:{s:s}}",
		    "name", "cursor", "in", "query", "description",
		    "meta.next_cursor of the previous page", "schema", "type",
		    "string"));
	}
	if ((r->flags & ROUTE_JSON_BODY) && r->plan != 0)
		json_array_append_new(ps, json_pack("{s:s, s:s, s:s, s:{s:s,"
		    " s:i}}", "name", "Idempotency-Key", "in", "header",
		    "description", "A repeat with the same key and body "
		    "replays the first answer; another body is 409", "schema",
		    "type", "string", "maxLength", 255));
	json_array_append_new(ps, json_pack("{s:s, s:s, s:s, s:{s:s}}", "name",
	    "X-Request-ID", "in", "header", "description", "Kept if "
	    "well-formed, echoed in the answer", "schema", "type", "string"));
	return ps;
}

static void
openapi_error(json_t *responses, const char *status, const char *desc)
{
	json_object_set_new(responses, status, json_pack("{s:s, s:{s:{s:o}}}",
	    "description", desc, "content", "application/json", "schema",
	    openapi_ref("schemas", "ErrorEnvelope")));
}

static json_t *
openapi_operation(const struct route *r)
{
	json_t *op, *responses, *ok;
	char opid[128];

	openapi_opid(r, opid, sizeof(opid));
	responses = json_object();
	if (r->flags & ROUTE_TEXT)
		ok = json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "OK",
		    "content", "text/plain", "schema", "type", "string");
	else if (r->flags & ROUTE_RAW)
		ok = json_pack("{s:s, s:{s:{s:o}}}", "description", "OK",
		    "content", "application/json", "schema", r->response ?
		    openapi_ref("schemas", r->response) :
		    json_pack("{s:s}", "type", "object"));
	else
		ok = json_pack("{s:s, s:{s:{s:o}}}", "description", "OK",
		    "content", "application/json", "schema",
		    openapi_envelope(r->response));
	json_object_set_new(responses, (r->flags & ROUTE_CREATES) ? "201" :
	    "200", ok);
	if (r->flags & ROUTE_JSON_BODY) {
		openapi_error(responses, "400", "Invalid fields or malformed "
		    "JSON; details name each field");
		openapi_error(responses, "409", "Conflict with the record's "
		    "state, or an Idempotency-Key reused with another body");
		openapi_error(responses, "413", "Body over max_body_bytes");
		openapi_error(responses, "415", "Body is not application/json");
	} else if (r->flags & ROUTE_LIST)
		openapi_error(responses, "400", "Bad limit or cursor");
	if (r->plan != 0) {
		openapi_error(responses, "401", "Missing, unknown or revoked "
		    "API key");
		openapi_error(responses, "403", "FORBIDDEN (scope) or "
		    "PLAN_LIMIT (plan)");
		openapi_error(responses, "429", "Rate limited; see "
		    "Retry-After");
	}
	if (strchr(r->pattern, ':') != NULL)
		openapi_error(responses, "404", "No such record");
	openapi_error(responses, "500", "Internal error");
	op = json_pack("{s:s, s:s, s:[s], s:o, s:o}", "operationId", opid,
	    "summary", r->summary != NULL ? r->summary : "", "tags",
	    r->tag != NULL ? r->tag : "Other", "parameters", openapi_params(r),
	    "responses", responses);
	if (op == NULL)
		return NULL;
	if (r->plan != 0)
		json_object_set_new(op, "security", json_pack("[{s:[]}]",
		    "bearer"));
	else
		json_object_set_new(op, "security", json_array());
	if (r->request != NULL)
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:{s:"
		    "{s:o}}}", "required", 1, "content", "application/json",
		    "schema", openapi_ref("schemas", r->request)));
	return op;
}

json_t *
openapi_build(const struct route *routes, size_t n)
{
	json_t *doc, *paths, *item, *op, *components;
	char method[16];
	char *path;
	size_t i, j;

	components = json_loads(openapi_components, 0, NULL);
	doc = json_pack("{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:{}, s:o}",
	    "openapi", "3.1.0", "info", "title", "Finalizo API (fzrelay)",
	    "version", PACKAGE_VERSION, "description", "Every answer but "
	    "this document is the envelope {data, meta, error} with an "
	    "X-Request-ID header.", "servers", "url", "/", "paths",
	    "components", components);
	if (doc == NULL)
		return NULL;
	paths = json_object_get(doc, "paths");
	for (i = 0; i < n; i++) {
		if (routes[i].flags & ROUTE_PAGE)
			continue;
		if ((path = openapi_path(routes[i].pattern)) == NULL ||
		    (op = openapi_operation(&routes[i])) == NULL) {
			free(path);
			json_decref(doc);
			return NULL;
		}
		if ((item = json_object_get(paths, path)) == NULL) {
			item = json_object();
			json_object_set_new(paths, path, item);
		}
		for (j = 0; routes[i].method[j] != '\0' && j + 1 <
		    sizeof(method); j++)
			method[j] = (char)tolower((unsigned char)
			    routes[i].method[j]);
		method[j] = '\0';
		json_object_set_new(item, method, op);
		free(path);
	}
	return doc;
}

void
openapi_set_routes(const struct route *routes, size_t n)
{
	openapi_routes = routes;
	openapi_nroutes = n;
}

void
openapi_serve(struct rq *rq)
{
	static char *cached;
	json_t *doc;

	/* The routes never change, so the document is built once. */
	if (cached == NULL && openapi_routes != NULL) {
		if ((doc = openapi_build(openapi_routes, openapi_nroutes)) !=
		    NULL)
			cached = json_dumps(doc, JSON_COMPACT);
		json_decref(doc);
	}
	if (cached == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "could not build the API "
		    "description", NULL);
		return;
	}
	reply_raw(rq, 200, "application/json", cached, strlen(cached));
}
