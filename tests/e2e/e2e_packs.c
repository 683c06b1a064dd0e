/*
 * e2e_packs.c: handover packs against the running daemon: template
 * sections, credentials masked in every answer and sealed on disk,
 * pack validation, sending and share links, the client portal, sign-off
 * and what a sign-off freezes.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "tests/e2e/harness.h"

#define MASK		"********"
#define UNKNOWN_PROJECT	"project_AbCdEfGhIjKlMnOpQrSt"

static const char rfc3339_re[] =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$";

/* A test's daemon with one agency workspace and a read,write key. */
struct env {
	char	ws[64];
	char	tok[64];
};

static int
api(const struct fzd *d, const char *method, const char *path,
    const char *tok, const char *body, struct fzh_res *res)
{
	return fzh_api(d, method, path, tok, NULL, body, res);
}

/* GETs path of the portal as API clients do, asking for JSON (without
 * it, a share link answers the web page). */
static int
portal_json(const struct fzd *d, const char *path, struct fzh_res *res)
{
	return fzh_api(d, "GET", path, NULL, "Accept: application/json", NULL,
	    res);
}

/* Makes the workspace and key and starts the daemon. */
static void
boot(struct fzd *d, struct env *e)
{
	fzh_workspace(d->dir, "Acme Agency", "agency", e->ws, sizeof(e->ws));
	fzh_key(d->dir, e->ws, "read,write", "e2e", e->tok, sizeof(e->tok));
	fzh_start(d, NULL, NULL);
}

/* Writes "/api/v1/projects/ID" and suffix into buf. */
static const char *
ppath(char *buf, size_t size, const char *id, const char *suffix)
{
	snprintf(buf, size, "/api/v1/projects/%s%s", id, suffix);
	return buf;
}

/* Creates a project of type for jane@example.com; id >= 64 bytes. */
static void
new_project(const struct fzd *d, const struct env *e, const char *type,
    char *id)
{
	struct fzh_res res;
	char body[512];

	snprintf(body, sizeof(body), "{\"name\":\"Website closeout\","
	    "\"clientName\":\"Jane Smith\",\"clientEmail\":"
	    "\"jane@example.com\",\"projectType\":\"%s\",\"launchDate\":"
	    "\"2026-06-01\"}", type);
	api(d, "POST", "/api/v1/projects", e->tok, body, &res);
	fzh_assert_envelope(&res, 201, NULL);
	fzh_copy_str(&res, "data.id", id, 64);
	fzh_res_free(&res);
}

/* A unique, long password for this run. */
static void
make_secret(char *buf, size_t size)
{
	snprintf(buf, size, "Pw-%ld-%d-q7Zt9Lk2Vx8Rm4Wn6Hb3Jc5Ys1Ud0", (long)
	    time(NULL), (int)getpid());
}

/* Writes a pack body with one CMS credential (password omitted when pw
 * is NULL) and one link into buf. */
static const char *
cred_pack(char *buf, size_t size, const char *pw)
{
	char pwf[256] = "";

	if (pw != NULL)
		snprintf(pwf, sizeof(pwf), ",\"password\":\"%s\"", pw);
	snprintf(buf, size, "{\"sections\":[{\"title\":\"Access\",\"items\":["
	    "{\"type\":\"credential\",\"label\":\"CMS\",\"url\":"
	    "\"https://cms.example/admin\",\"username\":\"jane\"%s},"
	    "{\"type\":\"link\",\"label\":\"Site\",\"url\":"
	    "\"https://example.com\"}]}]}", pwf);
	return buf;
}

/* Returns the item labelled label in section title of the sections
 * array at path of res, or fails. */
static json_t *
find_item(const struct fzh_res *res, const char *path, const char *title,
    const char *label)
{
	json_t *secs, *sec, *it;
	const char *s;
	size_t i, j;

	if (!json_is_array(secs = fzh_json_get(res, path)))
		fail_msg("%s is not a list: %s", path, res->body);
	json_array_foreach(secs, i, sec) {
		s = json_string_value(json_object_get(sec, "title"));
		if (s == NULL || strcmp(s, title) != 0)
			continue;
		json_array_foreach(json_object_get(sec, "items"), j, it) {
			s = json_string_value(json_object_get(it, "label"));
			if (s != NULL && strcmp(s, label) == 0)
				return it;
		}
	}
	fail_msg("no item %s / %s in %s", title, label, res->body);
	return NULL;
}

/* Asserts the credential is shown masked (set) or empty (not set), and
 * never with its sealed form. */
static void
assert_masked(const struct fzh_res *res, const char *path, const char *title,
    const char *label, int set)
{
	json_t *it = find_item(res, path, title, label);

	if (json_object_get(it, "passwordSealed") != NULL)
		fail_msg("passwordSealed is shown: %s", res->body);
	if (!json_is_boolean(json_object_get(it, "password_set")) ||
	    json_boolean_value(json_object_get(it, "password_set")) != set)
		fail_msg("password_set is not %s: %s", set ? "true" : "false",
		    res->body);
	if (set)
		fzh_assert_str(json_string_value(json_object_get(it,
		    "password")), MASK);
	else if (!json_is_null(json_object_get(it, "password")))
		fail_msg("no password set, yet password is not null: %s",
		    res->body);
}

/* Fails if the secret, or a long piece of it, is in the answer. */
static void
assert_no_secret(const struct fzh_res *res, const char *secret)
{
	size_t i;

	if (fzh_contains(res->body, res->len, secret))
		fail_msg("the password is in the answer: %s", res->body);
	for (i = 0; i < res->nhdrs; i++)
		if (fzh_contains(res->hdrs[i], strlen(res->hdrs[i]), secret))
			fail_msg("the password is in a header: %s",
			    res->hdrs[i]);
	if (strlen(secret) > 20 &&
	    fzh_contains(res->body, res->len, secret + strlen(secret) - 16))
		fail_msg("part of the password is in the answer: %s",
		    res->body);
}

/* Fails if secret, or its last 16 characters, occurs in any file under
 * dir. Returns the number of files scanned; counts in *control the
 * files holding control, a non-secret string stored beside it. */
static int
scan_dir(const char *dir, const char *secret, const char *control,
    int *found)
{
	char sub[1024], *buf;
	struct dirent *de;
	struct stat sb;
	const char *tail = secret + strlen(secret) - 16;
	size_t len;
	DIR *dp;
	int n = 0;

	if ((dp = opendir(dir)) == NULL)
		fail_msg("opendir %s", dir);
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		if (lstat(sub, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			n += scan_dir(sub, secret, control, found);
			continue;
		}
		if (!S_ISREG(sb.st_mode))
			continue;
		if ((buf = fzh_slurp(sub, &len)) == NULL)
			fail_msg("cannot read %s", sub);
		if (fzh_contains(buf, len, secret) ||
		    fzh_contains(buf, len, tail)) {
			free(buf);
			closedir(dp);
			fail_msg("the password is stored in clear in %s", sub);
		}
		if (fzh_contains(buf, len, control))
			(*found)++;
		free(buf);
		n++;
	}
	closedir(dp);
	return n;
}

static void
nap_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

/* Returns 1 if the details of res name field. */
static int
names_field(const struct fzh_res *res, const char *field)
{
	const json_t *d;
	const char *f;
	size_t i;

	json_array_foreach(fzh_json_get(res, "error.details"), i, d) {
		f = json_string_value(json_object_get(d, "field"));
		if (f != NULL && strcmp(f, field) == 0)
			return 1;
	}
	return 0;
}

/* Asserts a 400 VALIDATION_ERROR naming exactly want (NULL-ended). */
static void
assert_invalid(const struct fzh_res *res, const char *const *want)
{
	size_t n;

	fzh_assert_envelope(res, 400, "VALIDATION_ERROR");
	for (n = 0; want[n] != NULL; n++)
		if (!names_field(res, want[n]))
			fail_msg("error.details does not name %s: %s",
			    want[n], res->body);
	if (json_array_size(fzh_json_get(res, "error.details")) != n)
		fail_msg("error.details names other fields than the %zu "
		    "expected: %s", n, res->body);
}

/* Sends the pack with msg; asserts 200 and returns the portal path
 * ("/p/TOKEN") in portal (>= 128 bytes) and sentAt in sent (>= 64). */
static void
send_pack(const struct fzd *d, const struct env *e, const char *pid,
    const char *body, char *portal, char *sent)
{
	char path[256], re[128];
	const char *url;
	struct fzh_res res;

	api(d, "POST", ppath(path, sizeof(path), pid, "/pack/send"), e->tok,
	    body, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.id"), pid);
	url = fzh_json_str(&res, "data.share_url");
	snprintf(re, sizeof(re), "^http://127\\.0\\.0\\.1:%d/p/"
	    "[0-9A-Za-z]{20,64}$", fzh_portal(d)->port);
	if (!fzh_match(re, url))
		fail_msg("share_url %s is not %s", url ? url : "(none)", re);
	snprintf(portal, 128, "%s", strstr(url + 7, "/p/"));
	fzh_copy_str(&res, "data.sentAt", sent, 64);
	fzh_res_free(&res);
}

/* Returns the project's status into out (>= 32 bytes). */
static const char *
status_of(const struct fzd *d, const struct env *e, const char *pid,
    char *out)
{
	char path[256];
	struct fzh_res res;

	fzh_get(d, ppath(path, sizeof(path), pid, ""), e->tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_copy_str(&res, "data.status", out, 32);
	fzh_res_free(&res);
	return out;
}

/* Writes into out (>= 64 bytes) a key that reads the events of the
 * daemon serving the portal: the test's own, or in http mode one of the
 * upstream's, whose journal records what happens on its portal. */
static void
portal_key(const struct fzd *d, const struct env *e, char *out)
{
	if (fzh_portal(d) == d)
		snprintf(out, 64, "%s", e->tok);
	else
		fzh_key(fzh_portal(d)->dir, e->ws, "read", "portal", out, 64);
}

/* Writes the types of the portal's journal, oldest first, one
 * comma-separated string, into out; returns out. The whole page is left
 * in *page (caller frees) when page is not NULL. */
static const char *
event_types(const struct fzd *d, const char *tok, char *out, size_t size,
    struct fzh_res *page)
{
	struct fzh_res res;
	const json_t *ev;
	size_t i, n = 0;

	fzh_get(fzh_portal(d), "/api/v1/events?limit=100", tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	out[0] = '\0';
	json_array_foreach(fzh_json_get(&res, "data"), i, ev)
		n += (size_t)snprintf(out + n, size - n, "%s%s", i ? "," : "",
		    json_string_value(json_object_get(ev, "type")));
	if (n >= size)
		fail_msg("events do not fit: %s", res.body);
	if (page != NULL)
		*page = res;
	else
		fzh_res_free(&res);
	return out;
}

/* Asserts the portal's journal holds exactly want (event_types). */
static void
assert_events(const struct fzd *d, const char *tok, const char *want)
{
	char got[512];

	fzh_assert_str(event_types(d, tok, got, sizeof(got), NULL), want);
}

/* Compares a pack's sections with a template's: titles, item types and
 * labels in order. */
static void
assert_sections_like(const json_t *got, const json_t *want)
{
	const json_t *gs, *ws, *gi, *wi;
	size_t i, j;

	assert_int_equal(json_array_size(got), json_array_size(want));
	json_array_foreach(want, i, ws) {
		gs = json_array_get(got, i);
		fzh_assert_str(json_string_value(json_object_get(gs, "title")),
		    json_string_value(json_object_get(ws, "title")));
		assert_int_equal(json_array_size(json_object_get(gs, "items")),
		    json_array_size(json_object_get(ws, "items")));
		json_array_foreach(json_object_get(ws, "items"), j, wi) {
			gi = json_array_get(json_object_get(gs, "items"), j);
			fzh_assert_str(json_string_value(json_object_get(gi,
			    "type")), json_string_value(json_object_get(wi,
			    "type")));
			fzh_assert_str(json_string_value(json_object_get(gi,
			    "label")), json_string_value(json_object_get(wi,
			    "label")));
		}
	}
}

static void
test_pack_from_template(void **state)
{
	struct fzd *d = *state;
	struct env e;
	char pid[64], seo[64], other[64], path[256];
	struct fzh_res tpl, res;
	const json_t *t, *web = NULL, *seot = NULL;
	const char *type;
	size_t i;

	boot(d, &e);
	fzh_get(d, "/api/v1/templates", e.tok, &tpl);
	fzh_assert_envelope(&tpl, 200, NULL);
	json_array_foreach(fzh_json_get(&tpl, "data"), i, t) {
		type = json_string_value(json_object_get(t, "projectType"));
		if (type != NULL && strcmp(type, "Web Design") == 0)
			web = t;
		else if (type != NULL && strcmp(type, "SEO") == 0)
			seot = t;
	}
	if (web == NULL || seot == NULL)
		fail_msg("no Web Design or SEO template: %s", tpl.body);

	new_project(d, &e, "Web Design", pid);
	fzh_get(d, ppath(path, sizeof(path), pid, "/pack"), e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.projectId"), pid);
	assert_sections_like(fzh_json_get(&res, "data.sections"),
	    json_object_get(web, "sections"));
	if (!json_is_null(fzh_json_get(&res, "data.share_url")))
		fail_msg("share_url is not null before sending: %s", res.body);
	assert_null(fzh_json_str(&res, "data.sentAt"));
	/* The template's credentials have no password yet. */
	assert_masked(&res, "data.sections", "Access", "CMS admin", 0);
	fzh_res_free(&res);

	new_project(d, &e, "SEO", seo);
	fzh_get(d, ppath(path, sizeof(path), seo, "/pack"), e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_sections_like(fzh_json_get(&res, "data.sections"),
	    json_object_get(seot, "sections"));
	fzh_res_free(&res);

	/* A type with no template starts empty. */
	new_project(d, &e, "Photography", other);
	fzh_get(d, ppath(path, sizeof(path), other, "/pack"), e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_true(json_is_array(fzh_json_get(&res, "data.sections")));
	assert_int_equal(json_array_size(fzh_json_get(&res,
	    "data.sections")), 0);
	fzh_res_free(&res);

	fzh_get(d, ppath(path, sizeof(path), UNKNOWN_PROJECT, "/pack"),
	    e.tok, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	fzh_res_free(&tpl);
	fzh_stop_ok(d);
}

static void
test_credential_sealed(void **state)
{
	struct fzd *d = *state;
	struct env e;
	char pid[64], path[256], secret[128], body[1024], keypath[256];
	char portal[128], sent[64];
	struct fzh_res res;
	struct stat sb;
	int n, found = 0;

	boot(d, &e);
	make_secret(secret, sizeof(secret));
	new_project(d, &e, "Web Design", pid);
	ppath(path, sizeof(path), pid, "/pack");

	/* With an Idempotency-Key, so the stored answer is scanned too. */
	fzh_api(d, "PUT", path, e.tok, "Idempotency-Key: pack-put-1",
	    cred_pack(body, sizeof(body), secret), &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_masked(&res, "data.sections", "Access", "CMS", 1);
	fzh_assert_str(json_string_value(json_object_get(find_item(&res,
	    "data.sections", "Access", "CMS"), "username")), "jane");
	fzh_assert_str(json_string_value(json_object_get(find_item(&res,
	    "data.sections", "Access", "CMS"), "url")),
	    "https://cms.example/admin");
	assert_int_equal(json_integer_value(fzh_json_get(&res,
	    "data.revision")), 2);
	assert_no_secret(&res, secret);
	fzh_res_free(&res);

	/* The replay is masked the same way. */
	fzh_api(d, "PUT", path, e.tok, "Idempotency-Key: pack-put-1",
	    cred_pack(body, sizeof(body), secret), &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_header(&res, "Idempotent-Replayed"), "true");
	assert_masked(&res, "data.sections", "Access", "CMS", 1);
	assert_no_secret(&res, secret);
	fzh_res_free(&res);

	fzh_get(d, path, e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_masked(&res, "data.sections", "Access", "CMS", 1);
	assert_no_secret(&res, secret);
	fzh_res_free(&res);

	/* Nor in the portal, once sent. */
	send_pack(d, &e, pid, "{\"personalMessage\":\"Ready\"}", portal,
	    sent);
	portal_json(fzh_portal(d), portal, &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_masked(&res, "data.sections", "Access", "CMS", 1);
	assert_no_secret(&res, secret);
	fzh_res_free(&res);

	/* A refused PUT does not echo it either. */
	snprintf(body, sizeof(body), "{\"sections\":[{\"title\":\"Access\","
	    "\"items\":[{\"type\":\"credential\",\"label\":\"\",\"password\":"
	    "\"%s\"}]}]}", secret);
	api(d, "PUT", path, e.tok, body, &res);
	fzh_assert_envelope(&res, 400, "VALIDATION_ERROR");
	assert_no_secret(&res, secret);
	fzh_res_free(&res);

	/* The key: 32 bytes, owner-only. */
	snprintf(keypath, sizeof(keypath), "%s/secret.key", d->dir);
	if (stat(keypath, &sb) != 0)
		fail_msg("no %s", keypath);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sb.st_size, 32);

	/* Sealed on disk, while running and after a clean stop; the
	 * credential's URL is found, so the scan reads where packs live. */
	n = scan_dir(d->dir, secret, "https://cms.example/admin", &found);
	assert_true(n >= 3);	/* data.mdb, secret.key, the log at least */
	assert_true(found >= 1);
	fzh_stop_ok(d);
	found = 0;
	scan_dir(d->dir, secret, "https://cms.example/admin", &found);
	assert_true(found >= 1);

	/* After a restart the sealed password is still there, still
	 * masked. */
	fzh_start(d, NULL, NULL);
	fzh_get(d, path, e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_masked(&res, "data.sections", "Access", "CMS", 1);
	assert_no_secret(&res, secret);
	fzh_res_free(&res);
	fzh_stop_ok(d);
	scan_dir(d->dir, secret, "https://cms.example/admin", &found);
}

static void
test_pack_validation(void **state)
{
	static const struct {
		const char	*body;
		const char	*fields[6];
	} bad[] = {
		{ "{\"sections\":[{\"title\":\"A\",\"items\":["
		    "{\"type\":\"note\",\"label\":\"n\",\"text\":\"t\"},"
		    "{\"type\":\"note\",\"text\":\"t\"}]}]}",
		    { "sections[0].items[1].label" } },
		{ "{\"sections\":[{\"title\":\"A\",\"items\":["
		    "{\"type\":\"video\",\"label\":\"v\"}]}]}",
		    { "sections[0].items[0].type" } },
		{ "{\"sections\":[{\"title\":\"A\",\"items\":["
		    "{\"label\":\"none\"}]}]}",
		    { "sections[0].items[0].type" } },
		{ "{\"sections\":[{\"title\":\"A\",\"items\":[]},"
		    "{\"title\":\"B\",\"items\":[{\"type\":\"link\","
		    "\"label\":\"L\"}]}]}", { "sections[1].items[0].url" } },
		{ "{\"sections\":[{\"title\":\"A\",\"items\":["
		    "{\"type\":\"link\",\"label\":\"L\",\"url\":\"ftp://x\"}"
		    "]}]}", { "sections[0].items[0].url" } },
		{ "{\"sections\":[{\"title\":\"A\",\"items\":["
		    "{\"type\":\"credential\",\"label\":\"C\",\"url\":"
		    "\"javascript:alert(1)\"}]}]}",
		    { "sections[0].items[0].url" } },
		{ "{\"sections\":[{\"items\":[]}]}", { "sections[0].title" } },
		{ "{\"sections\":[{\"title\":\"A\",\"items\":{}}]}",
		    { "sections[0].items" } },
		{ "{\"sections\":[7]}", { "sections[0]" } },
		{ "{\"sections\":{}}", { "sections" } },
		{ "{\"sections\":\"all\"}", { "sections" } },
		{ "{}", { "sections" } },
		/* Every bad field at once. */
		{ "{\"sections\":[{\"title\":\"A\",\"items\":["
		    "{\"type\":\"video\",\"label\":\"v\"},"
		    "{\"type\":\"link\",\"url\":\"https://x.example\"},"
		    "{\"type\":\"document\",\"label\":\"D\","
		    "\"url\":\"ftp://x\"}"
		    "]},{\"title\":5,\"items\":[]}]}",
		    { "sections[0].items[0].type", "sections[0].items[1].label",
		    "sections[0].items[2].url", "sections[1].title" } },
	};
	struct fzd *d = *state;
	struct env e;
	char pid[64], path[256];
	struct fzh_res res;
	size_t i;

	boot(d, &e);
	new_project(d, &e, "Web Design", pid);
	ppath(path, sizeof(path), pid, "/pack");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		api(d, "PUT", path, e.tok, bad[i].body, &res);
		assert_invalid(&res, bad[i].fields);
		fzh_res_free(&res);
	}

	/* Unchanged: same sections, still revision 1. */
	fzh_get(d, path, e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_int_equal(json_integer_value(fzh_json_get(&res,
	    "data.revision")), 1);
	assert_masked(&res, "data.sections", "Access", "CMS admin", 0);
	assert_int_equal(json_array_size(fzh_json_get(&res, "data.sections")),
	    3);
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_password_kept(void **state)
{
	struct fzd *d = *state;
	struct env e;
	char pid[64], path[256], secret[128], body[1024];
	struct fzh_res res;

	boot(d, &e);
	make_secret(secret, sizeof(secret));
	new_project(d, &e, "Web Design", pid);
	ppath(path, sizeof(path), pid, "/pack");

	api(d, "PUT", path, e.tok, cred_pack(body, sizeof(body), secret),
	    &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_masked(&res, "data.sections", "Access", "CMS", 1);
	fzh_res_free(&res);

	/* Without the password: kept. */
	api(d, "PUT", path, e.tok, cred_pack(body, sizeof(body), NULL), &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_masked(&res, "data.sections", "Access", "CMS", 1);
	fzh_res_free(&res);

	/* With the mask sent back as it was read: kept. */
	api(d, "PUT", path, e.tok, cred_pack(body, sizeof(body), MASK), &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_masked(&res, "data.sections", "Access", "CMS", 1);
	assert_int_equal(json_integer_value(fzh_json_get(&res,
	    "data.revision")), 4);
	fzh_res_free(&res);

	fzh_get(d, path, e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_masked(&res, "data.sections", "Access", "CMS", 1);
	fzh_res_free(&res);

	/* Another credential never given one has none. */
	api(d, "PUT", path, e.tok, "{\"sections\":[{\"title\":\"Access\","
	    "\"items\":[{\"type\":\"credential\",\"label\":\"CMS\"},"
	    "{\"type\":\"credential\",\"label\":\"Hosting\",\"password\":"
	    "\"" MASK "\"}]}]}", &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_masked(&res, "data.sections", "Access", "CMS", 1);
	assert_masked(&res, "data.sections", "Access", "Hosting", 0);
	fzh_res_free(&res);

	/* Once removed, it is gone: adding it back has no password. */
	api(d, "PUT", path, e.tok, "{\"sections\":[{\"title\":\"Access\","
	    "\"items\":[]}]}", &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	api(d, "PUT", path, e.tok, cred_pack(body, sizeof(body), NULL), &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_masked(&res, "data.sections", "Access", "CMS", 0);
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_send(void **state)
{
	struct fzd *d = *state;
	struct env e;
	char pid[64], path[256], portal[128], portal2[128], sent[64];
	char sent2[64], st[32], url[256];
	struct fzh_res res;

	boot(d, &e);
	new_project(d, &e, "Web Design", pid);
	fzh_assert_str(status_of(d, &e, pid, st), "draft");

	api(d, "POST", ppath(path, sizeof(path), pid, "/pack/send"), e.tok,
	    "{\"personalMessage\":\"Ready\"}", &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.status"), "sent");
	fzh_assert_str(fzh_json_str(&res, "data.personalMessage"), "Ready");
	assert_true(fzh_match(rfc3339_re, fzh_json_str(&res, "data.sentAt")));
	fzh_copy_str(&res, "data.sentAt", sent, sizeof(sent));
	fzh_copy_str(&res, "data.share_url", url, sizeof(url));
	fzh_res_free(&res);
	fzh_assert_str(status_of(d, &e, pid, st), "sent");

	/* Again, with nothing changed: same link, same time. */
	nap_ms(5);
	send_pack(d, &e, pid, "{\"personalMessage\":\"Ready\"}", portal,
	    sent2);
	fzh_assert_str(sent2, sent);
	assert_non_null(strstr(url, portal));
	send_pack(d, &e, pid, "{\"personalMessage\":\"Ready\"}", portal2,
	    sent2);
	fzh_assert_str(portal2, portal);
	fzh_assert_str(sent2, sent);
	fzh_assert_str(status_of(d, &e, pid, st), "sent");

	/* The pack now carries the link. */
	fzh_get(d, ppath(path, sizeof(path), pid, "/pack"), e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_non_null(fzh_json_str(&res, "data.share_url"));
	assert_non_null(strstr(fzh_json_str(&res, "data.share_url"), portal));
	fzh_assert_str(fzh_json_str(&res, "data.sentAt"), sent);
	fzh_res_free(&res);

	api(d, "POST", ppath(path, sizeof(path), UNKNOWN_PROJECT,
	    "/pack/send"), e.tok, "{}", &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	api(d, "POST", ppath(path, sizeof(path), pid, "/pack/send"), e.tok,
	    "{\"personalMessage\":42}", &res);
	fzh_assert_envelope(&res, 400, "VALIDATION_ERROR");
	assert_true(names_field(&res, "personalMessage"));
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static void
test_portal_view(void **state)
{
	struct fzd *d = *state;
	struct env e;
	char pid[64], path[256], portal[128], sent[64], secret[128];
	char body[1024], st[32], bad[128];
	struct fzh_res res;

	boot(d, &e);
	make_secret(secret, sizeof(secret));
	new_project(d, &e, "Web Design", pid);
	api(d, "PUT", ppath(path, sizeof(path), pid, "/pack"), e.tok,
	    cred_pack(body, sizeof(body), secret), &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	send_pack(d, &e, pid, "{\"personalMessage\":\"Ready\"}", portal,
	    sent);

	/* No API key: the share token is the credential. */
	portal_json(fzh_portal(d), portal, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.project.status"), "sent");
	fzh_assert_str(fzh_json_str(&res, "data.project.name"),
	    "Website closeout");
	fzh_assert_str(fzh_json_str(&res, "data.agency.name"), "Acme Agency");
	fzh_assert_str(fzh_json_str(&res, "data.personalMessage"), "Ready");
	assert_masked(&res, "data.sections", "Access", "CMS", 1);
	fzh_assert_str(json_string_value(json_object_get(find_item(&res,
	    "data.sections", "Access", "Site"), "url")),
	    "https://example.com");
	assert_no_secret(&res, secret);
	/* What the client sees holds nothing of the workspace's keys. */
	assert_false(fzh_contains(res.body, res.len, e.tok));
	fzh_res_free(&res);

	/* The page reports a person: the view, as the page shows it. */
	snprintf(path, sizeof(path), "%s/view", portal);
	api(fzh_portal(d), "POST", path, NULL, NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.project.status"), "viewed");
	assert_true(fzh_match(rfc3339_re, fzh_json_str(&res,
	    "data.project.viewedAt")));
	assert_masked(&res, "data.sections", "Access", "CMS", 1);
	assert_no_secret(&res, secret);
	fzh_res_free(&res);
	fzh_assert_str(status_of(d, &e, pid, st), "viewed");

	portal_json(d, "/p/unknowntoken", &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	/* The real token with one character changed. */
	snprintf(bad, sizeof(bad), "%s", portal);
	bad[3] = bad[3] == 'a' ? 'b' : 'a';
	portal_json(fzh_portal(d), bad, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

/*
 * Link scanners and chat unfurlers fetch a share link before any person
 * does: GET and HEAD record nothing and change nothing. The page's POST
 * .../view records pack.viewed, once per project.
 */
static void
test_portal_fetch_records_nothing(void **state)
{
	struct fzd *d = *state;
	struct env e;
	char pid[64], path[256], portal[128], sent[64], st[32], rtok[64];
	char before[64], at[64], bad[160];
	struct fzh_res res, again;
	const char *methods[] = { "GET", "HEAD", "GET", "HEAD" };
	size_t i;

	boot(d, &e);
	portal_key(d, &e, rtok);
	new_project(d, &e, "Web Design", pid);
	send_pack(d, &e, pid, "{\"personalMessage\":\"Ready\"}", portal,
	    sent);
	fzh_get(d, ppath(path, sizeof(path), pid, ""), e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_copy_str(&res, "data.updatedAt", before, sizeof(before));
	fzh_res_free(&res);
	nap_ms(5);

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		assert_int_equal(fzh_api(fzh_portal(d), methods[i], portal,
		    NULL, "User-Agent: Slackbot-LinkExpanding 1.0", NULL,
		    &res), 200);
		fzh_res_free(&res);
	}
	fzh_get(d, ppath(path, sizeof(path), pid, ""), e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.status"), "sent");
	assert_true(json_is_null(fzh_json_get(&res, "data.viewedAt")));
	fzh_assert_str(fzh_json_str(&res, "data.updatedAt"), before);
	fzh_res_free(&res);
	fzh_get(d, ppath(path, sizeof(path), pid, "/pack"), e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_true(json_is_null(fzh_json_get(&res, "data.viewedAt")));
	fzh_res_free(&res);
	assert_events(d, rtok, "pack.sent");

	/* The page's report: recorded once. */
	snprintf(path, sizeof(path), "%s/view", portal);
	api(fzh_portal(d), "POST", path, NULL, NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.project.status"), "viewed");
	fzh_copy_str(&res, "data.project.viewedAt", at, sizeof(at));
	assert_events(d, rtok, "pack.sent,pack.viewed");
	fzh_assert_str(status_of(d, &e, pid, st), "viewed");

	/* A repeat is the same answer and no second event. */
	nap_ms(5);
	api(fzh_portal(d), "POST", path, NULL, "{}", &again);
	fzh_assert_envelope(&again, 200, NULL);
	if (!json_equal(fzh_json_get(&res, "data"), fzh_json_get(&again,
	    "data")))
		fail_msg("a repeated view answers otherwise: %s then %s",
		    res.body, again.body);
	fzh_res_free(&res);
	fzh_res_free(&again);
	assert_events(d, rtok, "pack.sent,pack.viewed");

	/* The agency sees when. */
	fzh_get(d, ppath(path, sizeof(path), pid, ""), e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.viewedAt"), at);
	fzh_res_free(&res);
	fzh_get(d, ppath(path, sizeof(path), pid, "/pack"), e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.viewedAt"), at);
	fzh_res_free(&res);

	/* An unknown token, or the real one altered, as for GET. */
	api(fzh_portal(d), "POST", "/p/unknowntoken/view", NULL, NULL, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	snprintf(bad, sizeof(bad), "%s/view", portal);
	bad[3] = bad[3] == 'a' ? 'b' : 'a';
	api(fzh_portal(d), "POST", bad, NULL, NULL, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	assert_events(d, rtok, "pack.sent,pack.viewed");
	fzh_stop_ok(d);
}

static void
test_signoff(void **state)
{
	struct fzd *d = *state;
	struct env e;
	char pid[64], path[256], portal[128], sent[64], so[160], sid[64];
	char st[32], before[64], rtok[64];
	const char *s;
	struct fzh_res res;
	json_t *arr;

	boot(d, &e);
	portal_key(d, &e, rtok);
	new_project(d, &e, "Web Design", pid);
	send_pack(d, &e, pid, "{\"personalMessage\":\"Ready\"}", portal,
	    sent);
	snprintf(so, sizeof(so), "%s/signoff", portal);

	/* Refused sign-offs name their fields and sign nothing. */
	api(fzh_portal(d), "POST", so, NULL, "{\"name\":\"Jane\",\"email\":\"jane\"}",
	    &res);
	{
		const char *want[] = { "email", NULL };

		assert_invalid(&res, want);
	}
	fzh_res_free(&res);
	api(fzh_portal(d), "POST", so, NULL, "{\"email\":\"jane@example\","
	    "\"comment\":5}", &res);
	{
		const char *want[] = { "name", "email", "comment", NULL };

		assert_invalid(&res, want);
	}
	fzh_res_free(&res);
	api(fzh_portal(d), "POST", so, NULL, "{\"name\":\"Jane\"}", &res);
	{
		const char *want[] = { "email", NULL };

		assert_invalid(&res, want);
	}
	fzh_res_free(&res);
	/* Holding the link is not enough: another address is refused,
	 * and the answer does not tell the right one. */
	api(fzh_portal(d), "POST", so, NULL, "{\"name\":\"Jane\",\"email\":"
	    "\"jane+x@example.com\"}", &res);
	fzh_assert_envelope(&res, 403, "FORBIDDEN");
	assert_true(names_field(&res, "email"));
	assert_false(fzh_contains(res.body, res.len, "jane@example.com"));
	fzh_res_free(&res);
	fzh_assert_str(status_of(d, &e, pid, st), "sent");
	fzh_get(d, ppath(path, sizeof(path), pid, "/signoff"), e.tok, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	assert_events(d, rtok, "pack.sent");

	snprintf(path, sizeof(path), "%s/view", portal);
	api(fzh_portal(d), "POST", path, NULL, NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);

	/* The client's address as they type it: spaces and capitals. */
	fzh_api(fzh_portal(d), "POST", so, NULL, "User-Agent: Mozilla/5.0 "
	    "(e2e) Firefox/128.0", "{\"name\":\"Jane\",\"email\":"
	    "\"  Jane@Example.COM \",\"comment\":\"All good\"}", &res);
	fzh_assert_envelope(&res, 201, NULL);
	assert_true(fzh_match("^signoff_[0-9A-Za-z]+$", fzh_json_str(&res,
	    "data.id")));
	fzh_assert_str(fzh_json_str(&res, "data.projectId"), pid);
	fzh_assert_str(fzh_json_str(&res, "data.signerName"), "Jane");
	fzh_assert_str(fzh_json_str(&res, "data.signerEmail"),
	    "jane@example.com");
	fzh_assert_str(fzh_json_str(&res, "data.comment"), "All good");
	assert_true(fzh_match(rfc3339_re, fzh_json_str(&res,
	    "data.signedAt")));
	fzh_copy_str(&res, "data.id", sid, sizeof(sid));
	fzh_res_free(&res);

	api(fzh_portal(d), "POST", so, NULL, "{\"name\":\"Mallory\",\"email\":"
	    "\"mallory@example.com\"}", &res);
	fzh_assert_envelope(&res, 409, "CONFLICT");
	fzh_res_free(&res);
	api(d, "POST", "/p/unknowntoken/signoff", NULL, "{\"name\":\"Jane\","
	    "\"email\":\"jane@example.com\"}", &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);

	/* The evidence, to the agency. */
	fzh_get(d, ppath(path, sizeof(path), pid, "/signoff"), e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.id"), sid);
	fzh_assert_str(fzh_json_str(&res, "data.signerName"), "Jane");
	fzh_assert_str(fzh_json_str(&res, "data.signerEmail"),
	    "jane@example.com");
	fzh_assert_str(fzh_json_str(&res, "data.comment"), "All good");
	fzh_assert_str(fzh_json_str(&res, "data.ipAddress"), "127.0.0.1");
	fzh_assert_str(fzh_json_str(&res, "data.userAgent"),
	    "Mozilla/5.0 (e2e) Firefox/128.0");
	assert_true(fzh_match(rfc3339_re, fzh_json_str(&res,
	    "data.signedAt")));
	fzh_res_free(&res);

	fzh_get(d, "/api/v1/signoffs", e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	arr = fzh_json_get(&res, "data");
	assert_int_equal(json_array_size(arr), 1);
	s = json_string_value(json_object_get(json_array_get(arr, 0), "id"));
	fzh_assert_str(s, sid);
	s = json_string_value(json_object_get(json_array_get(arr, 0),
	    "projectId"));
	fzh_assert_str(s, pid);
	s = json_string_value(json_object_get(json_array_get(arr, 0),
	    "userAgent"));
	fzh_assert_str(s, "Mozilla/5.0 (e2e) Firefox/128.0");
	s = json_string_value(json_object_get(json_array_get(arr, 0),
	    "ipAddress"));
	fzh_assert_str(s, "127.0.0.1");
	fzh_res_free(&res);

	/* Events go to every subscriber: the evidence stays out of them. */
	event_types(d, rtok, before, sizeof(before), &res);
	fzh_assert_str(before, "pack.sent,pack.viewed,client.signed_off");
	arr = json_array_get(fzh_json_get(&res, "data"), 2);
	fzh_assert_str(json_string_value(json_object_get(arr,
	    "signed_by_email")), "jane@example.com");
	assert_null(json_object_get(arr, "ipAddress"));
	assert_null(json_object_get(arr, "ip_address"));
	assert_false(fzh_contains(res.body, res.len, "Firefox/128.0"));
	fzh_res_free(&res);

	fzh_get(d, ppath(path, sizeof(path), pid, ""), e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.status"), "signed_off");
	assert_true(fzh_match(rfc3339_re, fzh_json_str(&res,
	    "data.signedOffAt")));
	fzh_res_free(&res);

	/* The portal shows the sign-off, but not to whom the link went
	 * nor the evidence. */
	portal_json(fzh_portal(d), portal, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.project.status"),
	    "signed_off");
	fzh_assert_str(fzh_json_str(&res, "data.signoff.id"), sid);
	fzh_assert_str(fzh_json_str(&res, "data.signoff.signerName"), "Jane");
	assert_false(fzh_contains(res.body, res.len, "jane@example.com"));
	assert_false(fzh_contains(res.body, res.len, "Firefox"));
	assert_null(fzh_json_get(&res, "data.signoff.ipAddress"));
	fzh_res_free(&res);

	/* A signed-off pack is final. */
	ppath(path, sizeof(path), pid, "/pack");
	fzh_get(d, path, e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	snprintf(before, sizeof(before), "%s", fzh_json_str(&res,
	    "data.updatedAt"));
	fzh_res_free(&res);
	api(d, "PUT", path, e.tok, "{\"sections\":[]}", &res);
	fzh_assert_envelope(&res, 409, "CONFLICT");
	fzh_res_free(&res);
	api(d, "POST", ppath(path, sizeof(path), pid, "/pack/send"), e.tok,
	    "{\"personalMessage\":\"Again\"}", &res);
	fzh_assert_envelope(&res, 409, "CONFLICT");
	fzh_res_free(&res);
	fzh_get(d, ppath(path, sizeof(path), pid, "/pack"), e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.updatedAt"), before);
	assert_int_equal(json_array_size(fzh_json_get(&res, "data.sections")),
	    3);
	fzh_assert_str(fzh_json_str(&res, "data.sentAt"), sent);
	fzh_res_free(&res);
	fzh_assert_str(status_of(d, &e, pid, st), "signed_off");
	fzh_stop_ok(d);
}

/* A read key cannot change anything, so it never sees a share link
 * (with the client's email, which it does see, the link would let it
 * sign in the client's name): not in the pack, the events or the
 * trigger. A write key does. */
static void
test_share_link_hidden_from_read_keys(void **state)
{
	static const char *const paths[] = { "/api/v1/events",
	    "/api/v1/zapier/triggers/pack-sent" };
	struct fzd *d = *state;
	struct env e;
	char pid[64], portal[128], portal2[128], sent[64], path[256], rkey[64];
	struct fzh_res res;
	size_t i;

	boot(d, &e);
	fzh_key(d->dir, e.ws, "read", "reader", rkey, sizeof(rkey));
	new_project(d, &e, "Web Design", pid);
	send_pack(d, &e, pid, "{}", portal, sent);
	fzh_get(d, ppath(path, sizeof(path), pid, "/pack"), rkey, &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_null(fzh_json_get(&res, "data.share_url"));
	assert_false(fzh_contains(res.body, res.len, portal));
	fzh_res_free(&res);
	fzh_get(d, ppath(path, sizeof(path), pid, "/pack"), e.tok, &res);
	assert_true(fzh_contains(res.body, res.len, portal));
	fzh_res_free(&res);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		fzh_get(d, paths[i], rkey, &res);
		assert_int_equal(res.status, 200);
		assert_true(fzh_contains(res.body, res.len, "pack.sent"));
		if (fzh_contains(res.body, res.len, portal) ||
		    fzh_contains(res.body, res.len, "share_url"))
			fail_msg("%s shows a read key the link: %s", paths[i],
			    res.body);
		assert_true(res.json != NULL);
		fzh_res_free(&res);
		fzh_get(d, paths[i], e.tok, &res);
		assert_true(fzh_contains(res.body, res.len, portal));
		fzh_res_free(&res);
	}
	/* The trigger's page is kept between commits (state/pagecache.h):
	 * the next send shows at once, each key still seeing its own. */
	fzh_get(d, paths[1], rkey, &res);
	assert_int_equal(json_array_size(res.json), 1);
	fzh_res_free(&res);
	new_project(d, &e, "Web Design", pid);
	send_pack(d, &e, pid, "{}", portal2, sent);
	fzh_get(d, paths[1], rkey, &res);
	assert_int_equal(json_array_size(res.json), 2);
	assert_false(fzh_contains(res.body, res.len, "share_url"));
	fzh_res_free(&res);
	fzh_get(d, paths[1], e.tok, &res);
	assert_int_equal(json_array_size(res.json), 2);
	assert_true(fzh_contains(res.body, res.len, portal2));
	assert_true(fzh_contains(res.body, res.len, portal));
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

/* Guessing the client's email through a link is limited per link,
 * from whatever address: the sixth try in a minute is 429, and none of
 * them records anything. */
static void
test_signoff_guesses_limited(void **state)
{
	struct fzd *d = *state;
	struct env e;
	char pid[64], portal[128], sent[64], so[160], st[32], body[160];
	char rtok[64];
	struct fzh_res res;
	int i;

	boot(d, &e);
	portal_key(d, &e, rtok);
	new_project(d, &e, "Web Design", pid);
	send_pack(d, &e, pid, "{}", portal, sent);
	snprintf(so, sizeof(so), "%s/signoff", portal);
	for (i = 0; i < 5; i++) {
		snprintf(body, sizeof(body), "{\"name\":\"M\",\"email\":"
		    "\"guess%d@example.com\"}", i);
		api(fzh_portal(d), "POST", so, NULL, body, &res);
		fzh_assert_envelope(&res, 403, "FORBIDDEN");
		fzh_res_free(&res);
	}
	api(fzh_portal(d), "POST", so, NULL, "{\"name\":\"Jane\",\"email\":"
	    "\"jane@example.com\"}", &res);
	fzh_assert_envelope(&res, 429, "RATE_LIMITED");
	assert_non_null(fzh_header(&res, "Retry-After"));
	fzh_res_free(&res);
	fzh_assert_str(status_of(d, &e, pid, st), "sent");
	assert_events(d, rtok, "pack.sent");
	fzh_stop_ok(d);
}

static void
test_signoff_absent(void **state)
{
	struct fzd *d = *state;
	struct env e;
	char draft[64], viewed[64], path[256], portal[128], sent[64];
	struct fzh_res res;

	boot(d, &e);
	new_project(d, &e, "Web Design", draft);
	new_project(d, &e, "SEO", viewed);
	send_pack(d, &e, viewed, "{}", portal, sent);
	portal_json(fzh_portal(d), portal, &res);
	fzh_assert_envelope(&res, 200, NULL);
	if (!json_is_null(fzh_json_get(&res, "data.signoff")))
		fail_msg("an unsigned pack shows a sign-off: %s", res.body);
	fzh_res_free(&res);

	fzh_get(d, ppath(path, sizeof(path), draft, "/signoff"), e.tok, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	fzh_get(d, ppath(path, sizeof(path), viewed, "/signoff"), e.tok,
	    &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	fzh_get(d, ppath(path, sizeof(path), UNKNOWN_PROJECT, "/signoff"),
	    e.tok, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	fzh_get(d, "/api/v1/projects/signoff_x/signoff", e.tok, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	fzh_get(d, "/api/v1/signoffs", e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_int_equal(json_array_size(fzh_json_get(&res, "data")), 0);
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

/*
 * The client views the pack, the agency revises and re-sends it, the
 * client views the revision: the project must read "viewed" again,
 * not stay "sent" although the client has seen what was sent.
 */
static void
test_resend_after_view_status(void **state)
{
	struct fzd *d = *state;
	struct env e;
	char pid[64], path[256], portal[128], portal2[128], sent[64];
	char sent2[64], st[32], shown[32];
	struct fzh_res res;

	boot(d, &e);
	new_project(d, &e, "Web Design", pid);
	send_pack(d, &e, pid, "{\"personalMessage\":\"v1\"}", portal, sent);
	snprintf(path, sizeof(path), "%s/view", portal);
	api(fzh_portal(d), "POST", path, NULL, NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	fzh_assert_str(status_of(d, &e, pid, st), "viewed");

	api(d, "PUT", ppath(path, sizeof(path), pid, "/pack"), e.tok,
	    "{\"sections\":[{\"title\":\"Docs\",\"items\":[{\"type\":\"note\","
	    "\"label\":\"Revised\",\"text\":\"New text\"}]}]}", &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	send_pack(d, &e, pid, "{\"personalMessage\":\"v2\"}", portal2, sent2);
	fzh_assert_str(portal2, portal);	/* one link per project */

	portal_json(fzh_portal(d), portal, &res);
	fzh_assert_envelope(&res, 200, NULL);
	find_item(&res, "data.sections", "Docs", "Revised");
	fzh_copy_str(&res, "data.project.status", shown, sizeof(shown));
	fzh_res_free(&res);
	status_of(d, &e, pid, st);
	fzh_stop_ok(d);
	if (strcmp(shown, "viewed") != 0 || strcmp(st, "viewed") != 0)
		fail_msg("the client is viewing the re-sent pack, yet the "
		    "portal reads status \"%s\" and the API \"%s\"", shown, st);
}

/* A client who signs without the page having reported a view acted on
 * the pack: pack.viewed comes first, in the same write. */
static void
test_signoff_records_view(void **state)
{
	struct fzd *d = *state;
	struct env e;
	char pid[64], path[256], portal[128], sent[64], rtok[64], at[64];
	struct fzh_res res;

	boot(d, &e);
	portal_key(d, &e, rtok);
	new_project(d, &e, "SEO", pid);
	send_pack(d, &e, pid, "{}", portal, sent);
	snprintf(path, sizeof(path), "%s/signoff", portal);
	api(fzh_portal(d), "POST", path, NULL, "{\"name\":\"Jane\","
	    "\"email\":\"jane@example.com\"}", &res);
	fzh_assert_envelope(&res, 201, NULL);
	fzh_copy_str(&res, "data.signedAt", at, sizeof(at));
	fzh_res_free(&res);
	assert_events(d, rtok, "pack.sent,pack.viewed,client.signed_off");
	fzh_get(d, ppath(path, sizeof(path), pid, ""), e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.status"), "signed_off");
	fzh_assert_str(fzh_json_str(&res, "data.viewedAt"), at);
	fzh_res_free(&res);

	/* A view reported afterwards records nothing more. */
	snprintf(path, sizeof(path), "%s/view", portal);
	api(fzh_portal(d), "POST", path, NULL, NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.project.status"),
	    "signed_off");
	fzh_res_free(&res);
	assert_events(d, rtok, "pack.sent,pack.viewed,client.signed_off");
	fzh_stop_ok(d);
}

/* The user agent kept as evidence is bounded, valid UTF-8 text. */
static void
test_signoff_user_agent(void **state)
{
	struct fzd *d = *state;
	struct env e;
	char pids[3][64], path[256], portal[128], sent[64], ua[1200];
	char hdr[1300], want[600];
	const char *got;
	struct fzh_res res;
	size_t i;

	boot(d, &e);
	for (i = 0; i < 3; i++)
		new_project(d, &e, "SEO", pids[i]);

	/* Too long: cut at 512 bytes, never inside a character. */
	memset(ua, 'a', 511);
	for (i = 511; i + 2 < 1100; i += 2)
		memcpy(ua + i, "\xc3\xa9", 2);		/* U+00E9 */
	ua[i] = '\0';
	snprintf(want, sizeof(want), "%.511s", ua);
	for (i = 0; i < 3; i++) {
		send_pack(d, &e, pids[i], "{}", portal, sent);
		snprintf(path, sizeof(path), "%s/signoff", portal);
		if (i == 0)
			snprintf(hdr, sizeof(hdr), "User-Agent: %s", ua);
		else if (i == 1)	/* no UTF-8, C1, tab, cut short */
			snprintf(hdr, sizeof(hdr), "User-Agent: Bot/1 \xff\xfe"
			    "\xc2\x85\tend \xe2\x82");
		else
			snprintf(hdr, sizeof(hdr), "X-None: 1");
		fzh_api(fzh_portal(d), "POST", path, NULL, hdr, "{\"name\":"
		    "\"Jane\",\"email\":\"jane@example.com\"}", &res);
		fzh_assert_envelope(&res, 201, NULL);
		fzh_res_free(&res);
		fzh_get(d, ppath(path, sizeof(path), pids[i], "/signoff"),
		    e.tok, &res);
		fzh_assert_envelope(&res, 200, NULL);
		got = fzh_json_str(&res, "data.userAgent");
		if (i == 0)
			fzh_assert_str(got, want);
		else if (i == 1)
			fzh_assert_str(got, "Bot/1 ????end ??");
		else if (!json_is_null(fzh_json_get(&res, "data.userAgent")))
			fail_msg("no User-Agent, yet one kept: %s", res.body);
		fzh_res_free(&res);
	}
	fzh_stop_ok(d);
}

/* Waits (FZH_WAIT_MS at most) until the project's firstFetchedAt, read
 * through d, is a time, and writes it into out (64 bytes). */
static void
wait_first_fetch(const struct fzd *d, const struct env *e, const char *pid,
    char *out)
{
	long long deadline = fzh_now_ms() + FZH_WAIT_MS;
	char path[256];
	struct fzh_res res;

	for (;;) {
		fzh_get(d, ppath(path, sizeof(path), pid, ""), e->tok, &res);
		fzh_assert_envelope(&res, 200, NULL);
		if (json_is_string(fzh_json_get(&res, "data.firstFetchedAt")))
			break;
		if (!json_is_null(fzh_json_get(&res, "data.firstFetchedAt")))
			fail_msg("firstFetchedAt is neither null nor a time: "
			    "%s", res.body);
		if (fzh_now_ms() > deadline)
			fail_msg("the first fetch was not kept: %s", res.body);
		fzh_res_free(&res);
		nap_ms(10);
	}
	fzh_copy_str(&res, "data.firstFetchedAt", out, 64);
	assert_true(fzh_match(rfc3339_re, out));
	fzh_res_free(&res);
}

/*
 * The first fetch of a share link (a HEAD here, as a scanner sends) is
 * kept apart from the first view, once; and a password the client
 * reveals in the portal is in the agency's audit list, never the
 * password itself. Through the edge in both store modes.
 */
static void
test_first_fetch_and_reveal_audit(void **state)
{
	struct fzd *d = *state;
	struct env e;
	char pid[64], path[256], portal[128], sent[64], secret[128];
	char body[1024], first[64], rtok[64];
	struct fzh_res res;
	json_t *rev;

	boot(d, &e);
	portal_key(d, &e, rtok);
	new_project(d, &e, "Web Design", pid);
	make_secret(secret, sizeof(secret));
	api(d, "PUT", ppath(path, sizeof(path), pid, "/pack"), e.tok,
	    cred_pack(body, sizeof(body), secret), &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_true(json_is_null(fzh_json_get(&res, "data.firstFetchedAt")));
	fzh_res_free(&res);
	send_pack(d, &e, pid, "{}", portal, sent);
	fzh_get(d, ppath(path, sizeof(path), pid, ""), e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_true(json_is_null(fzh_json_get(&res, "data.firstFetchedAt")));
	fzh_res_free(&res);

	assert_int_equal(fzh_api(fzh_portal(d), "HEAD", portal, NULL,
	    "User-Agent: Mozilla/5.0 (compatible; Google-Safety)", NULL, &res),
	    200);
	fzh_res_free(&res);
	wait_first_fetch(d, &e, pid, first);
	/* Later fetches, page or JSON, keep the first. */
	nap_ms(5);
	fzh_get(fzh_portal(d), portal, NULL, &res);
	assert_int_equal(res.status, 200);
	fzh_res_free(&res);
	portal_json(fzh_portal(d), portal, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	nap_ms(50);
	fzh_get(d, ppath(path, sizeof(path), pid, ""), e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.firstFetchedAt"), first);
	fzh_assert_str(fzh_json_str(&res, "data.status"), "sent");
	assert_true(json_is_null(fzh_json_get(&res, "data.viewedAt")));
	fzh_res_free(&res);
	fzh_get(d, ppath(path, sizeof(path), pid, "/pack"), e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.firstFetchedAt"), first);
	assert_true(json_is_null(fzh_json_get(&res, "data.viewedAt")));
	fzh_res_free(&res);
	assert_events(d, rtok, "pack.sent");

	/* Nothing revealed yet. */
	fzh_get(d, ppath(path, sizeof(path), pid, "/pack/reveals"), e.tok,
	    &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_int_equal(json_array_size(fzh_json_get(&res, "data")), 0);
	fzh_res_free(&res);

	/* The client reveals: the password to the page, and a view. */
	snprintf(path, sizeof(path), "%s/reveal", portal);
	fzh_api(fzh_portal(d), "POST", path, NULL, "User-Agent: Mozilla/5.0 "
	    "(X11; Linux x86_64) Firefox/121.0", "{\"section\":0,\"item\":0,"
	    "\"label\":\"CMS\"}", &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.password"), secret);
	fzh_assert_str(fzh_header(&res, "Cache-Control"), "no-store");
	fzh_res_free(&res);
	assert_events(d, rtok, "pack.sent,pack.viewed");

	fzh_get(d, ppath(path, sizeof(path), pid, "/pack/reveals"), e.tok,
	    &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_int_equal(json_array_size(fzh_json_get(&res, "data")), 1);
	rev = json_array_get(fzh_json_get(&res, "data"), 0);
	fzh_assert_str(json_string_value(json_object_get(rev, "label")), "CMS");
	fzh_assert_str(json_string_value(json_object_get(rev, "sectionTitle")),
	    "Access");
	fzh_assert_str(json_string_value(json_object_get(rev, "ipAddress")),
	    "127.0.0.1");
	fzh_assert_str(json_string_value(json_object_get(rev, "userAgent")),
	    "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0");
	assert_true(fzh_match(rfc3339_re, json_string_value(json_object_get(
	    rev, "revealedAt"))));
	assert_true(json_integer_value(json_object_get(rev, "section")) == 0 &&
	    json_is_integer(json_object_get(rev, "item")));
	assert_no_secret(&res, secret);
	fzh_res_free(&res);
	/* Nor does any read of the pack say it. */
	fzh_get(d, ppath(path, sizeof(path), pid, "/pack"), e.tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	assert_no_secret(&res, secret);
	fzh_res_free(&res);
	/* Another workspace's project is no project of this one. */
	fzh_get(d, ppath(path, sizeof(path), UNKNOWN_PROJECT, "/pack/reveals"),
	    e.tok, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fzh_setup, fzh_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_pack_from_template),
		T(test_credential_sealed),
		T(test_pack_validation),
		T(test_password_kept),
		T(test_send),
		T(test_portal_view),
		T(test_portal_fetch_records_nothing),
		T(test_signoff),
		T(test_signoff_guesses_limited),
		T(test_share_link_hidden_from_read_keys),
		T(test_signoff_records_view),
		T(test_signoff_user_agent),
		T(test_signoff_absent),
		T(test_resend_after_view_status),
		T(test_first_fetch_and_reveal_audit),
	};

	return cmocka_run_group_tests_name("e2e_packs", tests,
	    fzh_group_setup, fzh_group_teardown);
}
