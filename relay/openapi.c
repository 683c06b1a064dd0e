#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/openapi.h"
#include "relay/reply.h"

/* An example id's random part: FZ_ID_RANDOM base62 characters. */
#define OPENAPI_ID_TAIL	"3kTMd92hLq0Zb7xYp1Aa"

/* The daemon's routes, from openapi_set_routes. */
static const struct route	*openapi_routes;
static size_t			 openapi_nroutes;

/* What each tag groups, in the order the document lists them; a tag a
 * route names that is not here is listed after these, undescribed. */
static const struct {
	const char	*name;
	const char	*description;
} openapi_tags[] = {
	{ "Health", "Probes for supervisors and monitoring" },
	{ "Meta", "This description of the API" },
	{ "Account", "The workspace and key behind a token" },
	{ "Keys", "The workspace's API keys (admin scope)" },
	{ "Clients", "The agency's clients" },
	{ "Projects", "Projects, each for one client" },
	{ "Packs", "A project's handover pack and its sending" },
	{ "Sign-offs", "Clients' sign-offs of sent packs" },
	{ "Templates", "Built-in pack templates" },
	{ "Events", "The workspace's journal of events, oldest first" },
	{ "Zapier", "Triggers, actions and REST hooks for the Zapier app, "
	    "in flat snake_case" },
	{ "Webhooks", "Signed webhook endpoints (Standard Webhooks)" },
	{ "Portal", "The client's side of a sent pack, through its share "
	    "link (no key)" },
	{ "Internal", "Reports from the upstream store" },
};

/* Every status the document can list, in the order it lists them. */
static const int openapi_statuses[] = {
	200, 201, 202, 400, 401, 403, 404, 409, 413, 415, 429, 500, 502, 503,
	504,
};

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

/* The headers answers carry. A header sent on every answer it is listed
 * for is required there; one sent only sometimes is not. In OpenAPI 3.1
 * "required" cannot sit beside a $ref, so components/headers holds each
 * variant used: NAME (required) and NAME.optional. */
#define OPENAPI_REQ	0x1
#define OPENAPI_OPT	0x2
static const struct {
	const char	*name;
	unsigned	 variants;
	const char	*schema;
	const char	*description;
} openapi_header_defs[] = {
	{ "X-Request-ID", OPENAPI_REQ,
	    "{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9._:-]{1,128}$\"}",
	    "The request's id, as meta.request_id: the client's own "
	    "X-Request-ID when well-formed" },
	{ "X-RateLimit-Limit", OPENAPI_REQ | OPENAPI_OPT,
	    "{\"type\":\"integer\",\"minimum\":1}",
	    "Requests a minute the API key may make" },
	{ "X-RateLimit-Remaining", OPENAPI_REQ | OPENAPI_OPT,
	    "{\"type\":\"integer\",\"minimum\":0}",
	    "Requests left in the key's bucket" },
	{ "X-RateLimit-Reset", OPENAPI_REQ | OPENAPI_OPT,
	    "{\"type\":\"integer\",\"minimum\":0}",
	    "Seconds until the key's bucket is full again" },
	{ "Retry-After", OPENAPI_REQ | OPENAPI_OPT,
	    "{\"type\":\"integer\",\"minimum\":0}",
	    "Seconds to wait before trying again" },
	{ "WWW-Authenticate", OPENAPI_REQ, "{\"type\":\"string\"}",
	    "How to authenticate: Bearer realm=\"fzrelay\" (with "
	    "error=\"invalid_token\" when a token was sent), or "
	    "Standard-Webhooks on /internal/events" },
	{ "X-Next-Cursor", OPENAPI_OPT,
	    "{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9_-]+$\"}",
	    "Sent while more remain: pass as ?cursor= for the next page" },
	{ "Idempotent-Replayed", OPENAPI_OPT,
	    "{\"type\":\"string\",\"enum\":[\"true\"]}",
	    "The first answer to this Idempotency-Key, replayed: nothing was "
	    "written again" },
	{ "Cache-Control", OPENAPI_OPT, "{\"type\":\"string\"}",
	    "no-store: the answer is the client's alone" },
	{ "Vary", OPENAPI_OPT, "{\"type\":\"string\"}",
	    "Accept: the same address answers the page or its JSON" },
	{ "Content-Security-Policy", OPENAPI_OPT, "{\"type\":\"string\"}",
	    "The page loads only its own files and talks only to this origin" },
	{ "Referrer-Policy", OPENAPI_OPT, "{\"type\":\"string\"}",
	    "no-referrer: the share link never leaves in a Referer" },
	{ "X-Robots-Tag", OPENAPI_OPT, "{\"type\":\"string\"}",
	    "noindex: share links are not for search engines" },
	{ "X-Content-Type-Options", OPENAPI_OPT, "{\"type\":\"string\"}",
	    "nosniff" },
	{ "X-Frame-Options", OPENAPI_OPT, "{\"type\":\"string\"}",
	    "DENY: the page is never framed" },
};

/* What a page answers besides the API's headers (relay/portal_page.h). */
static const char *const openapi_page_headers[] = {
	"Cache-Control", "Vary", "Content-Security-Policy", "Referrer-Policy",
	"X-Robots-Tag", "X-Content-Type-Options", "X-Frame-Options",
};

static json_t *
openapi_headers(void)
{
	json_t *out = json_object(), *schema;
	char key[64];
	size_t i;

	for (i = 0; i < sizeof(openapi_header_defs) /
	    sizeof(openapi_header_defs[0]); i++) {
		schema = json_loads(openapi_header_defs[i].schema, 0, NULL);
		if (openapi_header_defs[i].variants & OPENAPI_REQ)
			json_object_set_new(out, openapi_header_defs[i].name,
			    json_pack("{s:s, s:b, s:O}", "description",
			    openapi_header_defs[i].description, "required", 1,
			    "schema", schema));
		snprintf(key, sizeof(key), "%s.optional",
		    openapi_header_defs[i].name);
		if (openapi_header_defs[i].variants & OPENAPI_OPT)
			json_object_set_new(out, key, json_pack("{s:s, s:O}",
			    "description", openapi_header_defs[i].description,
			    "schema", schema));
		json_decref(schema);
	}
	return out;
}

/* Adds a header, by reference, to the headers of a response. */
static void
openapi_header(json_t *headers, const char *name, int required)
{
	char key[64];

	snprintf(key, sizeof(key), "%s%s", name, required ? "" : ".optional");
	json_object_set_new(headers, name, openapi_ref("headers", key));
}

/* Appends why to the description of status in whys (status -> text). */
static void
openapi_why(json_t *whys, int status, const char *why)
{
	char key[8], *s;
	const char *old;
	size_t n;

	snprintf(key, sizeof(key), "%d", status);
	if ((old = json_string_value(json_object_get(whys, key))) == NULL) {
		json_object_set_new(whys, key, json_string(why));
		return;
	}
	n = strlen(old) + strlen(why) + 2;
	if ((s = malloc(n)) == NULL)
		return;
	snprintf(s, n, "%s %s", old, why);
	json_object_set_new(whys, key, json_string(s));
	free(s);
}

/* Every answer the route can give, with why. */
static json_t *
openapi_whys(const struct route *r)
{
	char msg[256];
	const struct route_answer *a;
	json_t *whys = json_object();
	int authed = r->plan != 0, body = (r->flags & ROUTE_JSON_BODY) != 0;

	openapi_why(whys, (r->flags & ROUTE_QUEUES) ? 202 :
	    (r->flags & ROUTE_CREATES) ? 201 : 200, (r->flags & ROUTE_QUEUES) ?
	    "Accepted: queued." : (r->flags & ROUTE_CREATES) ? "Created." :
	    "OK.");
	if (body) {
		openapi_why(whys, 400, "Malformed JSON, a body that is not an "
		    "object, or invalid fields (details name each).");
		openapi_why(whys, 413, "The body is over max_body_bytes.");
		openapi_why(whys, 415, "The body is not sent as "
		    "application/json.");
	}
	if (body && authed) {
		openapi_why(whys, 400, "A malformed Idempotency-Key.");
		openapi_why(whys, 409, "The Idempotency-Key was used with "
		    "another request, or its first request is in progress.");
	}
	if (r->flags & ROUTE_LIST)
		openapi_why(whys, 400, "A limit outside 1..100, or a cursor "
		    "this list did not issue.");
	if (authed) {
		openapi_why(whys, 401, "Missing, unknown or revoked API key.");
		snprintf(msg, sizeof(msg), "FORBIDDEN: the key lacks the %s "
		    "scope (or a service key names a workspace that is not "
		    "here); PLAN_LIMIT: the workspace is below the %s plan.",
		    apikey_scope_name(r->scope), workspace_plan_name(r->plan));
		openapi_why(whys, 403, msg);
		openapi_why(whys, 429, "Over this key's requests a minute, or "
		    "too many failed keys from this address; see Retry-After.");
	}
	if (strstr(r->pattern, "/:id") != NULL)
		openapi_why(whys, 404, "No such record: an id of another shape "
		    "or of another workspace names none.");
	for (a = r->answers; a != NULL && a->status != 0; a++)
		openapi_why(whys, a->status, a->why);
	if (r->flags & ROUTE_STORE) {
		openapi_why(whys, 502, "store = http: the upstream store "
		    "answered something other than the API (UPSTREAM_ERROR).");
		openapi_why(whys, 503, "store = http: the upstream store "
		    "cannot be reached or is failing (UPSTREAM_UNAVAILABLE, "
		    "Retry-After).");
		openapi_why(whys, 504, "store = http: the upstream store did "
		    "not answer in time (UPSTREAM_TIMEOUT).");
	}
	openapi_why(whys, 500, "Internal error; the request changed nothing "
	    "or can be retried.");
	openapi_why(whys, 503, "Over max_connections: the connection is "
	    "answered at once and closed (SERVICE_UNAVAILABLE, Retry-After).");
	return whys;
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

/* The content of a successful answer. */
static json_t *
openapi_ok_content(const struct route *r)
{
	if (r->flags & ROUTE_TEXT)
		return json_pack("{s:{s:{s:s}}}", "text/plain", "schema",
		    "type", "string");
	if (r->flags & ROUTE_RAW)
		return json_pack("{s:{s:o}}", "application/json", "schema",
		    r->response != NULL ? openapi_ref("schemas", r->response) :
		    json_pack("{s:s}", "type", "object"));
	return json_pack("{s:{s:o}}", "application/json", "schema",
	    openapi_envelope(r->response));
}

/* One answer: its description, headers and content. */
static json_t *
openapi_response(const struct route *r, int status, const char *why)
{
	json_t *headers = json_object(), *content;
	int ok = status >= 200 && status < 300;
	size_t i;

	openapi_header(headers, "X-Request-ID", 1);
	/* The limiter counts a key before anything else is checked, so
	 * every answer past it carries the bucket; 401 and an address's
	 * 429 come before it. */
	if (r->plan != 0 && status != 401) {
		openapi_header(headers, "X-RateLimit-Limit", ok);
		openapi_header(headers, "X-RateLimit-Remaining", ok);
		openapi_header(headers, "X-RateLimit-Reset", ok);
	}
	if (status == 429 || status == 503)
		openapi_header(headers, "Retry-After", status == 429);
	if (status == 401)
		openapi_header(headers, "WWW-Authenticate", 1);
	if (ok && (r->flags & ROUTE_RAW) && (r->flags & ROUTE_LIST))
		openapi_header(headers, "X-Next-Cursor", 0);
	if (ok && (r->flags & ROUTE_JSON_BODY) && r->plan != 0)
		openapi_header(headers, "Idempotent-Replayed", 0);
	content = ok ? openapi_ok_content(r) : json_pack("{s:{s:o}}",
	    "application/json", "schema", openapi_ref("schemas",
	    "ErrorEnvelope"));
	if ((r->flags & ROUTE_NO_STORE) && !(r->flags & ROUTE_HTML))
		openapi_header(headers, "Cache-Control", 0);
	if (r->flags & ROUTE_HTML) {
		for (i = 0; i < sizeof(openapi_page_headers) /
		    sizeof(openapi_page_headers[0]); i++)
			openapi_header(headers, openapi_page_headers[i], 0);
		json_object_set_new(content, "text/html", json_pack("{s:{s:s}}",
		    "schema", "type", "string"));
	}
	return json_pack("{s:s, s:o, s:o}", "description", why, "headers",
	    headers, "content", content);
}

static json_t *
openapi_responses(const struct route *r)
{
	json_t *whys = openapi_whys(r), *responses = json_object();
	const char *why;
	char key[8];
	size_t i;

	for (i = 0; i < sizeof(openapi_statuses) / sizeof(openapi_statuses[0]);
	    i++) {
		snprintf(key, sizeof(key), "%d", openapi_statuses[i]);
		if ((why = json_string_value(json_object_get(whys, key))) !=
		    NULL)
			json_object_set_new(responses, key, openapi_response(r,
			    openapi_statuses[i], why));
	}
	json_decref(whys);
	return responses;
}

/* A path parameter: an id of the route's prefix, or a share token. */
static json_t *
openapi_path_param(const struct route *r, const char *name)
{
	char pattern[64], example[64], why[96];

	if (strcmp(name, "token") == 0)
		return json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:s, s:i}, s:s}",
		    "name", name, "in", "path", "required", 1, "description",
		    "The pack's share token, the end of its share_url",
		    "schema", "type", "string", "pattern", "^[A-Za-z0-9]+$",
		    "maxLength", 64, "example",
		    "Xq7Lm2Pz9Rt4Vw8Yb3Nc6Df1Gh5Jk0Ms");
	if (strcmp(name, "id") != 0 || r->id_prefix == NULL)
		return json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in",
		    "path", "required", 1, "schema", "type", "string");
	snprintf(pattern, sizeof(pattern), "^%s_[A-Za-z0-9]+$", r->id_prefix);
	snprintf(example, sizeof(example), "%s_%s", r->id_prefix,
	    OPENAPI_ID_TAIL);
	snprintf(why, sizeof(why), "The record's id (%s_...)", r->id_prefix);
	return json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:s, s:i}, s:s}",
	    "name", name, "in", "path", "required", 1, "description", why,
	    "schema", "type", "string", "pattern", pattern, "maxLength",
	    FZ_ID_SIZE - 1, "example", example);
}

static json_t *
openapi_params(const struct route *r)
{
	json_t *ps = json_array(), *schema;
	const struct route_param *rp;
	const char *p;
	char name[64];
	size_t n;

	for (p = strchr(r->pattern, ':'); p != NULL; p = strchr(p, ':')) {
		n = strcspn(p + 1, "/");
		snprintf(name, sizeof(name), "%.*s", (int)n, p + 1);
		json_array_append_new(ps, openapi_path_param(r, name));
		p += n + 1;
	}
	if (r->flags & ROUTE_LIST) {
		json_array_append_new(ps, json_pack("{s:s, s:s, s:s, s:{s:s,"
		    " s:i, s:i, s:i}}", "name", "limit", "in", "query",
		    "description", "Page size", "schema", "type", "integer",
		    "minimum", 1, "maximum", 100, "default", 50));
		json_array_append_new(ps, json_pack("{s:s, s:s, s:s, s:{s:s,"
		    " s:s}}", "name", "cursor", "in", "query", "description",
		    (r->flags & ROUTE_RAW) ? "X-Next-Cursor of the previous "
		    "page" : "meta.next_cursor of the previous page", "schema",
		    "type", "string", "pattern", "^[A-Za-z0-9_-]+$"));
	}
	for (rp = r->params; rp != NULL && rp->name != NULL; rp++) {
		if ((schema = json_loads(rp->schema, 0, NULL)) == NULL)
			schema = json_pack("{s:s}", "type", "string");
		json_array_append_new(ps, json_pack("{s:s, s:s, s:b, s:s, s:o}",
		    "name", rp->name, "in", rp->in, "required", rp->required,
		    "description", rp->why, "schema", schema));
	}
	if ((r->flags & ROUTE_JSON_BODY) && r->plan != 0)
		json_array_append_new(ps, json_pack("{s:s, s:s, s:s, s:{s:s,"
		    " s:i, s:i, s:s}, s:s}", "name", "Idempotency-Key", "in",
		    "header", "description", "A repeat with the same key, "
		    "path and body within 24 hours replays the first answer "
		    "(Idempotent-Replayed: true); another request with it is "
		    "409", "schema", "type", "string", "minLength", 1,
		    "maxLength", 255, "pattern", "^[!#$%&'*+.0-9:=@A-Z^_`a-z|~-]+$",
		    "example", "6f1c2b9e-4d7a-4c1e-9b53-2a8e0d7f4c10"));
	json_array_append_new(ps, json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}",
	    "name", "X-Request-ID", "in", "header", "description", "Kept if "
	    "well-formed, echoed in the answer", "schema", "type", "string",
	    "pattern", "^[A-Za-z0-9._:-]{1,128}$"));
	return ps;
}

/* The request body: the schema, and its first example as the body's. */
static json_t *
openapi_body(const struct route *r, const json_t *components)
{
	const json_t *schema = json_object_get(json_object_get(components,
	    "schemas"), r->request);
	const json_t *example = json_array_get(json_object_get(schema,
	    "examples"), 0);
	json_t *media;

	media = json_pack("{s:o}", "schema", openapi_ref("schemas",
	    r->request));
	if (media != NULL && example != NULL)
		json_object_set_new(media, "example", json_deep_copy(example));
	/* An empty body is read as {}: it is needed only when the schema
	 * asks for a field. */
	return json_pack("{s:b, s:{s:o}}", "required",
	    json_array_size(json_object_get(schema, "required")) > 0 ||
	    json_object_get(schema, "anyOf") != NULL ||
	    json_object_get(schema, "minProperties") != NULL,
	    "content", "application/json", media);
}

static json_t *
openapi_operation(const struct route *r, const json_t *components)
{
	json_t *op;
	char opid[128];

	openapi_opid(r, opid, sizeof(opid));
	op = json_pack("{s:s, s:s, s:s, s:[s], s:o, s:o}", "operationId", opid,
	    "summary", r->summary != NULL ? r->summary : "", "description",
	    r->description != NULL ? r->description : r->summary != NULL ?
	    r->summary : "", "tags", r->tag != NULL ? r->tag : "Other",
	    "parameters", openapi_params(r), "responses", openapi_responses(r));
	if (op == NULL)
		return NULL;
	if (r->plan != 0)
		json_object_set_new(op, "security", json_pack("[{s:[]}]",
		    "bearer"));
	else
		json_object_set_new(op, "security", json_array());
	if (r->request != NULL)
		json_object_set_new(op, "requestBody", openapi_body(r,
		    components));
	return op;
}

/* The tags the routes use: described ones first, in openapi_tags order. */
static json_t *
openapi_tag_list(const struct route *routes, size_t n)
{
	json_t *tags = json_array(), *seen = json_object();
	const char *t;
	size_t i, j;

	for (j = 0; j < sizeof(openapi_tags) / sizeof(openapi_tags[0]); j++)
		for (i = 0; i < n; i++)
			if (!(routes[i].flags & ROUTE_PAGE) && routes[i].tag !=
			    NULL && strcmp(routes[i].tag, openapi_tags[j].name) ==
			    0 && json_object_get(seen, routes[i].tag) == NULL) {
				json_object_set_new(seen, routes[i].tag,
				    json_true());
				json_array_append_new(tags, json_pack("{s:s, "
				    "s:s}", "name", openapi_tags[j].name,
				    "description", openapi_tags[j].description));
			}
	for (i = 0; i < n; i++) {
		if (routes[i].flags & ROUTE_PAGE)
			continue;
		t = routes[i].tag != NULL ? routes[i].tag : "Other";
		if (json_object_get(seen, t) == NULL) {
			json_object_set_new(seen, t, json_true());
			json_array_append_new(tags, json_pack("{s:s}", "name",
			    t));
		}
	}
	json_decref(seen);
	return tags;
}

json_t *
openapi_build(const struct route *routes, size_t n)
{
	json_t *doc, *paths, *item, *op, *components;
	char method[16];
	char *path;
	size_t i, j;

	if ((components = json_loads(openapi_components, 0, NULL)) == NULL)
		return NULL;
	json_object_set_new(components, "headers", openapi_headers());
	doc = json_pack("{s:s, s:{s:s, s:s, s:s, s:{s:s, s:s}}, s:[{s:s, s:s}],"
	    " s:o, s:{}, s:O}",
	    "openapi", "3.1.0", "info", "title", "Finalizo API (fzrelay)",
	    "version", PACKAGE_VERSION, "description", "Every answer but "
	    "this document, the metrics and the Zapier triggers' bare arrays "
	    "is the envelope {data, meta, error}, and every answer carries "
	    "X-Request-ID. Besides the answers each operation lists, any "
	    "request can be refused by the HTTP layer before it reaches one: "
	    "400 (malformed HTTP), 404 (no such endpoint), 405 (another "
	    "method; Allow lists the ones served), 408 (not received in "
	    "time), 413 (body over max_body_bytes), 414 (request line too "
	    "long), 431 (headers too large), 501 (transfer encoding) and 505 "
	    "(HTTP version), each with the error envelope. HEAD is answered "
	    "wherever GET is, without the body.",
	    "contact", "name", "Finalizo", "url", "https://finalizo.com",
	    "servers", "url", "/", "description", "The fzrelay that serves "
	    "this document", "tags", openapi_tag_list(routes, n), "paths",
	    "components", components);
	if (doc == NULL)
		goto fail;
	paths = json_object_get(doc, "paths");
	for (i = 0; i < n; i++) {
		if (routes[i].flags & ROUTE_PAGE)
			continue;
		if ((path = openapi_path(routes[i].pattern)) == NULL ||
		    (op = openapi_operation(&routes[i], components)) == NULL) {
			free(path);
			goto fail;
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
	json_decref(components);
	return doc;
fail:
	json_decref(components);
	json_decref(doc);
	return NULL;
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
