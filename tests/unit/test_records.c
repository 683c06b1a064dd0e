/*
 * test_records.c: the embedded store's records in state/: clients,
 * projects, packs (sealed passwords), send, portal, sign-offs, and the
 * journal rows they write, on a temporary LMDB environment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fz.h"
#include "state/clients.h"
#include "state/journal.h"
#include "state/packs.h"
#include "state/portal.h"
#include "state/projects.h"
#include "state/reveals.h"
#include "state/seal.h"
#include "state/state.h"
#include "state/workspace.h"
#include "tests/unit/tmpdir.h"

#define NOW	1780000000000LL

struct fixture {
	struct tmpdir_fixture	 t;	/* first: tmpdir_fixture_free */
	struct workspace	 ws, other;
	unsigned char		 key[32];
	struct packs_ctx	 ctx;
};

static int
setup(void **state)
{
	struct fixture *f;

	if ((f = tmpdir_fixture_new(sizeof(*f), "records", NULL)) == NULL)
		return -1;
	*state = f;
	if (workspace_create(f->t.st, "Agency", PLAN_AGENCY, &f->ws) != 0 ||
	    workspace_create(f->t.st, "Other", PLAN_AGENCY, &f->other) != 0) {
		tmpdir_fixture_free(state);
		return -1;
	}
	memset(f->key, 7, sizeof(f->key));
	f->ctx.seal_key = f->key;
	f->ctx.public_url = "http://fz.test";
	return 0;
}

/*
 * The writes, as calls that return their outcome: no writer thread runs,
 * so each write's callback (state_keep_cb) has run when it returns.
 * *out gets the record written or in the way (caller decrefs), *field
 * the input at fault.
 */
static int
t_clients_create(struct state *st, const char *ws, const json_t *body,
    int64_t now_ms, json_t **out)
{
	struct state_result r;

	tmpdir_keep(&r);
	clients_create(st, ws, body, now_ms, state_keep_cb, &r);
	return tmpdir_kept(&r, out);
}

static int
t_projects_create(struct state *st, const char *ws, const json_t *body,
    int64_t now_ms, json_t **out, const char **field)
{
	struct state_result r;

	tmpdir_keep(&r);
	projects_create(st, ws, body, now_ms, state_keep_cb, &r);
	*field = r.field;
	return tmpdir_kept(&r, out);
}

static int
t_packs_put(struct state *st, const struct packs_ctx *ctx, const char *ws,
    const char *id, const json_t *body, int64_t now_ms, json_t **out)
{
	struct state_result r;

	tmpdir_keep(&r);
	packs_put(st, ctx, ws, id, body, now_ms, state_keep_cb, &r);
	return tmpdir_kept(&r, out);
}

static int
t_packs_send(struct state *st, const struct packs_ctx *ctx, const char *ws,
    const char *id, const json_t *body, int64_t now_ms, json_t **out)
{
	struct state_result r;

	tmpdir_keep(&r);
	packs_send(st, ctx, ws, id, body, now_ms, state_keep_cb, &r);
	return tmpdir_kept(&r, out);
}

static int
t_portal_view_record(struct state *st, const struct packs_ctx *ctx,
    const char *token, int64_t now_ms, json_t **out)
{
	struct state_result r;

	tmpdir_keep(&r);
	portal_view_record(st, ctx, token, now_ms, state_keep_cb, &r);
	return tmpdir_kept(&r, out);
}

static int
t_portal_signoff(struct state *st, const char *token, const json_t *body,
    int64_t now_ms, json_t **out)
{
	struct state_result r;

	tmpdir_keep(&r);
	portal_signoff(st, token, body, now_ms, state_keep_cb, &r);
	return tmpdir_kept(&r, out);
}

/* A reveal, with the retry delay of a refusal in *retry_s. */
static int
t_reveal(struct fixture *f, const char *token, const json_t *body,
    int64_t now_ms, json_t **out, unsigned *retry_s)
{
	struct state_result r;

	tmpdir_keep(&r);
	reveals_record(f->t.st, &f->ctx, token, body, now_ms, state_keep_cb,
	    &r);
	*retry_s = (unsigned)r.n;
	return tmpdir_kept(&r, out);
}

static json_t *
new_project(struct fixture *f, const char *ws, const char *email)
{
	json_t *body, *out = NULL;
	const char *field = NULL;

	body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", "Site",
	    "projectType", "Web Design", "launchDate", "2026-06-01",
	    "clientName", "Jane", "clientEmail", email);
	assert_non_null(body);
	assert_int_equal(t_projects_create(f->t.st, ws, body, NOW, &out,
	    &field), 0);
	json_decref(body);
	return out;
}

static void
test_client_email_is_unique(void **state)
{
	struct fixture *f = *state;
	json_t *body, *a = NULL, *b = NULL;

	body = json_pack("{s:s, s:s}", "name", "Jane", "email",
	    "jane@example.com");
	assert_int_equal(t_clients_create(f->t.st, f->ws.id, body, NOW, &a), 0);
	assert_int_equal(t_clients_create(f->t.st, f->ws.id, body, NOW, &b),
	    FZ_EEXIST);
	assert_string_equal(json_string_value(json_object_get(a, "id")),
	    json_string_value(json_object_get(b, "id")));
	json_decref(b);
	/* Another workspace may hold the same address. */
	assert_int_equal(t_clients_create(f->t.st, f->other.id, body, NOW, &b),
	    0);
	json_decref(a);
	json_decref(b);
	json_decref(body);
}

static void
test_project_reuses_client(void **state)
{
	struct fixture *f = *state;
	json_t *p1 = new_project(f, f->ws.id, "jane@example.com");
	json_t *p2 = new_project(f, f->ws.id, "jane@example.com");
	json_t *p3 = new_project(f, f->ws.id, "jane+x@example.com");

	assert_string_equal(json_string_value(json_object_get(p1,
	    "clientId")), json_string_value(json_object_get(p2, "clientId")));
	assert_string_not_equal(json_string_value(json_object_get(p1,
	    "clientId")), json_string_value(json_object_get(p3, "clientId")));
	assert_string_equal(json_string_value(json_object_get(p1, "status")),
	    "draft");
	assert_string_equal(json_string_value(json_object_get(p1,
	    "templateId")), "tpl_WebDesign");
	json_decref(p1);
	json_decref(p2);
	json_decref(p3);
}

static void
test_project_unknown_client_or_template(void **state)
{
	struct fixture *f = *state;
	json_t *body, *out = NULL;
	const char *field = NULL;

	body = json_pack("{s:s, s:s, s:s, s:s}", "name", "Site",
	    "projectType", "SEO", "launchDate", "2026-06-01", "clientId",
	    "client_NoSuchClient0000000");
	assert_int_equal(t_projects_create(f->t.st, f->ws.id, body, NOW, &out,
	    &field), FZ_ENOTFOUND);
	assert_string_equal(field, "clientId");
	assert_null(out);
	json_decref(body);
	body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", "Site",
	    "projectType", "SEO", "launchDate", "2026-06-01", "clientName",
	    "J", "clientEmail", "j@example.com", "templateId", "tpl_Nope");
	assert_int_equal(t_projects_create(f->t.st, f->ws.id, body, NOW, &out,
	    &field), FZ_ENOTFOUND);
	assert_string_equal(field, "templateId");
	json_decref(body);
}

static void
test_workspace_isolation(void **state)
{
	struct fixture *f = *state;
	json_t *p = new_project(f, f->ws.id, "iso@example.com"), *out = NULL;
	const char *id = json_string_value(json_object_get(p, "id"));

	assert_int_equal(projects_get(f->t.st, f->other.id, id, &out),
	    FZ_ENOTFOUND);
	assert_int_equal(packs_get(f->t.st, &f->ctx, f->other.id, id, &out),
	    FZ_ENOTFOUND);
	assert_int_equal(projects_get(f->t.st, f->ws.id, id, &out), 0);
	json_decref(out);
	json_decref(p);
}

static void
test_list_pages_newest_first(void **state)
{
	struct fixture *f = *state;
	json_t *page = NULL, *p;
	char email[64];
	uint64_t next = 0, before = 0;
	int i, seen = 0;

	for (i = 0; i < 7; i++) {
		snprintf(email, sizeof(email), "c%d@example.com", i);
		json_decref(new_project(f, f->ws.id, email));
	}
	json_decref(new_project(f, f->other.id, "x@example.com"));
	do {
		assert_int_equal(projects_list(f->t.st, f->ws.id, NULL, before, 3,
		    &page, &next), 0);
		assert_true(json_array_size(page) <= 3);
		seen += (int)json_array_size(page);
		p = json_array_get(page, 0);
		if (seen == 3)	/* newest first */
			assert_string_equal(json_string_value(json_object_get(
			    json_object_get(p, "client"), "email")),
			    "c6@example.com");
		json_decref(page);
		before = next;
	} while (next != 0);
	assert_int_equal(seen, 7);
}

static int
file_contains(const char *path, const char *needle)
{
	char buf[1 << 16];
	size_t n, nl = strlen(needle), carry = 0;
	FILE *fp;
	int found = 0;

	if ((fp = fopen(path, "rb")) == NULL)
		return 0;
	while ((n = fread(buf + carry, 1, sizeof(buf) - carry, fp)) > 0) {
		n += carry;
		if (memmem(buf, n, needle, nl) != NULL) {
			found = 1;
			break;
		}
		carry = nl - 1;
		memmove(buf, buf + n - carry, carry);
	}
	fclose(fp);
	return found;
}

static json_t *
put_credential(struct fixture *f, const char *id, const char *label,
    const char *password)
{
	json_t *body, *out = NULL;

	body = json_pack("{s:[{s:s, s:[{s:s, s:s, s:s, s:s*}]}]}", "sections",
	    "title", "Access", "items", "type", "credential", "label", label,
	    "username", "jane", "password", password);
	assert_non_null(body);
	assert_int_equal(t_packs_put(f->t.st, &f->ctx, f->ws.id, id, body, NOW,
	    &out), 0);
	json_decref(body);
	return out;
}

static json_t *
first_item(json_t *pack)
{
	return json_array_get(json_object_get(json_array_get(json_object_get(
	    pack, "sections"), 0), "items"), 0);
}

static void
test_password_sealed_and_masked(void **state)
{
	struct fixture *f = *state;
	json_t *p = new_project(f, f->ws.id, "pw@example.com"), *pack, *it;
	const char *id = json_string_value(json_object_get(p, "id"));
	char path[128];

	pack = put_credential(f, id, "CMS", "Zebra-Horse-Staple-42");
	it = first_item(pack);
	assert_string_equal(json_string_value(json_object_get(it, "password")),
	    "********");
	assert_true(json_is_true(json_object_get(it, "password_set")));
	assert_null(json_object_get(it, "passwordSealed"));
	json_decref(pack);
	/* Omitted, or the mask sent back: the stored password is kept. */
	pack = put_credential(f, id, "CMS", NULL);
	assert_true(json_is_true(json_object_get(first_item(pack),
	    "password_set")));
	json_decref(pack);
	pack = put_credential(f, id, "CMS", "********");
	assert_true(json_is_true(json_object_get(first_item(pack),
	    "password_set")));
	json_decref(pack);
	/* A different label is a different credential: nothing to keep. */
	pack = put_credential(f, id, "Hosting", NULL);
	assert_true(json_is_false(json_object_get(first_item(pack),
	    "password_set")));
	assert_true(json_is_null(json_object_get(first_item(pack),
	    "password")));
	json_decref(pack);
	snprintf(path, sizeof(path), "%s/data.mdb", f->t.dir);
	assert_false(file_contains(path, "Zebra-Horse-Staple-42"));
	assert_true(file_contains(path, "v1:"));
	json_decref(p);
}

static void
test_send_view_signoff(void **state)
{
	struct fixture *f = *state;
	json_t *p = new_project(f, f->ws.id, "flow@example.com"), *out = NULL;
	json_t *msg, *view = NULL, *so = NULL, *signer;
	const char *id = json_string_value(json_object_get(p, "id"));
	const char *url;
	char token[64];

	msg = json_pack("{s:s}", "personalMessage", "Ready");
	assert_int_equal(t_packs_send(f->t.st, &f->ctx, f->ws.id, id, msg, NOW,
	    &out), 0);
	assert_string_equal(json_string_value(json_object_get(out, "status")),
	    "sent");
	url = json_string_value(json_object_get(out, "share_url"));
	assert_non_null(url);
	assert_int_equal(strncmp(url, "http://fz.test/p/", 17), 0);
	snprintf(token, sizeof(token), "%s", url + 17);
	assert_int_equal(strlen(token), 32);
	json_decref(out);

	assert_int_equal(portal_view(f->t.st, &f->ctx, "nosuchtoken", &view),
	    FZ_ENOTFOUND);
	assert_int_equal(t_portal_view_record(f->t.st, &f->ctx, "nosuchtoken",
	    NOW, &view), FZ_ENOTFOUND);
	/* Reading the page records nothing. */
	assert_int_equal(portal_view(f->t.st, &f->ctx, token, &view), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    view, "project"), "status")), "sent");
	assert_true(json_is_null(json_object_get(json_object_get(view,
	    "project"), "viewedAt")));
	json_decref(view);
	assert_int_equal(t_portal_view_record(f->t.st, &f->ctx, token, NOW,
	    &view), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    view, "project"), "status")), "viewed");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    view, "agency"), "name")), "Agency");
	json_decref(view);

	/* Only the project's client signs. */
	signer = json_pack("{s:s, s:s}", "name", "Jane", "email",
	    "jane@example.com");
	assert_int_equal(t_portal_signoff(f->t.st, token, signer, NOW, &so),
	    FZ_EDENIED);
	assert_int_equal(portal_signoff_get(f->t.st, f->ws.id, id, &so),
	    FZ_ENOTFOUND);
	json_decref(signer);
	signer = json_pack("{s:s, s:s, s:s}", "name", "Jane", "email",
	    "flow@example.com", "ipAddress", "192.0.2.7");
	assert_int_equal(t_portal_signoff(f->t.st, token, signer, NOW, &so), 0);
	assert_string_equal(json_string_value(json_object_get(so,
	    "ipAddress")), "192.0.2.7");
	assert_true(json_is_null(json_object_get(so, "userAgent")));
	assert_string_equal(json_string_value(json_object_get(so,
	    "signerName")), "Jane");
	json_decref(so);
	assert_int_equal(t_portal_signoff(f->t.st, token, signer, NOW, &so),
	    FZ_ECONFLICT);
	assert_int_equal(portal_signoff_get(f->t.st, f->ws.id, id, &so), 0);
	json_decref(so);
	assert_int_equal(portal_signoff_get(f->t.st, f->other.id, id, &so),
	    FZ_ENOTFOUND);
	/* A signed-off pack is final. */
	assert_int_equal(t_packs_send(f->t.st, &f->ctx, f->ws.id, id, msg, NOW,
	    &out), FZ_ECONFLICT);
	json_decref(signer);
	json_decref(msg);
	json_decref(p);
}

static void
test_resend_unchanged_is_noop(void **state)
{
	struct fixture *f = *state;
	json_t *p = new_project(f, f->ws.id, "re@example.com"), *a = NULL;
	json_t *b = NULL, *msg = json_object();
	const char *id = json_string_value(json_object_get(p, "id"));

	assert_int_equal(t_packs_send(f->t.st, &f->ctx, f->ws.id, id, msg, NOW,
	    &a), 0);
	assert_int_equal(t_packs_send(f->t.st, &f->ctx, f->ws.id, id, msg,
	    NOW + 5000, &b), 0);
	/* Same share link and the first send's time: nothing was re-sent. */
	assert_string_equal(json_string_value(json_object_get(a, "share_url")),
	    json_string_value(json_object_get(b, "share_url")));
	assert_string_equal(json_string_value(json_object_get(a, "sentAt")),
	    json_string_value(json_object_get(b, "sentAt")));
	json_decref(b);
	json_decref(put_credential(f, id, "CMS", "changed"));
	assert_int_equal(t_packs_send(f->t.st, &f->ctx, f->ws.id, id, msg,
	    NOW + 9000, &b), 0);
	assert_string_not_equal(json_string_value(json_object_get(a,
	    "sentAt")), json_string_value(json_object_get(b, "sentAt")));
	json_decref(a);
	json_decref(b);
	json_decref(msg);
	json_decref(p);
}

/* Sends p's pack and returns its share token in token (64 bytes). */
static void
send_for_token(struct fixture *f, const char *id, char *token)
{
	json_t *msg = json_object(), *out = NULL;
	const char *url;

	assert_int_equal(t_packs_send(f->t.st, &f->ctx, f->ws.id, id, msg, NOW,
	    &out), 0);
	url = json_string_value(json_object_get(out, "share_url"));
	assert_non_null(url);
	snprintf(token, 64, "%s", url + strlen("http://fz.test/p/"));
	json_decref(out);
	json_decref(msg);
}

static uint64_t
last_seq(struct fixture *f)
{
	struct journal_stats js;

	assert_int_equal(journal_stats(f->t.st, &js), 0);
	return js.last_seq;
}

/* The first fetch of a link is kept, once, as the agency's record of
 * delivery: not a view, not an event, not a change to the project. */
static void
test_first_fetch_kept_once(void **state)
{
	struct fixture *f = *state;
	json_t *p = new_project(f, f->ws.id, "ff@example.com"), *view = NULL;
	json_t *got = NULL, *pack = NULL;
	const char *id = json_string_value(json_object_get(p, "id"));
	char token[64], first[64], updated[64];
	uint64_t seq;

	assert_int_equal(projects_get(f->t.st, f->ws.id, id, &got), 0);
	assert_true(json_is_null(json_object_get(got, "firstFetchedAt")));
	json_decref(got);
	send_for_token(f, id, token);
	assert_int_equal(projects_get(f->t.st, f->ws.id, id, &got), 0);
	snprintf(updated, sizeof(updated), "%s", json_string_value(
	    json_object_get(got, "updatedAt")));
	json_decref(got);
	seq = last_seq(f);
	assert_int_equal(portal_fetch(f->t.st, &f->ctx, "nosuchtoken",
	    NOW + 1000, &view), FZ_ENOTFOUND);
	assert_null(view);
	/* No writer runs here: the queued write is done on return. */
	assert_int_equal(portal_fetch(f->t.st, &f->ctx, token, NOW + 1000,
	    &view), 0);
	assert_true(json_is_null(json_object_get(json_object_get(view,
	    "project"), "viewedAt")));
	json_decref(view);
	assert_int_equal(portal_fetch(f->t.st, &f->ctx, token, NOW + 9000,
	    &view), 0);
	json_decref(view);
	assert_int_equal(projects_get(f->t.st, f->ws.id, id, &got), 0);
	snprintf(first, sizeof(first), "%s", json_string_value(
	    json_object_get(got, "firstFetchedAt")));
	assert_string_equal(first, "2026-05-28T20:26:41.000Z");
	assert_true(json_is_null(json_object_get(got, "viewedAt")));
	assert_string_equal(json_string_value(json_object_get(got, "status")),
	    "sent");
	assert_string_equal(json_string_value(json_object_get(got,
	    "updatedAt")), updated);
	json_decref(got);
	assert_int_equal(packs_get(f->t.st, &f->ctx, f->ws.id, id, &pack), 0);
	assert_string_equal(json_string_value(json_object_get(pack,
	    "firstFetchedAt")), first);
	json_decref(pack);
	assert_int_equal(last_seq(f), seq);
	json_decref(p);
}

static json_t *
reveal_body(size_t section, size_t item, const char *label, int view)
{
	json_t *b = json_pack("{s:I, s:I, s:s, s:s, s:n, s:b}", "section",
	    (json_int_t)section, "item", (json_int_t)item, "label", label,
	    "ipAddress", "192.0.2.9", "userAgent", "view", view);

	assert_non_null(b);
	return b;
}

static void
test_reveal_audited_and_limited(void **state)
{
	struct fixture *f = *state;
	json_t *p = new_project(f, f->ws.id, "rv@example.com"), *out = NULL;
	json_t *b, *list = NULL, *got = NULL;
	const char *id = json_string_value(json_object_get(p, "id"));
	char token[64], *text;
	uint64_t next = 0, seq;
	unsigned retry = 0, i;

	json_decref(put_credential(f, id, "CMS", "Zebra-Horse-Staple-42"));
	send_for_token(f, id, token);
	seq = last_seq(f);

	/* Only the credential the page showed, where it showed it. */
	b = reveal_body(0, 0, "Hosting", 1);
	assert_int_equal(t_reveal(f, token, b, NOW, &out, &retry),
	    FZ_ECONFLICT);
	json_decref(b);
	b = reveal_body(0, 1, "CMS", 1);
	assert_int_equal(t_reveal(f, token, b, NOW, &out, &retry),
	    FZ_ECONFLICT);
	json_decref(b);
	b = reveal_body(0, 0, "CMS", 1);
	assert_int_equal(t_reveal(f, "nosuchtoken", b, NOW, &out, &retry),
	    FZ_ENOTFOUND);
	assert_int_equal(reveals_list(f->t.st, f->ws.id, id, 0, 50, &list,
	    &next), 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);

	/* A prefetcher's reveal is no view; the client's is. */
	json_object_set_new(b, "view", json_false());
	assert_int_equal(t_reveal(f, token, b, NOW, &out, &retry), 0);
	assert_string_equal(json_string_value(json_object_get(out,
	    "password")), "Zebra-Horse-Staple-42");
	json_decref(out);
	assert_int_equal(last_seq(f), seq);
	json_object_set_new(b, "view", json_true());
	for (i = 1; i < REVEALS_PER_MINUTE; i++) {
		assert_int_equal(t_reveal(f, token, b, NOW + i, &out, &retry),
		    0);
		json_decref(out);
	}
	assert_int_equal(last_seq(f), seq + 1);
	assert_int_equal(projects_get(f->t.st, f->ws.id, id, &got), 0);
	assert_string_equal(json_string_value(json_object_get(got, "status")),
	    "viewed");
	json_decref(got);

	/* The limit: refused, written nothing, told when to come back. */
	assert_int_equal(t_reveal(f, token, b, NOW + 30000, &out, &retry),
	    FZ_ELIMIT);
	assert_null(out);
	assert_int_equal(retry, 30);
	assert_int_equal(t_reveal(f, token, b, NOW + 60001, &out, &retry), 0);
	json_decref(out);

	/* The audit: newest first, paged, never the password. */
	assert_int_equal(reveals_list(f->t.st, f->ws.id, id, 0, 15, &list,
	    &next), 0);
	assert_int_equal(json_array_size(list), 15);
	assert_true(next != 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    list, 0), "revealedAt")), "2026-05-28T20:27:40.001Z");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    list, 0), "label")), "CMS");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    list, 0), "sectionTitle")), "Access");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    list, 0), "ipAddress")), "192.0.2.9");
	text = json_dumps(list, 0);
	assert_non_null(text);
	assert_null(strstr(text, "Zebra"));
	free(text);
	json_decref(list);
	assert_int_equal(reveals_list(f->t.st, f->ws.id, id, next, 15, &list,
	    &next), 0);
	assert_int_equal(json_array_size(list), REVEALS_PER_MINUTE + 1 - 15);
	assert_int_equal(next, 0);
	json_decref(list);
	assert_int_equal(reveals_list(f->t.st, f->other.id, id, 0, 15, &list,
	    &next), FZ_ENOTFOUND);
	json_decref(b);
	json_decref(p);
}

static void
test_seal_opens_only_its_own(void **state)
{
	unsigned char key[32], other[32];
	char *sealed, *plain = NULL;
	size_t len = 0;

	(void)state;
	memset(key, 1, sizeof(key));
	memset(other, 2, sizeof(other));
	assert_non_null(sealed = seal_password(key, "project_a", "pw\"<x>", 6));
	assert_int_equal(seal_open(key, "project_a", sealed, &plain, &len), 0);
	assert_int_equal(len, 6);
	assert_string_equal(plain, "pw\"<x>");
	free(plain);
	assert_int_equal(seal_open(key, "project_b", sealed, &plain, &len),
	    FZ_ECRYPTO);
	assert_int_equal(seal_open(other, "project_a", sealed, &plain, &len),
	    FZ_ECRYPTO);
	sealed[10] = sealed[10] == 'A' ? 'B' : 'A';
	assert_int_equal(seal_open(key, "project_a", sealed, &plain, &len),
	    FZ_ECRYPTO);
	assert_null(plain);
	assert_int_equal(seal_open(key, "project_a", "v1:", &plain, &len),
	    FZ_ECRYPTO);
	assert_int_equal(seal_open(key, "project_a", "v2:AAAA", &plain, &len),
	    FZ_ECRYPTO);
	free(sealed);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, tmpdir_fixture_free)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_client_email_is_unique),
		T(test_project_reuses_client),
		T(test_project_unknown_client_or_template),
		T(test_workspace_isolation),
		T(test_list_pages_newest_first),
		T(test_password_sealed_and_masked),
		T(test_send_view_signoff),
		T(test_resend_unchanged_is_noop),
		T(test_first_fetch_kept_once),
		T(test_reveal_audited_and_limited),
		cmocka_unit_test(test_seal_opens_only_its_own),
	};

	return cmocka_run_group_tests_name("records", tests, NULL, NULL);
}
