/*
 * e2e_api.c: the core REST API against the running daemon: clients and
 * projects, validation that names every bad field and changes nothing,
 * scopes and plans from the route table, workspace isolation, paging
 * with opaque cursors, Idempotency-Key, one client per email under
 * concurrent creation, templates.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "common/secure.h"
#include "state/idem.h"
#include "state/state.h"
#include "tests/e2e/harness.h"

#define JSON_CT		"Content-Type: application/json"
#define ID_RE(p)	"^" p "_[0-9A-Za-z]{20}$"
#define UNKNOWN_CLIENT	"client_AbCdEfGhIjKlMnOpQrSt"
#define UNKNOWN_PROJECT	"project_AbCdEfGhIjKlMnOpQrSt"
#define NCONC		20
#define NPAGE		7

static const char rfc3339_re[] =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$";

/*
 * Sends method path with "Authorization: Bearer tok" (tok may be NULL),
 * body (may be NULL) as ctype, and one extra header line (may be NULL).
 */
static int
api_ct(const struct fzd *d, const char *method, const char *path,
    const char *tok, const char *ctype, const char *extra, const char *body,
    struct fzh_res *res)
{
	char auth[256], ct[128];
	const char *hdrs[4];
	size_t n = 0;

	if (tok != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
		hdrs[n++] = auth;
	}
	if (body != NULL && ctype != NULL) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
		hdrs[n++] = ct;
	}
	if (extra != NULL)
		hdrs[n++] = extra;
	hdrs[n] = NULL;
	return fzh_http(d, method, path, hdrs, body, body != NULL ?
	    strlen(body) : 0, res);
}

/* api_ct with a JSON body and no extra header. */
static int
api(const struct fzd *d, const char *method, const char *path,
    const char *tok, const char *body, struct fzh_res *res)
{
	return api_ct(d, method, path, tok, "application/json", NULL, body,
	    res);
}

/* Writes a project body for a new or matching client into buf. */
static const char *
project_body(char *buf, size_t size, const char *name, const char *email)
{
	snprintf(buf, size, "{\"name\":\"%s\",\"clientName\":\"Jane Smith\","
	    "\"clientEmail\":\"%s\",\"projectType\":\"Web Design\","
	    "\"launchDate\":\"2026-06-01\"}", name, email);
	return buf;
}

/* POSTs a project for a client by email; asserts 201 and returns the
 * project's id (and the client's, if cid is not NULL), each >= 64. */
static void
create_project(const struct fzd *d, const char *tok, const char *name,
    const char *email, char *id, char *cid)
{
	struct fzh_res res;
	char body[512];

	api(d, "POST", "/api/v1/projects", tok,
	    project_body(body, sizeof(body), name, email), &res);
	fzh_assert_envelope(&res, 201, NULL);
	fzh_copy_str(&res, "data.id", id, 64);
	if (cid != NULL)
		fzh_copy_str(&res, "data.clientId", cid, 64);
	fzh_res_free(&res);
}

/* GETs a list; asserts 200 and returns its data array (owned by res). */
static json_t *
get_list(const struct fzd *d, const char *path, const char *tok,
    struct fzh_res *res)
{
	json_t *arr;

	fzh_get(d, path, tok, res);
	fzh_assert_envelope(res, 200, NULL);
	arr = fzh_json_get(res, "data");
	if (!json_is_array(arr))
		fail_msg("GET %s: data is not a list: %s", path, res->body);
	return arr;
}

/* Returns how many records the list at path holds (one page, max 100). */
static size_t
list_len(const struct fzd *d, const char *path, const char *tok)
{
	struct fzh_res res;
	size_t n;

	n = json_array_size(get_list(d, path, tok, &res));
	if (fzh_json_get(&res, "meta.next_cursor") != NULL)
		fail_msg("GET %s: more than one page: %s", path, res.body);
	fzh_res_free(&res);
	return n;
}

/* Returns 1 if details names field. */
static int
has_field(const json_t *details, const char *field)
{
	const json_t *d;
	const char *f;
	size_t i;

	json_array_foreach(details, i, d) {
		f = json_string_value(json_object_get(d, "field"));
		if (f != NULL && strcmp(f, field) == 0)
			return 1;
	}
	return 0;
}

/* Asserts res is 400 VALIDATION_ERROR whose details name exactly the
 * fields of want (NULL-terminated), in any order, each with a message. */
static void
assert_invalid(const struct fzh_res *res, const char *const *want)
{
	const json_t *details, *d;
	const char *m;
	size_t i, n;

	fzh_assert_envelope(res, 400, "VALIDATION_ERROR");
	details = fzh_json_get(res, "error.details");
	if (!json_is_array(details))
		fail_msg("error.details is not a list: %s", res->body);
	for (n = 0; want[n] != NULL; n++)
		if (!has_field(details, want[n]))
			fail_msg("error.details does not name %s: %s",
			    want[n], res->body);
	if (json_array_size(details) != n)
		fail_msg("error.details names %zu fields, want %zu: %s",
		    json_array_size(details), n, res->body);
	json_array_foreach(details, i, d) {
		m = json_string_value(json_object_get(d, "message"));
		if (m == NULL || *m == '\0')
			fail_msg("detail %zu has no message: %s", i, res->body);
	}
}

/* Asserts res is a 400 naming exactly one field. */
static void
assert_invalid1(const struct fzh_res *res, const char *field)
{
	const char *want[] = { field, NULL };

	assert_invalid(res, want);
}

static void
nap_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

static void
test_project_create_client(void **state)
{
	struct fzd *d = *state;
	char ws[64], tok[64], p1[64], c1[64], c3[64], body[512];
	char path[128];
	struct fzh_res res;

	fzh_ws_key(d, "Acme Agency", "agency", "read,write", ws, tok);
	fzh_start(d, NULL, NULL);

	/* A new client, its email trimmed and lower-cased. */
	api(d, "POST", "/api/v1/projects", tok, project_body(body,
	    sizeof(body), "Website closeout", "  JANE@Example.COM "), &res);
	fzh_assert_envelope(&res, 201, NULL);
	assert_true(fzh_match(ID_RE("project"), fzh_json_str(&res,
	    "data.id")));
	fzh_assert_str(fzh_json_str(&res, "data.status"), "draft");
	fzh_assert_str(fzh_json_str(&res, "data.name"), "Website closeout");
	fzh_assert_str(fzh_json_str(&res, "data.projectType"), "Web Design");
	fzh_assert_str(fzh_json_str(&res, "data.launchDate"), "2026-06-01");
	fzh_assert_str(fzh_json_str(&res, "data.client.email"),
	    "jane@example.com");
	fzh_assert_str(fzh_json_str(&res, "data.client.name"), "Jane Smith");
	assert_true(fzh_match(ID_RE("client"), fzh_json_str(&res,
	    "data.clientId")));
	fzh_assert_str(fzh_json_str(&res, "data.client.id"),
	    fzh_json_str(&res, "data.clientId"));
	assert_true(fzh_match(rfc3339_re, fzh_json_str(&res,
	    "data.createdAt")));
	fzh_copy_str(&res, "data.id", p1, sizeof(p1));
	fzh_copy_str(&res, "data.clientId", c1, sizeof(c1));
	fzh_res_free(&res);

	/* The same address in another case is the same client. */
	api(d, "POST", "/api/v1/projects", tok, project_body(body,
	    sizeof(body), "Second", "Jane@Example.com"), &res);
	fzh_assert_envelope(&res, 201, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.clientId"), c1);
	assert_string_not_equal(fzh_json_str(&res, "data.id"), p1);
	fzh_res_free(&res);

	/* An alias is another client. */
	api(d, "POST", "/api/v1/projects", tok, project_body(body,
	    sizeof(body), "Third", "jane+x@example.com"), &res);
	fzh_assert_envelope(&res, 201, NULL);
	fzh_copy_str(&res, "data.clientId", c3, sizeof(c3));
	assert_string_not_equal(c3, c1);
	fzh_assert_str(fzh_json_str(&res, "data.client.email"),
	    "jane+x@example.com");
	fzh_res_free(&res);

	/* An existing client by id. */
	snprintf(body, sizeof(body), "{\"name\":\"Fourth\",\"clientId\":"
	    "\"%s\",\"projectType\":\"SEO\",\"launchDate\":\"2026-06-01\"}",
	    c1);
	api(d, "POST", "/api/v1/projects", tok, body, &res);
	fzh_assert_envelope(&res, 201, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.clientId"), c1);
	fzh_assert_str(fzh_json_str(&res, "data.client.email"),
	    "jane@example.com");
	fzh_res_free(&res);

	/* A well-formed id that names no client. */
	api(d, "POST", "/api/v1/projects", tok, "{\"name\":\"Fifth\","
	    "\"clientId\":\"" UNKNOWN_CLIENT "\",\"projectType\":\"SEO\","
	    "\"launchDate\":\"2026-06-01\"}", &res);
	assert_invalid1(&res, "clientId");
	fzh_res_free(&res);

	/* A template that does not exist, with an email never seen: the
	 * failed write must not leave that client behind. */
	api(d, "POST", "/api/v1/projects", tok, "{\"name\":\"Sixth\","
	    "\"clientName\":\"Nobody\",\"clientEmail\":\"nobody@example.com\","
	    "\"projectType\":\"SEO\",\"launchDate\":\"2026-06-01\","
	    "\"templateId\":\"tpl_Nope\"}", &res);
	assert_invalid1(&res, "templateId");
	fzh_res_free(&res);

	/* An explicit template wins over the project type's. */
	snprintf(body, sizeof(body), "{\"name\":\"Seventh\",\"clientId\":"
	    "\"%s\",\"projectType\":\"Web Design\",\"launchDate\":"
	    "\"2026-06-01\",\"templateId\":\"tpl_SEO\"}", c3);
	api(d, "POST", "/api/v1/projects", tok, body, &res);
	fzh_assert_envelope(&res, 201, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.templateId"), "tpl_SEO");
	fzh_res_free(&res);

	assert_int_equal(list_len(d, "/api/v1/clients", tok), 2);
	assert_int_equal(list_len(d, "/api/v1/projects", tok), 5);

	snprintf(path, sizeof(path), "/api/v1/projects/%s", p1);
	fzh_get(d, path, tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.id"), p1);
	fzh_assert_str(fzh_json_str(&res, "data.clientId"), c1);
	fzh_assert_str(fzh_json_str(&res, "data.status"), "draft");
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_project_validation(void **state)
{
	/* Each body is otherwise valid, with an email never used, so a
	 * body that slipped through would show up as a new client. */
	static const struct {
		const char	*body;
		const char	*fields[6];
	} bad[] = {
		{ "{\"clientName\":\"A\",\"clientEmail\":\"v1@example.com\","
		    "\"projectType\":\"SEO\",\"launchDate\":\"2026-06-01\"}",
		    { "name" } },
		{ "{\"name\":\"   \",\"clientName\":\"A\",\"clientEmail\":"
		    "\"v2@example.com\",\"projectType\":\"SEO\","
		    "\"launchDate\":\"2026-06-01\"}", { "name" } },
		{ "{\"name\":\"P\",\"clientName\":\"A\",\"clientEmail\":"
		    "\"v3@example.com\",\"projectType\":\"SEO\","
		    "\"launchDate\":\"2026-02-30\"}", { "launchDate" } },
		{ "{\"name\":\"P\",\"clientName\":\"A\",\"clientEmail\":"
		    "\"v4@example.com\",\"projectType\":\"SEO\","
		    "\"launchDate\":\"06/01/2026\"}", { "launchDate" } },
		{ "{\"name\":\"P\",\"clientName\":\"A\",\"clientEmail\":"
		    "\"v5@example.com\",\"projectType\":\"SEO\","
		    "\"launchDate\":\"2100-02-29\"}", { "launchDate" } },
		{ "{\"name\":\"P\",\"clientName\":\"A\",\"clientEmail\":"
		    "\"no-at-sign\",\"projectType\":\"SEO\","
		    "\"launchDate\":\"2026-06-01\"}", { "clientEmail" } },
		{ "{\"name\":\"P\",\"clientName\":\"A\",\"clientEmail\":"
		    "\"a@b\",\"projectType\":\"SEO\","
		    "\"launchDate\":\"2026-06-01\"}", { "clientEmail" } },
		{ "{\"name\":5,\"clientName\":\"A\",\"clientEmail\":"
		    "\"v6@example.com\",\"projectType\":\"SEO\","
		    "\"launchDate\":true}", { "name", "launchDate" } },
		{ "{\"name\":\"P\",\"clientId\":\"client-1\",\"projectType\":"
		    "\"SEO\",\"launchDate\":\"2026-06-01\"}", { "clientId" } },
		/* Every bad field at once. */
		{ "{\"clientName\":\"A\",\"clientEmail\":\"a@b\","
		    "\"projectType\":[],\"launchDate\":\"2026-02-30\"}",
		    { "name", "clientEmail", "projectType", "launchDate" } },
		{ "{}", { "name", "projectType", "launchDate", "clientName",
		    "clientEmail" } },
		{ "[{\"name\":\"P\"}]", { "body" } },
		{ "{\"name\":\"P\",", { "body" } },
		{ "{\"name\":\"P\",\"name\":\"Q\",\"clientName\":\"A\","
		    "\"clientEmail\":\"v7@example.com\",\"projectType\":"
		    "\"SEO\",\"launchDate\":\"2026-06-01\"}", { "body" } },
	};
	struct fzd *d = *state;
	char ws[64], tok[64], p1[64], p2[64], name[256], body[1024];
	struct fzh_res res;
	json_t *arr;
	size_t i;

	fzh_ws_key(d, "Acme Agency", "agency", "read,write", ws, tok);
	fzh_start(d, NULL, NULL);
	create_project(d, tok, "Before one", "one@example.com", p1, NULL);
	create_project(d, tok, "Before two", "two@example.com", p2, NULL);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		api(d, "POST", "/api/v1/projects", tok, bad[i].body, &res);
		assert_invalid(&res, bad[i].fields);
		fzh_res_free(&res);
	}
	/* A name of 201 bytes. */
	memset(name, 'n', 201);
	name[201] = '\0';
	api(d, "POST", "/api/v1/projects", tok, project_body(body,
	    sizeof(body), name, "v8@example.com"), &res);
	assert_invalid1(&res, "name");
	fzh_res_free(&res);

	/* Nothing changed: the same two projects and clients. */
	arr = get_list(d, "/api/v1/projects", tok, &res);
	assert_int_equal(json_array_size(arr), 2);
	fzh_assert_str(json_string_value(json_object_get(json_array_get(arr,
	    0), "id")), p2);
	fzh_assert_str(json_string_value(json_object_get(json_array_get(arr,
	    1), "id")), p1);
	fzh_res_free(&res);
	assert_int_equal(list_len(d, "/api/v1/clients", tok), 2);

	/* 200 bytes is the limit, not beyond it. */
	name[200] = '\0';
	api(d, "POST", "/api/v1/projects", tok, project_body(body,
	    sizeof(body), name, "two@example.com"), &res);
	fzh_assert_envelope(&res, 201, NULL);
	assert_int_equal(strlen(fzh_json_str(&res, "data.name")), 200);
	fzh_res_free(&res);
	assert_int_equal(list_len(d, "/api/v1/projects", tok), 3);
	fzh_stop_ok(d);
}

static void
test_media_type(void **state)
{
	struct fzd *d = *state;
	char ws[64], tok[64], p1[64], path[128], body[512];
	struct fzh_res res;

	fzh_ws_key(d, "Acme Agency", "agency", "read,write", ws, tok);
	fzh_start(d, NULL, NULL);
	create_project(d, tok, "Kept", "kept@example.com", p1, NULL);

	api_ct(d, "POST", "/api/v1/projects", tok, "text/plain", NULL,
	    project_body(body, sizeof(body), "Plain", "plain@example.com"),
	    &res);
	fzh_assert_envelope(&res, 415, "UNSUPPORTED_MEDIA_TYPE");
	fzh_res_free(&res);
	api_ct(d, "POST", "/api/v1/clients", tok, "text/plain", NULL,
	    "{\"name\":\"P\",\"email\":\"plain@example.com\"}", &res);
	fzh_assert_envelope(&res, 415, "UNSUPPORTED_MEDIA_TYPE");
	fzh_res_free(&res);
	snprintf(path, sizeof(path), "/api/v1/projects/%s", p1);
	api_ct(d, "PATCH", path, tok, "text/plain", NULL,
	    "{\"name\":\"Changed\"}", &res);
	fzh_assert_envelope(&res, 415, "UNSUPPORTED_MEDIA_TYPE");
	fzh_res_free(&res);

	assert_int_equal(list_len(d, "/api/v1/projects", tok), 1);
	assert_int_equal(list_len(d, "/api/v1/clients", tok), 1);
	fzh_get(d, path, tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.name"), "Kept");
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_clients(void **state)
{
	static const char *const malformed[] = {
		"/api/v1/clients/client-AbCdEfGhIjKlMnOpQrSt",
		"/api/v1/clients/client_",
		"/api/v1/clients/" UNKNOWN_PROJECT,
		"/api/v1/clients/client_Ab%21dEfGhIjKlMnOpQrSt",
		"/api/v1/clients/nothing",
	};
	struct fzd *d = *state;
	char ws[64], tok[64], cid[64], pid[64], pcid[64], path[128];
	struct fzh_res res;
	size_t i;

	fzh_ws_key(d, "Acme Agency", "agency", "read,write", ws, tok);
	fzh_start(d, NULL, NULL);

	api(d, "POST", "/api/v1/clients", tok, "{\"name\":\"Jane Smith\","
	    "\"email\":\" Jane@Example.com \",\"company\":\"Smith & Co\"}",
	    &res);
	fzh_assert_envelope(&res, 201, NULL);
	assert_true(fzh_match(ID_RE("client"), fzh_json_str(&res,
	    "data.id")));
	fzh_assert_str(fzh_json_str(&res, "data.name"), "Jane Smith");
	fzh_assert_str(fzh_json_str(&res, "data.email"), "jane@example.com");
	fzh_assert_str(fzh_json_str(&res, "data.company"), "Smith & Co");
	fzh_copy_str(&res, "data.id", cid, sizeof(cid));
	fzh_res_free(&res);

	/* The same address in another case. */
	api(d, "POST", "/api/v1/clients", tok, "{\"name\":\"J. Smith\","
	    "\"email\":\"JANE@EXAMPLE.COM\"}", &res);
	fzh_assert_envelope(&res, 409, "CONFLICT");
	if (!has_field(fzh_json_get(&res, "error.details"), "email"))
		fail_msg("409 does not name email: %s", res.body);
	fzh_res_free(&res);

	/* Bad input names each field. */
	api(d, "POST", "/api/v1/clients", tok, "{\"email\":\"a@b\","
	    "\"company\":7}", &res);
	{
		const char *want[] = { "name", "email", "company", NULL };

		assert_invalid(&res, want);
	}
	fzh_res_free(&res);
	assert_int_equal(list_len(d, "/api/v1/clients", tok), 1);

	snprintf(path, sizeof(path), "/api/v1/clients/%s", cid);
	fzh_get(d, path, tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.id"), cid);
	fzh_assert_str(fzh_json_str(&res, "data.email"), "jane@example.com");
	fzh_assert_str(fzh_json_str(&res, "data.company"), "Smith & Co");
	fzh_res_free(&res);

	fzh_get(d, "/api/v1/clients/" UNKNOWN_CLIENT, tok, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		fzh_get(d, malformed[i], tok, &res);
		fzh_assert_envelope(&res, 404, "NOT_FOUND");
		fzh_res_free(&res);
	}

	/* A project by email finds the client made through /clients. */
	create_project(d, tok, "Site", "jane@EXAMPLE.com", pid, pcid);
	fzh_assert_str(pcid, cid);
	assert_int_equal(list_len(d, "/api/v1/clients", tok), 1);
	fzh_stop_ok(d);
}

static void
test_project_patch(void **state)
{
	struct fzd *d = *state;
	char ws[64], tok[64], pid[64], path[128], created[64], updated[64];
	struct fzh_res res;

	fzh_ws_key(d, "Acme Agency", "agency", "read,write", ws, tok);
	fzh_start(d, NULL, NULL);
	create_project(d, tok, "Original", "jane@example.com", pid, NULL);
	snprintf(path, sizeof(path), "/api/v1/projects/%s", pid);
	fzh_get(d, path, tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_copy_str(&res, "data.createdAt", created, sizeof(created));
	fzh_copy_str(&res, "data.updatedAt", updated, sizeof(updated));
	fzh_res_free(&res);

	nap_ms(5);	/* times have millisecond resolution */
	api(d, "PATCH", path, tok, "{\"name\":\"Renamed\",\"launchDate\":"
	    "\"2026-07-15\"}", &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.id"), pid);
	fzh_assert_str(fzh_json_str(&res, "data.name"), "Renamed");
	fzh_assert_str(fzh_json_str(&res, "data.launchDate"), "2026-07-15");
	fzh_assert_str(fzh_json_str(&res, "data.projectType"), "Web Design");
	fzh_assert_str(fzh_json_str(&res, "data.createdAt"), created);
	assert_true(fzh_match(rfc3339_re, fzh_json_str(&res,
	    "data.updatedAt")));
	assert_true(strcmp(fzh_json_str(&res, "data.updatedAt"), updated) >
	    0);
	fzh_copy_str(&res, "data.updatedAt", updated, sizeof(updated));
	fzh_res_free(&res);

	/* Refused patches change nothing, not even their valid fields. */
	api(d, "PATCH", path, tok, "{\"launchDate\":\"2026-02-30\"}", &res);
	assert_invalid1(&res, "launchDate");
	fzh_res_free(&res);
	api(d, "PATCH", path, tok, "{\"name\":\"Half\",\"launchDate\":"
	    "\"15/07/2026\"}", &res);
	assert_invalid1(&res, "launchDate");
	fzh_res_free(&res);
	api(d, "PATCH", path, tok, "{}", &res);
	fzh_assert_envelope(&res, 400, "VALIDATION_ERROR");
	fzh_res_free(&res);

	/* status is not a patchable field: alone it is an empty patch,
	 * beside a name it is ignored. */
	api(d, "PATCH", path, tok, "{\"status\":\"signed_off\"}", &res);
	fzh_assert_envelope(&res, 400, "VALIDATION_ERROR");
	fzh_res_free(&res);
	api(d, "PATCH", path, tok, "{\"name\":\"Renamed again\","
	    "\"status\":\"signed_off\"}", &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.status"), "draft");
	fzh_res_free(&res);

	fzh_get(d, path, tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.name"), "Renamed again");
	fzh_assert_str(fzh_json_str(&res, "data.launchDate"), "2026-07-15");
	fzh_assert_str(fzh_json_str(&res, "data.status"), "draft");
	assert_null(fzh_json_str(&res, "data.signedOffAt"));
	fzh_res_free(&res);

	api(d, "PATCH", "/api/v1/projects/" UNKNOWN_PROJECT, tok,
	    "{\"name\":\"X\"}", &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

/*
 * A project's name and type are required at creation; a PATCH must not
 * be able to empty them. Both are sent before asserting so the report
 * names every field that slips through.
 */
static void
test_patch_empty_required(void **state)
{
	static const char *const fields[] = { "name", "projectType" };
	struct fzd *d = *state;
	char ws[64], tok[64], pid[64], path[128], body[64];
	char got[2][1024];
	struct fzh_res res;
	size_t i;
	int status[2], bad = 0;

	fzh_ws_key(d, "Acme Agency", "agency", "read,write", ws, tok);
	fzh_start(d, NULL, NULL);
	create_project(d, tok, "Original", "jane@example.com", pid, NULL);
	snprintf(path, sizeof(path), "/api/v1/projects/%s", pid);
	for (i = 0; i < 2; i++) {
		snprintf(body, sizeof(body), "{\"%s\":\"\"}", fields[i]);
		status[i] = api(d, "PATCH", path, tok, body, &res);
		snprintf(got[i], sizeof(got[i]), "%s", res.body);
		fzh_res_free(&res);
		if (status[i] != 400) {
			fprintf(stderr, "# PATCH %s %s: %d, want 400: %s\n",
			    path, body, status[i], got[i]);
			bad = 1;
		}
	}
	fzh_get(d, path, tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_copy_str(&res, "data.name", got[0], sizeof(got[0]));
	fzh_copy_str(&res, "data.projectType", got[1], sizeof(got[1]));
	fzh_res_free(&res);
	fzh_stop_ok(d);
	if (bad)
		fail_msg("a PATCH emptied a required field; now: name \"%s\", "
		    "projectType \"%s\"", got[0], got[1]);
	fzh_assert_str(got[0], "Original");
	fzh_assert_str(got[1], "Web Design");
}

static void
test_scope_read(void **state)
{
	struct fzd *d = *state;
	char ws[64], rw[64], ro[64], pid[64], path[128], body[512];
	struct fzh_res res;

	fzh_ws_key(d, "Acme Agency", "agency", "read,write", ws, rw);
	fzh_key(d->dir, ws, "read", "reader", ro, sizeof(ro));
	fzh_start(d, NULL, NULL);
	create_project(d, rw, "Site", "jane@example.com", pid, NULL);
	snprintf(path, sizeof(path), "/api/v1/projects/%s", pid);

	assert_int_equal(list_len(d, "/api/v1/projects", ro), 1);
	assert_int_equal(list_len(d, "/api/v1/clients", ro), 1);
	assert_int_equal(list_len(d, "/api/v1/signoffs", ro), 0);
	fzh_get(d, path, ro, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	fzh_get(d, "/api/v1/templates", ro, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);

	api(d, "POST", "/api/v1/projects", ro, project_body(body,
	    sizeof(body), "Nope", "ro@example.com"), &res);
	fzh_assert_envelope(&res, 403, "FORBIDDEN");
	fzh_res_free(&res);
	/* The scope is checked before the body is even read. */
	api(d, "POST", "/api/v1/projects", ro, "{\"name\":", &res);
	fzh_assert_envelope(&res, 403, "FORBIDDEN");
	fzh_res_free(&res);
	api(d, "POST", "/api/v1/clients", ro, "{\"name\":\"R\",\"email\":"
	    "\"ro@example.com\"}", &res);
	fzh_assert_envelope(&res, 403, "FORBIDDEN");
	fzh_res_free(&res);
	api(d, "PATCH", path, ro, "{\"name\":\"Nope\"}", &res);
	fzh_assert_envelope(&res, 403, "FORBIDDEN");
	fzh_res_free(&res);

	assert_int_equal(list_len(d, "/api/v1/projects", rw), 1);
	assert_int_equal(list_len(d, "/api/v1/clients", rw), 1);
	fzh_get(d, path, rw, &res);
	fzh_assert_str(fzh_json_str(&res, "data.name"), "Site");
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_plans(void **state)
{
	static const char *const rest[] = {
		"/api/v1/projects", "/api/v1/clients", "/api/v1/templates",
		"/api/v1/signoffs", "/api/v1/projects/" UNKNOWN_PROJECT,
	};
	struct fzd *d = *state;
	char ws[64], agency[64], pro[64], free_[64], body[512];
	struct fzh_res res;
	size_t i;

	fzh_ws_key(d, "Agency", "agency", "admin", ws, agency);
	fzh_ws_key(d, "Pro", "pro", "admin", ws, pro);
	fzh_ws_key(d, "Free", "free", "admin", ws, free_);
	fzh_start(d, NULL, NULL);

	for (i = 0; i < sizeof(rest) / sizeof(rest[0]); i++) {
		fzh_get(d, rest[i], pro, &res);
		fzh_assert_envelope(&res, 403, "PLAN_LIMIT");
		fzh_res_free(&res);
		fzh_get(d, rest[i], free_, &res);
		fzh_assert_envelope(&res, 403, "PLAN_LIMIT");
		fzh_res_free(&res);
	}
	api(d, "POST", "/api/v1/projects", pro, project_body(body,
	    sizeof(body), "Pro", "pro@example.com"), &res);
	fzh_assert_envelope(&res, 403, "PLAN_LIMIT");
	fzh_res_free(&res);

	fzh_get(d, "/api/v1/auth", pro, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.workspace.plan"), "pro");
	fzh_res_free(&res);
	fzh_get(d, "/api/v1/auth", free_, &res);
	fzh_assert_envelope(&res, 403, "PLAN_LIMIT");
	fzh_res_free(&res);

	/* The same routes serve an agency key. */
	assert_int_equal(list_len(d, "/api/v1/projects", agency), 0);
	fzh_stop_ok(d);
}

/* Builds "prefix/ID/suffix" into buf. */
static const char *
path3(char *buf, size_t size, const char *prefix, const char *id,
    const char *suffix)
{
	snprintf(buf, size, "%s/%s%s", prefix, id, suffix);
	return buf;
}

static void
test_workspace_isolation(void **state)
{
	struct fzd *d = *state;
	char wa[64], ta[64], wb[64], tb[64], pid[64], cid[64], bcid[64];
	char bpid[64], path[256], body[512], portal[256];
	const char *url, *p;
	struct fzh_res res;

	fzh_ws_key(d, "Agency A", "agency", "admin", wa, ta);
	fzh_ws_key(d, "Agency B", "agency", "admin", wb, tb);
	fzh_start(d, NULL, NULL);

	/* A: a client, a project, a sent pack, a sign-off. */
	create_project(d, ta, "A's site", "jane@example.com", pid, cid);
	api(d, "POST", path3(path, sizeof(path), "/api/v1/projects", pid,
	    "/pack/send"), ta, "{\"personalMessage\":\"Ready\"}", &res);
	fzh_assert_envelope(&res, 200, NULL);
	url = fzh_json_str(&res, "data.share_url");
	if (url == NULL || (p = strstr(url, "/p/")) == NULL)
		fail_msg("no share_url: %s", res.body);
	snprintf(portal, sizeof(portal), "%s/signoff", p);
	fzh_res_free(&res);
	api(fzh_portal(d), "POST", portal, NULL, "{\"name\":\"Jane\",\"email\":"
	    "\"jane@example.com\"}", &res);
	fzh_assert_envelope(&res, 201, NULL);
	fzh_res_free(&res);

	/* B sees none of it. */
	fzh_get(d, path3(path, sizeof(path), "/api/v1/projects", pid, ""),
	    tb, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	fzh_get(d, path3(path, sizeof(path), "/api/v1/projects", pid,
	    "/pack"), tb, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	fzh_get(d, path3(path, sizeof(path), "/api/v1/projects", pid,
	    "/signoff"), tb, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	fzh_get(d, path3(path, sizeof(path), "/api/v1/clients", cid, ""), tb,
	    &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	assert_int_equal(list_len(d, "/api/v1/projects", tb), 0);
	assert_int_equal(list_len(d, "/api/v1/clients", tb), 0);
	assert_int_equal(list_len(d, "/api/v1/signoffs", tb), 0);

	/* Nor can B change it. */
	api(d, "PATCH", path3(path, sizeof(path), "/api/v1/projects", pid,
	    ""), tb, "{\"name\":\"Taken\"}", &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	api(d, "PUT", path3(path, sizeof(path), "/api/v1/projects", pid,
	    "/pack"), tb, "{\"sections\":[]}", &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	api(d, "POST", path3(path, sizeof(path), "/api/v1/projects", pid,
	    "/pack/send"), tb, "{}", &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	/* ...nor use A's client. */
	snprintf(body, sizeof(body), "{\"name\":\"B\",\"clientId\":\"%s\","
	    "\"projectType\":\"SEO\",\"launchDate\":\"2026-06-01\"}", cid);
	api(d, "POST", "/api/v1/projects", tb, body, &res);
	assert_invalid1(&res, "clientId");
	fzh_res_free(&res);
	assert_int_equal(list_len(d, "/api/v1/projects", tb), 0);

	/* The same email in B is B's own client. */
	create_project(d, tb, "B's site", "Jane@Example.com", bpid, bcid);
	assert_string_not_equal(bcid, cid);
	assert_int_equal(list_len(d, "/api/v1/clients", tb), 1);

	/* A is untouched. */
	fzh_get(d, path3(path, sizeof(path), "/api/v1/projects", pid, ""),
	    ta, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.name"), "A's site");
	fzh_assert_str(fzh_json_str(&res, "data.status"), "signed_off");
	fzh_res_free(&res);
	assert_int_equal(list_len(d, "/api/v1/projects", ta), 1);
	assert_int_equal(list_len(d, "/api/v1/clients", ta), 1);
	assert_int_equal(list_len(d, "/api/v1/signoffs", ta), 1);
	fzh_stop_ok(d);
}

/* GETs base with ?limit=&cursor= (cursor may be NULL) and asserts 400
 * VALIDATION_ERROR naming field. */
static void
assert_bad_page(const struct fzd *d, const char *tok, const char *query,
    const char *field)
{
	char path[512];
	struct fzh_res res;

	snprintf(path, sizeof(path), "/api/v1/projects?%s", query);
	fzh_get(d, path, tok, &res);
	if (res.status >= 500)
		fail_msg("GET %s: %d: %s", path, res.status, res.body);
	assert_invalid1(&res, field);
	fzh_res_free(&res);
}

/* Returns the first page's next cursor of path for tok into out. */
static void
first_cursor(const struct fzd *d, const char *path, const char *tok,
    char *out, size_t size)
{
	struct fzh_res res;

	get_list(d, path, tok, &res);
	fzh_copy_str(&res, "meta.next_cursor", out, size);
	fzh_res_free(&res);
}

static void
test_paging(void **state)
{
	struct fzd *d = *state;
	char wa[64], ta[64], wb[64], tb[64], ids[NPAGE][64], seen[NPAGE][64];
	char name[32], email[64], path[256], cur[128], q[256], prev[64];
	char foreign[128], other_list[128], scratch[64];
	const char *id, *at;
	struct fzh_res res;
	json_t *arr, *p;
	size_t i, j, n = 0;
	int pages = 0;

	fzh_ws_key(d, "Agency A", "agency", "read,write", wa, ta);
	fzh_ws_key(d, "Agency B", "agency", "read,write", wb, tb);
	fzh_start(d, NULL, NULL);
	for (i = 0; i < NPAGE; i++) {
		snprintf(name, sizeof(name), "Project %zu", i);
		snprintf(email, sizeof(email), "c%zu@example.com", i);
		create_project(d, ta, name, email, ids[i], NULL);
	}
	create_project(d, tb, "B one", "b1@example.com", scratch, NULL);
	create_project(d, tb, "B two", "b2@example.com", scratch, NULL);

	/* Follow the cursors: every project once, newest first. */
	prev[0] = '\0';
	cur[0] = '\0';
	for (;;) {
		if (cur[0] == '\0')
			snprintf(path, sizeof(path),
			    "/api/v1/projects?limit=3");
		else
			snprintf(path, sizeof(path),
			    "/api/v1/projects?limit=3&cursor=%s", cur);
		arr = get_list(d, path, ta, &res);
		pages++;
		assert_true(json_array_size(arr) <= 3);
		json_array_foreach(arr, i, p) {
			id = json_string_value(json_object_get(p, "id"));
			at = json_string_value(json_object_get(p, "createdAt"));
			if (id == NULL || at == NULL || n == NPAGE)
				fail_msg("unexpected record: %s", res.body);
			for (j = 0; j < n; j++)
				if (strcmp(seen[j], id) == 0)
					fail_msg("%s listed twice", id);
			snprintf(seen[n++], 64, "%s", id);
			if (prev[0] != '\0' && strcmp(at, prev) > 0)
				fail_msg("createdAt %s after %s: not newest "
				    "first", at, prev);
			snprintf(prev, sizeof(prev), "%s", at);
		}
		if (fzh_json_get(&res, "meta.next_cursor") == NULL) {
			fzh_res_free(&res);
			break;
		}
		if (json_array_size(arr) != 3)
			fail_msg("a short page with a next_cursor: %s",
			    res.body);
		fzh_copy_str(&res, "meta.next_cursor", cur, sizeof(cur));
		fzh_res_free(&res);
		if (pages > NPAGE)
			fail_msg("cursors do not end");
	}
	assert_int_equal(pages, 3);
	assert_int_equal(n, NPAGE);
	for (i = 0; i < NPAGE; i++)
		fzh_assert_str(seen[i], ids[NPAGE - 1 - i]);

	/* A page that ends exactly at the last record has no cursor. */
	arr = get_list(d, "/api/v1/projects?limit=7", ta, &res);
	assert_int_equal(json_array_size(arr), NPAGE);
	assert_null(fzh_json_get(&res, "meta.next_cursor"));
	fzh_res_free(&res);
	assert_int_equal(list_len(d, "/api/v1/projects?limit=100", ta), NPAGE);
	assert_int_equal(list_len(d, "/api/v1/projects", ta), NPAGE);

	assert_bad_page(d, ta, "limit=0", "limit");
	assert_bad_page(d, ta, "limit=101", "limit");
	assert_bad_page(d, ta, "limit=abc", "limit");
	assert_bad_page(d, ta, "limit=-1", "limit");
	assert_bad_page(d, ta, "limit=3x", "limit");

	/* Forged cursors: one character changed, made up, too long, from
	 * B's projects, from A's clients. */
	first_cursor(d, "/api/v1/projects?limit=3", ta, cur, sizeof(cur));
	first_cursor(d, "/api/v1/projects?limit=1", tb, foreign,
	    sizeof(foreign));
	first_cursor(d, "/api/v1/clients?limit=3", ta, other_list,
	    sizeof(other_list));
	for (i = 0; cur[i] != '\0'; i++) {
		snprintf(q, sizeof(q), "cursor=%s", cur);
		q[7 + i] = cur[i] == 'A' ? 'B' : 'A';
		assert_bad_page(d, ta, q, "cursor");
	}
	assert_bad_page(d, ta, "cursor=not-a-cursor", "cursor");
	assert_bad_page(d, ta, "cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    "cursor");
	memset(scratch, 'A', 63);
	scratch[63] = '\0';
	snprintf(q, sizeof(q), "limit=2&cursor=%s%s%s", scratch, scratch,
	    scratch);
	assert_bad_page(d, ta, q, "cursor");
	snprintf(q, sizeof(q), "cursor=%s", foreign);
	assert_bad_page(d, ta, q, "cursor");
	snprintf(q, sizeof(q), "cursor=%s", other_list);
	assert_bad_page(d, ta, q, "cursor");

	/* Still alive, and the genuine cursors still work. */
	fzh_get(d, "/healthz", NULL, &res);
	assert_int_equal(res.status, 200);
	fzh_res_free(&res);
	snprintf(path, sizeof(path), "/api/v1/projects?cursor=%s", cur);
	assert_int_equal(list_len(d, path, ta), NPAGE - 3);
	snprintf(path, sizeof(path), "/api/v1/projects?cursor=%s", foreign);
	assert_int_equal(list_len(d, path, tb), 1);
	fzh_stop_ok(d);
}

static void
test_idempotency(void **state)
{
	struct fzd *d = *state;
	char wa[64], ta[64], wb[64], tb[64], first[64], body[512], body2[512];
	char longkey[300];
	struct fzh_res res;

	fzh_ws_key(d, "Agency A", "agency", "read,write", wa, ta);
	fzh_ws_key(d, "Agency B", "agency", "read,write", wb, tb);
	fzh_start(d, NULL, NULL);
	project_body(body, sizeof(body), "Once", "once@example.com");
	project_body(body2, sizeof(body2), "Twice", "once@example.com");

	api_ct(d, "POST", "/api/v1/projects", ta, "application/json",
	    "Idempotency-Key: order-1234", body, &res);
	fzh_assert_envelope(&res, 201, NULL);
	assert_null(fzh_header(&res, "Idempotent-Replayed"));
	fzh_copy_str(&res, "data.id", first, sizeof(first));
	fzh_res_free(&res);

	/* The same request again: the first answer, replayed. */
	api_ct(d, "POST", "/api/v1/projects", ta, "application/json",
	    "Idempotency-Key: order-1234", body, &res);
	fzh_assert_envelope(&res, 201, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.id"), first);
	fzh_assert_str(fzh_header(&res, "Idempotent-Replayed"), "true");
	fzh_res_free(&res);
	assert_int_equal(list_len(d, "/api/v1/projects", ta), 1);

	/* The key with another body, or on another endpoint. */
	api_ct(d, "POST", "/api/v1/projects", ta, "application/json",
	    "Idempotency-Key: order-1234", body2, &res);
	fzh_assert_envelope(&res, 409, "CONFLICT");
	fzh_res_free(&res);
	api_ct(d, "POST", "/api/v1/clients", ta, "application/json",
	    "Idempotency-Key: order-1234", body, &res);
	fzh_assert_envelope(&res, 409, "CONFLICT");
	fzh_res_free(&res);
	assert_int_equal(list_len(d, "/api/v1/projects", ta), 1);

	/* A new key is a new project. */
	api_ct(d, "POST", "/api/v1/projects", ta, "application/json",
	    "Idempotency-Key: order-1235", body, &res);
	fzh_assert_envelope(&res, 201, NULL);
	assert_string_not_equal(fzh_json_str(&res, "data.id"), first);
	assert_null(fzh_header(&res, "Idempotent-Replayed"));
	fzh_res_free(&res);
	assert_int_equal(list_len(d, "/api/v1/projects", ta), 2);

	/* Keys belong to a workspace: B's use of it is B's own. */
	api_ct(d, "POST", "/api/v1/projects", tb, "application/json",
	    "Idempotency-Key: order-1234", body, &res);
	fzh_assert_envelope(&res, 201, NULL);
	assert_string_not_equal(fzh_json_str(&res, "data.id"), first);
	assert_null(fzh_header(&res, "Idempotent-Replayed"));
	fzh_res_free(&res);
	assert_int_equal(list_len(d, "/api/v1/projects", tb), 1);
	assert_int_equal(list_len(d, "/api/v1/projects", ta), 2);

	/* A malformed key is refused, not ignored. */
	memset(longkey, 'k', sizeof(longkey));
	memcpy(longkey, "Idempotency-Key: ", 17);
	longkey[17 + 256] = '\0';
	api_ct(d, "POST", "/api/v1/projects", ta, "application/json", longkey,
	    body, &res);
	fzh_assert_envelope(&res, 400, "VALIDATION_ERROR");
	fzh_res_free(&res);
	assert_int_equal(list_len(d, "/api/v1/projects", ta), 2);
	fzh_stop_ok(d);
}

/* POSTs body to path with the key header key and returns the 409's
 * message (borrowed from res, which the caller frees). */
static const char *
post_conflict(const struct fzd *d, const char *path, const char *tok,
    const char *key, const char *body, struct fzh_res *res)
{
	const char *msg;

	api_ct(d, "POST", path, tok, "application/json", key, body, res);
	fzh_assert_envelope(res, 409, "CONFLICT");
	assert_non_null(msg = fzh_json_str(res, "error.message"));
	return msg;
}

/*
 * A write applied just before a crash, its answer never recorded: the
 * key's claim rode the write's transaction. Left here as such a crash
 * leaves it, it makes a retry say so instead of writing again.
 */
static void
test_idempotency_interrupted(void **state)
{
	struct fzd *d = *state;
	static const char client[] = "{\"name\":\"Jane\",\"email\":"
	    "\"jane@example.com\"}";
	char ws[64], tok[64], body[512], fp_in[600];
	unsigned char fp[SECURE_SHA256_SIZE];
	struct state *st;
	struct fzh_res res;
	int n, committed = 0;

	fzh_ws_key(d, "Agency A", "agency", "read,write", ws, tok);
	project_body(body, sizeof(body), "Interrupted", "cut@example.com");
	n = snprintf(fp_in, sizeof(fp_in), "POST\n/api/v1/projects\n%s", body);
	assert_int_equal(secure_sha256(fp_in, (size_t)n, fp), 0);
	assert_int_equal(state_open(d->dir, &st), 0);
	assert_int_equal(idem_claim(st, ws, "order-77", fp,
	    (int64_t)time(NULL) * 1000, &committed), 0);
	assert_int_equal(state_meta_put(st, "e2e_write", "applied"), 0);
	idem_claim_end(st);
	assert_int_equal(committed, 1);
	state_close(st);

	fzh_start(d, NULL, NULL);
	assert_non_null(strstr(post_conflict(d, "/api/v1/projects", tok,
	    "Idempotency-Key: order-77", body, &res), "was applied"));
	fzh_res_free(&res);
	assert_int_equal(list_len(d, "/api/v1/projects", tok), 0);
	/* Another request under the key is still another request. */
	project_body(body, sizeof(body), "Other", "cut@example.com");
	assert_non_null(strstr(post_conflict(d, "/api/v1/projects", tok,
	    "Idempotency-Key: order-77", body, &res), "different request"));
	fzh_res_free(&res);
	/* A write refused inside the store keeps no claim: a retry gets
	 * the same refusal, not "applied". */
	api_ct(d, "POST", "/api/v1/clients", tok, "application/json", NULL,
	    client, &res);
	fzh_assert_envelope(&res, 201, NULL);
	fzh_res_free(&res);
	for (n = 0; n < 2; n++) {
		assert_null(strstr(post_conflict(d, "/api/v1/clients", tok,
		    "Idempotency-Key: client-1", client, &res),
		    "was applied"));
		fzh_res_free(&res);
	}
	fzh_stop_ok(d);
}

struct conc {
	CURL			*h;
	struct curl_slist	*hdrs;
	char			 body[512];
	char			*out;
	size_t			 len;
};

static size_t
conc_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct conc *c = arg;
	size_t n = size * nmemb;
	char *p;

	if ((p = realloc(c->out, c->len + n + 1)) == NULL)
		return 0;
	memcpy(p + c->len, data, n);
	c->out = p;
	c->len += n;
	c->out[c->len] = '\0';
	return n;
}

static void
test_concurrent_same_email(void **state)
{
	static const char *const emails[] = {
		"Conc@Example.com", "conc@example.com", "CONC@EXAMPLE.COM",
		"cOnC@eXaMpLe.CoM", "  conc@example.COM  ",
	};
	struct fzd *d = *state;
	struct conc c[NCONC];
	char ws[64], tok[64], auth[128], url[128], name[32], cid[64] = "";
	struct fzh_res res;
	long long deadline;
	const char *got;
	json_t *arr, *j;
	CURLM *m;
	long code;
	int i, running = 1;

	fzh_ws_key(d, "Acme Agency", "agency", "read,write", ws, tok);
	fzh_start(d, NULL, NULL);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/projects",
	    d->port);
	if ((m = curl_multi_init()) == NULL)
		fail_msg("curl_multi_init failed");
	memset(c, 0, sizeof(c));
	for (i = 0; i < NCONC; i++) {
		snprintf(name, sizeof(name), "Concurrent %d", i);
		project_body(c[i].body, sizeof(c[i].body), name,
		    emails[i % (int)(sizeof(emails) / sizeof(emails[0]))]);
		if ((c[i].h = curl_easy_init()) == NULL ||
		    (c[i].hdrs = curl_slist_append(NULL, auth)) == NULL ||
		    curl_slist_append(c[i].hdrs, JSON_CT) == NULL)
			fail_msg("out of memory");
		curl_easy_setopt(c[i].h, CURLOPT_URL, url);
		curl_easy_setopt(c[i].h, CURLOPT_PROXY, "");
		curl_easy_setopt(c[i].h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c[i].h, CURLOPT_TIMEOUT_MS, (long)FZH_WAIT_MS);
		curl_easy_setopt(c[i].h, CURLOPT_HTTPHEADER, c[i].hdrs);
		curl_easy_setopt(c[i].h, CURLOPT_POSTFIELDS, c[i].body);
		curl_easy_setopt(c[i].h, CURLOPT_WRITEFUNCTION, conc_write);
		curl_easy_setopt(c[i].h, CURLOPT_WRITEDATA, &c[i]);
		curl_multi_add_handle(m, c[i].h);
	}
	deadline = fzh_now_ms() + FZH_WAIT_MS;
	while (running > 0 && fzh_now_ms() < deadline) {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			fail_msg("curl_multi_perform failed");
		if (running > 0)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	if (running > 0)
		fail_msg("%d of %d requests unanswered", running, NCONC);

	for (i = 0; i < NCONC; i++) {
		json_error_t jerr;
		json_t *root;

		code = 0;
		curl_easy_getinfo(c[i].h, CURLINFO_RESPONSE_CODE, &code);
		root = c[i].out != NULL ? json_loadb(c[i].out, c[i].len, 0,
		    &jerr) : NULL;
		got = json_string_value(json_object_get(json_object_get(root,
		    "data"), "clientId"));
		if (code != 201 || got == NULL)
			fail_msg("request %d (%s): %ld %s", i, c[i].body, code,
			    c[i].out ? c[i].out : "(no body)");
		if (cid[0] == '\0')
			snprintf(cid, sizeof(cid), "%s", got);
		else if (strcmp(cid, got) != 0)
			fail_msg("request %d made client %s, not %s", i, got,
			    cid);
		json_decref(root);
		curl_multi_remove_handle(m, c[i].h);
		curl_easy_cleanup(c[i].h);
		curl_slist_free_all(c[i].hdrs);
		free(c[i].out);
	}
	curl_multi_cleanup(m);

	arr = get_list(d, "/api/v1/clients", tok, &res);
	assert_int_equal(json_array_size(arr), 1);
	j = json_array_get(arr, 0);
	fzh_assert_str(json_string_value(json_object_get(j, "id")), cid);
	fzh_assert_str(json_string_value(json_object_get(j, "email")),
	    "conc@example.com");
	fzh_res_free(&res);
	assert_int_equal(list_len(d, "/api/v1/projects?limit=100", tok),
	    NCONC);
	fzh_stop_ok(d);
}

/* Returns the template of projectType type in the list, or fails. */
static json_t *
find_template(const json_t *arr, const char *type)
{
	json_t *t;
	const char *s;
	size_t i;

	json_array_foreach(arr, i, t) {
		s = json_string_value(json_object_get(t, "projectType"));
		if (s != NULL && strcmp(s, type) == 0)
			return t;
	}
	fail_msg("no %s template", type);
	return NULL;
}

static void
test_templates(void **state)
{
	static const char *const types[] = { "Web Design", "SEO",
	    "Branding" };
	struct fzd *d = *state;
	char ws[64], tok[64];
	struct fzh_res res;
	json_t *arr, *t, *secs, *s;
	size_t i, j;

	fzh_ws_key(d, "Acme Agency", "agency", "read", ws, tok);
	fzh_start(d, NULL, NULL);
	arr = get_list(d, "/api/v1/templates", tok, &res);
	assert_true(json_array_size(arr) >= 3);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		t = find_template(arr, types[i]);
		assert_true(fzh_match("^tpl_[0-9A-Za-z]+$",
		    json_string_value(json_object_get(t, "id"))));
		assert_non_null(json_string_value(json_object_get(t, "name")));
		secs = json_object_get(t, "sections");
		if (!json_is_array(secs) || json_array_size(secs) == 0)
			fail_msg("%s has no sections: %s", types[i], res.body);
		json_array_foreach(secs, j, s) {
			assert_non_null(json_string_value(json_object_get(s,
			    "title")));
			assert_true(json_array_size(json_object_get(s,
			    "items")) > 0);
		}
	}
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fzh_setup, fzh_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_project_create_client),
		T(test_project_validation),
		T(test_media_type),
		T(test_clients),
		T(test_project_patch),
		T(test_patch_empty_required),
		T(test_scope_read),
		T(test_plans),
		T(test_workspace_isolation),
		T(test_paging),
		T(test_idempotency),
		T(test_idempotency_interrupted),
		T(test_concurrent_same_email),
		T(test_templates),
	};

	return cmocka_run_group_tests_name("e2e_api", tests,
	    fzh_group_setup, fzh_group_teardown);
}
