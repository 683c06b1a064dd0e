/*
 * fuzz_json.c: what the edge does with a request body.
 *
 * The bytes are parsed as relay/edge.c parses a body (json_loadb with
 * JSON_REJECT_DUPLICATES; only an object goes on), then meet every body
 * check of the handlers: a project body through the handlers' own
 * writes_project_check, the other writes, Zapier actions, hooks and
 * ingest through relay/validate.h as their handlers call it (a hook's
 * URL through relay/target.h too), and the pack through
 * packcheck_sections. validate_end() needs a live request,
 * so the failures are checked for shape and dropped here instead.
 *
 * Beyond "no crash, no leak" it checks what callers rely on: a value a
 * check hands back obeys that check; a project body that validates is
 * packed into the store's input, and that input obeys the checks; a cleaned
 * pack, PUT back as it is, validates to itself (GET then PUT round-trips).
 *
 * The same bytes also meet common/jscan.h, the fast reader some routes
 * try first: whatever it accepts, jansson must accept too and serialise
 * to jscan's very bytes, with the same members; compacting in place must
 * give the same.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "actions/writes.h"
#include "common/fz.h"
#include "common/jscan.h"
#include "common/text.h"
#include "relay/packcheck.h"
#include "relay/target.h"
#include "relay/validate.h"
#include "tests/fuzz/fuzz.h"

/* The limits actions/ passes (writes.c, hooks.c, ingest.c, zapier.c). */
#define NAME_MAX_	200
#define TYPE_MAX_	100
#define MESSAGE_MAX_	5000
#define URL_MAX_	2048
#define DESC_MAX_	500

/* validate_end() without a request: every detail must be a
 * {"field","message"} pair of strings (validate_end prints them). Drops
 * them and returns 1 if any check failed. */
static int
fuzz_end(struct vctx *v)
{
	json_t *d;
	size_t i;
	int bad = v->details != NULL;

	if (bad) {
		FUZZ_CHECK(json_is_array(v->details));
		json_array_foreach(v->details, i, d) {
			FUZZ_CHECK(json_is_string(json_object_get(d, "field")));
			FUZZ_CHECK(json_is_string(json_object_get(d,
			    "message")));
		}
	}
	json_decref(v->details);
	v->details = NULL;
	return bad;
}

static void
fuzz_str_ok(const char *s, size_t max, int multiline)
{
	if (s == NULL)
		return;
	FUZZ_CHECK(strlen(s) <= max);
	FUZZ_CHECK(!text_has_control(s, strlen(s), multiline));
}

/* POST /clients and the portal sign-off. */
static void
fuzz_client(const json_t *body)
{
	char email[TEXT_EMAIL_SIZE];
	const char *name, *em, *company, *comment;
	struct vctx v;

	validate_begin(&v, body);
	name = validate_name(&v, "name", 1, NAME_MAX_);
	em = validate_email(&v, "email", 1, email);
	company = validate_name(&v, "company", 0, NAME_MAX_);
	comment = validate_string(&v, "comment", 0, MESSAGE_MAX_, 1);
	fuzz_str_ok(name, NAME_MAX_, 0);
	fuzz_str_ok(company, NAME_MAX_, 0);
	fuzz_str_ok(comment, MESSAGE_MAX_, 1);
	if (em != NULL)
		FUZZ_CHECK(em == email && strchr(em, '@') != NULL);
	if (!fuzz_end(&v))
		FUZZ_CHECK(name != NULL && *name != '\0' && em != NULL);
}

/* Returns body's string field, or NULL. */
static const char *
fuzz_get(const json_t *body, const char *field)
{
	return json_string_value(json_object_get(body, field));
}

/* A required display name as validate_name passes it: there, within
 * max, no control characters, not only blanks. */
static void
fuzz_name_ok(const char *s, size_t max)
{
	FUZZ_CHECK(s != NULL && *s != '\0' && strspn(s, " ") < strlen(s));
	fuzz_str_ok(s, max, 0);
}

/* POST /projects (camelCase) and the Zapier action (snake_case). Each
 * id and date check alone first, whatever the other fields hold; then
 * the handlers' own check: what passes is packed into the store's input,
 * and that input holds what the checks promise. */
static void
fuzz_project(const json_t *body, const struct writes_project_names *n)
{
	const char *date, *tpl, *cid;
	struct vctx v;
	json_t *in;
	int bad;

	validate_begin(&v, body);
	date = validate_date(&v, n->launch_date, 0);
	tpl = validate_id(&v, n->template_id, "tpl", 0);
	cid = validate_id(&v, n->client_id, "client", 0);
	if (date != NULL)
		FUZZ_CHECK(text_date_valid(date));
	if (tpl != NULL && *tpl != '\0')
		FUZZ_CHECK(validate_id_ok(tpl, "tpl"));
	if (cid != NULL && *cid != '\0')
		FUZZ_CHECK(validate_id_ok(cid, "client"));
	fuzz_end(&v);

	validate_begin(&v, body);
	in = writes_project_check(&v, n);
	bad = fuzz_end(&v);
	/* NULL with no failure is a body that passed validation and still
	 * cannot be handed to the store: the edge would answer it 500. */
	FUZZ_CHECK(bad == (in == NULL));
	if (in == NULL)
		return;
	fuzz_name_ok(fuzz_get(in, "name"), NAME_MAX_);
	fuzz_name_ok(fuzz_get(in, "projectType"), TYPE_MAX_);
	FUZZ_CHECK((date = fuzz_get(in, "launchDate")) != NULL &&
	    text_date_valid(date));
	if ((tpl = fuzz_get(in, "templateId")) != NULL && *tpl != '\0')
		FUZZ_CHECK(validate_id_ok(tpl, "tpl"));
	if ((cid = fuzz_get(in, "clientId")) != NULL)
		FUZZ_CHECK(validate_id_ok(cid, "client") &&
		    json_object_get(in, "clientName") == NULL);
	else {
		fuzz_name_ok(fuzz_get(in, "clientName"), NAME_MAX_);
		FUZZ_CHECK(fuzz_get(in, "clientEmail") != NULL &&
		    strchr(fuzz_get(in, "clientEmail"), '@') != NULL);
	}
	json_decref(in);
}

/* Returns 1 if body carries field with a non-null value. */
static int
fuzz_sent(const json_t *body, const char *field)
{
	const json_t *j = json_object_get(body, field);

	return j != NULL && !json_is_null(j);
}

/* PATCH /projects/:id: a field sent must hold a value. */
static void
fuzz_project_patch(const json_t *body)
{
	const char *name, *type, *date;
	struct vctx v;

	validate_begin(&v, body);
	name = validate_name(&v, "name", fuzz_sent(body, "name"), NAME_MAX_);
	type = validate_name(&v, "projectType", fuzz_sent(body,
	    "projectType"), TYPE_MAX_);
	date = validate_date(&v, "launchDate", fuzz_sent(body, "launchDate"));
	fuzz_str_ok(name, NAME_MAX_, 0);
	fuzz_str_ok(type, TYPE_MAX_, 0);
	if (date != NULL)
		FUZZ_CHECK(text_date_valid(date));
	if (!fuzz_end(&v)) {
		/* What was sent validated: each value is there, not "". */
		FUZZ_CHECK(!fuzz_sent(body, "name") || (name && *name));
		FUZZ_CHECK(!fuzz_sent(body, "projectType") || (type && *type));
		FUZZ_CHECK(!fuzz_sent(body, "launchDate") || date != NULL);
	}
}

/* Pack send, Zapier send, ingest, hooks and replay bodies. */
static void
fuzz_misc(const json_t *body)
{
	const char *s, *id;
	struct vctx v;

	validate_begin(&v, body);
	s = validate_string(&v, "personalMessage", 0, MESSAGE_MAX_, 1);
	fuzz_str_ok(s, MESSAGE_MAX_, 1);
	s = validate_string(&v, "personal_message", 0, MESSAGE_MAX_, 1);
	fuzz_str_ok(s, MESSAGE_MAX_, 1);
	id = validate_id(&v, "project_id", "project", 1);
	if (id != NULL)
		FUZZ_CHECK(validate_id_ok(id, "project"));
	fuzz_end(&v);

	validate_begin(&v, body);
	s = validate_string(&v, "id", 1, 200, 0);
	fuzz_str_ok(s, 200, 0);
	s = validate_string(&v, "type", 1, 40, 0);
	fuzz_str_ok(s, 40, 0);
	id = validate_id(&v, "workspace_id", "ws", 1);
	if (id != NULL)
		FUZZ_CHECK(validate_id_ok(id, "ws"));
	fuzz_end(&v);

	validate_begin(&v, body);
	s = validate_string(&v, json_object_get(body, "hookUrl") != NULL ?
	    "hookUrl" : "target_url", 1, URL_MAX_, 0);
	fuzz_str_ok(s, URL_MAX_, 0);
	s = validate_string(&v, "url", 1, URL_MAX_, 0);
	fuzz_str_ok(s, URL_MAX_, 0);
	/* The SSRF guard's subscription half: allow_private_targets only
	 * ever lets more through. */
	if (s != NULL && target_url_problem(s, 0) == NULL)
		FUZZ_CHECK(target_url_problem(s, 1) == NULL);
	s = validate_string(&v, "description", 0, DESC_MAX_, 0);
	fuzz_str_ok(s, DESC_MAX_, 0);
	s = validate_string(&v, "event", 1, 64, 0);
	fuzz_str_ok(s, 64, 0);
	s = validate_string(&v, "since", 0, 40, 0);
	fuzz_str_ok(s, 40, 0);
	s = validate_string(&v, "after", 0, 128, 0);
	fuzz_str_ok(s, 128, 0);
	fuzz_end(&v);
}

/* PUT /projects/:id/pack, then the cleaned pack PUT back. */
static void
fuzz_pack(const json_t *body)
{
	struct vctx v;
	json_t *out, *again;
	int bad;

	validate_begin(&v, body);
	out = packcheck_sections(&v);
	bad = fuzz_end(&v);
	if (bad) {
		json_decref(out);
		return;
	}
	FUZZ_CHECK(out != NULL);
	validate_begin(&v, out);
	again = packcheck_sections(&v);
	FUZZ_CHECK(!fuzz_end(&v));
	FUZZ_CHECK(again != NULL && json_equal(out, again));
	json_decref(again);
	json_decref(out);
}

/* jscan against jansson (see the top). */
static void
fuzz_jscan(const uint8_t *data, size_t size)
{
	struct jscan_member m[8];
	json_error_t jerr;
	json_t *j, *v;
	char *out, *again, *dump, *vs;
	size_t olen, alen, n, n2, i;

	if ((out = malloc(size + 1)) == NULL ||
	    (again = malloc(size + 1)) == NULL) {
		free(out);
		return;
	}
	if (jscan_object((const char *)data, size, out, &olen, m, 8, &n) !=
	    0) {
		free(out);
		free(again);
		return;
	}
	FUZZ_CHECK(olen <= size && out[olen] == '\0' && n <= 8);
	j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	FUZZ_CHECK(json_is_object(j));
	FUZZ_CHECK(json_object_size(j) == n);
	dump = json_dumps(j, JSON_COMPACT);
	FUZZ_CHECK(dump != NULL && strcmp(dump, out) == 0);
	for (i = 0; i < n; i++) {
		v = json_object_getn(j, m[i].key, m[i].klen);
		FUZZ_CHECK(v != NULL);
		if (m[i].type == JSCAN_STRING)
			FUZZ_CHECK(json_is_string(v) &&
			    json_string_length(v) == m[i].vlen &&
			    memcmp(json_string_value(v), m[i].val,
			    m[i].vlen) == 0);
		else {
			vs = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			FUZZ_CHECK(vs != NULL && strlen(vs) == m[i].vlen &&
			    memcmp(vs, m[i].val, m[i].vlen) == 0);
			free(vs);
		}
	}
	/* In place, on the compact text: the same text and members. */
	memcpy(again, out, olen + 1);
	FUZZ_CHECK(jscan_object(again, olen, again, &alen, m, 8, &n2) == 0);
	FUZZ_CHECK(alen == olen && n2 == n && strcmp(again, out) == 0);
	free(dump);
	json_decref(j);
	free(out);
	free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *body;

	fuzz_jscan(data, size);
	/* An empty body becomes {} in the edge. */
	if (size == 0)
		body = json_object();
	else
		body = json_loadb((const char *)data, size,
		    JSON_REJECT_DUPLICATES, &jerr);
	if (body == NULL)
		return 0;
	if (json_is_object(body)) {
		fuzz_client(body);
		fuzz_project(body, &writes_project_api);
		fuzz_project(body, &writes_project_zapier);
		fuzz_project_patch(body);
		fuzz_misc(body);
		fuzz_pack(body);
	}
	json_decref(body);
	return 0;
}
