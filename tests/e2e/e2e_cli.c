/*
 * e2e_cli.c: the admin CLI (workspace and key commands) on a state
 * directory, alone and beside a running daemon.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/e2e/harness.h"

#define OUT_MAX	8192

/* Runs the CLI with NULL-terminated args on d's state dir. */
static int
cli(const struct fzd *d, char *out, char *err, const char *const *args)
{
	return fzh_run(args, NULL, d->dir, out, OUT_MAX, err, OUT_MAX);
}

/* Returns the id (first field) of the key list line holding needle. */
static void
key_id_of(const char *list, const char *needle, char *id, size_t size)
{
	const char *p, *line;

	if ((p = strstr(list, needle)) == NULL)
		fail_msg("%s is not in the key list: %s", needle, list);
	for (line = p; line > list && line[-1] != '\n'; line--)
		;
	snprintf(id, size, "%.*s", (int)strcspn(line, "\t\n"), line);
	if (!fzh_match("^key_[0-9A-Za-z]+$", id))
		fail_msg("bad key id \"%s\" in %s", id, list);
}

/* Returns the line of list that starts with id, copied into buf. */
static const char *
line_of(const char *list, const char *id, char *buf, size_t size)
{
	const char *p = list;
	size_t n = strlen(id);

	for (;;) {
		if (strncmp(p, id, n) == 0 && p[n] == '\t') {
			snprintf(buf, size, "%.*s", (int)strcspn(p, "\n"), p);
			return buf;
		}
		if ((p = strchr(p, '\n')) == NULL || *++p == '\0')
			fail_msg("no line for %s in: %s", id, list);
	}
}

static void
test_workspace_create(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "workspace", "create", "--name", "Acme Agency",
	    "--plan", "agency", NULL };
	char out[OUT_MAX], err[OUT_MAX];

	assert_int_equal(cli(d, out, err, args), 0);
	if (!fzh_match("^ws_[0-9A-Za-z]{20}\n$", out))
		fail_msg("stdout is not an id alone: \"%s\"", out);
}

static void
test_workspace_bad_plan(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "workspace", "create", "--name", "X",
	    "--plan", "gold", NULL };
	const char *args2[] = { "workspace", "create", "--plan", "pro", NULL };
	const char *list[] = { "workspace", "list", NULL };
	char out[OUT_MAX], err[OUT_MAX];

	assert_int_not_equal(cli(d, out, err, args), 0);
	fzh_assert_str(out, "");
	assert_true(strlen(err) > 0);
	assert_non_null(strstr(err, "plan"));
	/* No name: refused as well. */
	assert_int_not_equal(cli(d, out, err, args2), 0);
	fzh_assert_str(out, "");
	assert_true(strlen(err) > 0);
	/* Nothing was created. */
	assert_int_equal(cli(d, out, err, list), 0);
	assert_null(strstr(out, "ws_"));
}

static void
test_workspace_list(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "workspace", "list", NULL };
	char ws1[64], ws2[64], out[OUT_MAX], err[OUT_MAX], line[512];

	fzh_workspace(d->dir, "First Agency", "agency", ws1, sizeof(ws1));
	fzh_workspace(d->dir, "Second Studio", "pro", ws2, sizeof(ws2));
	assert_int_equal(cli(d, out, err, args), 0);
	line_of(out, ws1, line, sizeof(line));
	assert_non_null(strstr(line, "\tagency\t"));
	assert_non_null(strstr(line, "First Agency"));
	line_of(out, ws2, line, sizeof(line));
	assert_non_null(strstr(line, "\tpro\t"));
	assert_non_null(strstr(line, "Second Studio"));
}

static void
test_key_create(void **state)
{
	struct fzd *d = *state;
	char ws[64], out[OUT_MAX], err[OUT_MAX];
	const char *args[] = { "key", "create", "--workspace", ws, "--scopes",
	    "read,write", "--name", "zapier", NULL };

	fzh_workspace(d->dir, "A", "agency", ws, sizeof(ws));
	assert_int_equal(cli(d, out, err, args), 0);
	if (!fzh_match("^fz_live_[0-9A-Za-z]{40}\n$", out))
		fail_msg("stdout is not a token alone: \"%s\"", out);
	/* The token goes to stdout only. */
	out[strcspn(out, "\n")] = '\0';
	assert_null(strstr(err, out));
}

static void
test_key_create_refused(void **state)
{
	struct fzd *d = *state;
	char ws[64], out[OUT_MAX], err[OUT_MAX];
	const char *unknown[] = { "key", "create", "--workspace",
	    "ws_00000000000000000000", "--scopes", "read", "--name", "k",
	    NULL };
	const char *badscope[] = { "key", "create", "--workspace", ws,
	    "--scopes", "root", "--name", "k", NULL };
	const char *list[] = { "key", "list", NULL };

	fzh_workspace(d->dir, "A", "agency", ws, sizeof(ws));
	assert_int_not_equal(cli(d, out, err, unknown), 0);
	fzh_assert_str(out, "");
	assert_non_null(strstr(err, "ws_00000000000000000000"));
	assert_int_not_equal(cli(d, out, err, badscope), 0);
	fzh_assert_str(out, "");
	assert_true(strlen(err) > 0);
	assert_int_equal(cli(d, out, err, list), 0);
	assert_null(strstr(out, "key_"));
}

/* Writes into needle the end of the key list line of the key named
 * name (the last field). */
static const char *
name_needle(char *needle, size_t size, const char *name)
{
	snprintf(needle, size, "\t%s\n", name);
	return needle;
}

/* key list shows the token's public part and not one character of its
 * secret part (no run of six, where earlier versions showed its first
 * six). */
static void
test_key_list(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "key", "list", NULL };
	char ws[64], tok[64], id[64], needle[32], window[7], line[1024];
	char out[OUT_MAX], err[OUT_MAX];
	const char *f;
	size_t i;
	int n;

	fzh_workspace(d->dir, "A", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read,write", "zapier", tok, sizeof(tok));
	assert_int_equal(cli(d, out, err, args), 0);
	key_id_of(out, name_needle(needle, sizeof(needle), "zapier"), id,
	    sizeof(id));
	line_of(out, id, line, sizeof(line));
	assert_non_null(strstr(line, ws));
	assert_non_null(strstr(line, "\twrite\t"));
	assert_non_null(strstr(line, "zapier"));
	/* The fourth field, the prefix. */
	for (f = line, n = 0; n < 3 && f != NULL; n++)
		if ((f = strchr(f, '\t')) != NULL)
			f++;
	assert_non_null(f);
	if (strncmp(f, "fz_live_\xe2\x80\xa6\t", 12) != 0)
		fail_msg("prefix field of %s", line);
	assert_int_equal(strlen(tok), 48);
	for (i = 8; i + 6 <= strlen(tok); i++) {
		snprintf(window, sizeof(window), "%.6s", tok + i);
		if (fzh_contains(out, strlen(out), window) ||
		    fzh_contains(err, strlen(err), window))
			fail_msg("key list shows \"%s\" of the token: %s",
			    window, out);
	}
}

static void
test_key_list_filter(void **state)
{
	struct fzd *d = *state;
	char ws1[64], ws2[64], tok1[64], tok2[64], id1[64], id2[64];
	char out[OUT_MAX], err[OUT_MAX], n1[32], n2[32];
	const char *all[] = { "key", "list", NULL };
	const char *only1[] = { "key", "list", "--workspace", ws1, NULL };

	fzh_workspace(d->dir, "One", "agency", ws1, sizeof(ws1));
	fzh_workspace(d->dir, "Two", "pro", ws2, sizeof(ws2));
	fzh_key(d->dir, ws1, "read", "k1", tok1, sizeof(tok1));
	fzh_key(d->dir, ws2, "read", "k2", tok2, sizeof(tok2));
	assert_int_equal(cli(d, out, err, all), 0);
	key_id_of(out, name_needle(n1, sizeof(n1), "k1"), id1, sizeof(id1));
	key_id_of(out, name_needle(n2, sizeof(n2), "k2"), id2, sizeof(id2));
	assert_string_not_equal(id1, id2);
	assert_int_equal(cli(d, out, err, only1), 0);
	assert_non_null(strstr(out, id1));
	assert_null(strstr(out, id2));
	assert_null(strstr(out, ws2));
}

static void
test_key_revoke(void **state)
{
	struct fzd *d = *state;
	char ws[64], tok[64], id[64], needle[32], line[1024];
	char out[OUT_MAX], err[OUT_MAX];
	const char *list[] = { "key", "list", NULL };
	const char *revoke[] = { "key", "revoke", id, NULL };
	const char *unknown[] = { "key", "revoke",
	    "key_00000000000000000000", NULL };
	const char *f;
	int i;

	fzh_workspace(d->dir, "A", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read", "k", tok, sizeof(tok));
	assert_int_equal(cli(d, out, err, list), 0);
	key_id_of(out, name_needle(needle, sizeof(needle), "k"), id,
	    sizeof(id));

	assert_int_equal(cli(d, out, err, revoke), 0);
	fzh_assert_str(out, "");
	assert_int_equal(cli(d, out, err, list), 0);
	line_of(out, id, line, sizeof(line));
	/* The seventh field, revoked, now holds a time. */
	for (f = line, i = 0; i < 6 && f != NULL; i++)
		if ((f = strchr(f, '\t')) != NULL)
			f++;
	assert_non_null(f);
	if (!fzh_match("^[0-9]{4}-[0-9]{2}-[0-9]{2}T", f))
		fail_msg("revoked key's line: %s", line);

	assert_int_not_equal(cli(d, out, err, revoke), 0);
	fzh_assert_str(out, "");
	assert_true(strlen(err) > 0);
	assert_int_not_equal(cli(d, out, err, unknown), 0);
	assert_true(strlen(err) > 0);
}

static void
test_unknown_subcommand(void **state)
{
	struct fzd *d = *state;
	const char *top[] = { "frobnicate", NULL };
	const char *ws[] = { "workspace", "frobnicate", NULL };
	const char *key[] = { "key", "frobnicate", NULL };
	char out[OUT_MAX], err[OUT_MAX];

	assert_int_equal(cli(d, out, err, top), 2);
	fzh_assert_str(out, "");
	assert_true(strlen(err) > 0);
	assert_int_equal(cli(d, out, err, ws), 2);
	fzh_assert_str(out, "");
	assert_int_equal(cli(d, out, err, key), 2);
	fzh_assert_str(out, "");
}

static void
test_cli_beside_daemon(void **state)
{
	struct fzd *d = *state;
	char ws[64], tok[64], out[OUT_MAX], err[OUT_MAX];
	const char *list[] = { "workspace", "list", NULL };
	struct fzh_res res;

	fzh_start(d, NULL, NULL);
	fzh_get(d, "/healthz", NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	fzh_workspace(d->dir, "Live", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read", "k", tok, sizeof(tok));
	/* The daemon sees the new key at once. */
	fzh_get(d, "/api/v1/auth", tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.workspace.id"), ws);
	fzh_res_free(&res);
	assert_int_equal(cli(d, out, err, list), 0);
	assert_non_null(strstr(out, ws));
	fzh_stop_ok(d);
}

/* Fails if any regular file under dir holds needle; returns how many
 * files were read. */
static int
scan_dir(const char *dir, const char *needle)
{
	char path[512];
	struct dirent *de;
	struct stat sb;
	char *data;
	size_t len;
	DIR *dp;
	int n = 0;

	if ((dp = opendir(dir)) == NULL)
		fail_msg("opendir %s", dir);
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			n += scan_dir(path, needle);
			continue;
		}
		if (!S_ISREG(sb.st_mode))
			continue;
		if ((data = fzh_slurp(path, &len)) == NULL)
			fail_msg("cannot read %s", path);
		n++;
		if (fzh_contains(data, len, needle)) {
			free(data);
			closedir(dp);
			fail_msg("%s holds \"%s\"", path, needle);
		}
		free(data);
	}
	closedir(dp);
	return n;
}

static void
test_token_not_stored(void **state)
{
	struct fzd *d = *state;
	char ws[64], tok[64], path[256];
	struct fzh_res res;
	size_t len;
	char *data;

	fzh_workspace(d->dir, "Secretive", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "write", "k", tok, sizeof(tok));
	/* Use it, so last-used writes happen too. */
	fzh_start(d, NULL, NULL);
	fzh_get(d, "/api/v1/auth", tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	fzh_stop_ok(d);

	/* The search does find what is stored. */
	snprintf(path, sizeof(path), "%s/data.mdb", d->dir);
	data = fzh_slurp(path, &len);
	assert_non_null(data);
	assert_true(fzh_contains(data, len, ws));
	assert_true(fzh_contains(data, len, "Secretive"));
	free(data);

	assert_true(scan_dir(d->dir, tok) >= 2);
	scan_dir(d->dir, tok + 8);
}

/* Fails the test unless path has mode want (permission bits). */
static void
assert_mode(const char *path, unsigned want)
{
	struct stat sb;

	if (lstat(path, &sb) != 0)
		fail_msg("%s: %s", path, strerror(errno));
	if ((sb.st_mode & 07777) != want)
		fail_msg("%s has mode %04o, want %04o", path,
		    (unsigned)sb.st_mode & 07777, want);
}

/* A state directory others can reach (a copy under a loose umask) is
 * tightened by the admin commands too, and they say so. */
static void
test_cli_tightens_state_dir(void **state)
{
	struct fzd *d = *state;
	const char *list[] = { "key", "list", NULL };
	char ws[64], tok[64], path[256], out[OUT_MAX], err[OUT_MAX];
	static const char *const files[] = { "data.mdb", "lock.mdb" };
	size_t i;

	fzh_workspace(d->dir, "A", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read", "k", tok, sizeof(tok));
	assert_int_equal(chmod(d->dir, 0755), 0);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", d->dir, files[i]);
		assert_int_equal(chmod(path, 0644), 0);
	}
	assert_int_equal(cli(d, out, err, list), 0);
	assert_non_null(strstr(out, "\tk\n"));
	assert_mode(d->dir, 0700);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", d->dir, files[i]);
		assert_mode(path, 0600);
		if (strstr(err, path) == NULL)
			fail_msg("no word of %s: %s", path, err);
	}
	assert_non_null(strstr(err, "tightened to 0700"));

	/* Tight already: nothing more is said. */
	assert_int_equal(cli(d, out, err, list), 0);
	assert_null(strstr(err, "tightened"));
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fzh_setup, fzh_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_workspace_create),
		T(test_workspace_bad_plan),
		T(test_workspace_list),
		T(test_key_create),
		T(test_key_create_refused),
		T(test_key_list),
		T(test_key_list_filter),
		T(test_key_revoke),
		T(test_cli_tightens_state_dir),
		T(test_unknown_subcommand),
		T(test_cli_beside_daemon),
		T(test_token_not_stored),
	};

	return cmocka_run_group_tests_name("e2e_cli", tests,
	    fzh_group_setup, fzh_group_teardown);
}
