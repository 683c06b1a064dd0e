#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cmd/admin.h"
#include "common/cfg.h"
#include "common/clock.h"
#include "common/fz.h"
#include "common/log.h"
#include "common/text.h"
#include "state/apikey.h"
#include "state/journal.h"
#include "state/workspace.h"

#define EX_FAIL		1
#define EX_USAGE	2

/* Options every admin command takes, plus its own (name, value). */
struct admin_opts {
	const char	*config;
	const char	*state_dir;
	const char	*name;
	const char	*plan;
	const char	*workspace;
	const char	*scopes;
	const char	*id;
	const char	*pos;		/* one positional argument */
};

static int
admin_parse(int argc, char *argv[], struct admin_opts *o)
{
	static const struct {
		const char	*flag;
		size_t		 off;
	} flags[] = {
		{ "-c", offsetof(struct admin_opts, config) },
		{ "--config", offsetof(struct admin_opts, config) },
		{ "--state-dir", offsetof(struct admin_opts, state_dir) },
		{ "--state_dir", offsetof(struct admin_opts, state_dir) },
		{ "--name", offsetof(struct admin_opts, name) },
		{ "--plan", offsetof(struct admin_opts, plan) },
		{ "--workspace", offsetof(struct admin_opts, workspace) },
		{ "--scopes", offsetof(struct admin_opts, scopes) },
		{ "--id", offsetof(struct admin_opts, id) },
	};
	size_t j, n;
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < argc; i++) {
		for (j = 0; j < FZ_NELEM(flags); j++) {
			n = strlen(flags[j].flag);
			if (strncmp(argv[i], flags[j].flag, n) != 0)
				continue;
			if (argv[i][n] == '=') {
				*(const char **)(void *)((char *)o +
				    flags[j].off) = argv[i] + n + 1;
				break;
			}
			if (argv[i][n] != '\0')
				continue;
			if (i + 1 == argc) {
				fprintf(stderr, "fzrelay: %s needs a value\n",
				    argv[i]);
				return -1;
			}
			*(const char **)(void *)((char *)o + flags[j].off) =
			    argv[++i];
			break;
		}
		if (j < FZ_NELEM(flags))
			continue;
		if (argv[i][0] == '-' || o->pos != NULL) {
			fprintf(stderr, "fzrelay: unexpected argument %s\n",
			    argv[i]);
			return -1;
		}
		o->pos = argv[i];
	}
	return 0;
}

/* Opens the state the daemon would use: --state-dir, else the -c file's
 * or FZRELAY_STATE_DIR's state_dir, else the default. The secret's path
 * is written to secret (size bytes) when it is not NULL. */
static int
admin_open_secret(const struct admin_opts *o, struct state **st,
    char *secret, size_t size)
{
	char flag[4200], *args[1], *errors = NULL;
	struct cfg *cfg = NULL;
	int n = 0, err;

	if (o->state_dir != NULL) {
		snprintf(flag, sizeof(flag), "--state_dir=%s", o->state_dir);
		args[n++] = flag;
	}
	if (cfg_load(o->config, n, args, &cfg, &errors) != 0) {
		fprintf(stderr, "fzrelay: %s\n", errors ? errors :
		    "out of memory");
		free(errors);
		return -1;
	}
	err = state_open(cfg->state_dir, st);
	if (err != 0)
		fprintf(stderr, "fzrelay: cannot open state in %s: %s\n",
		    cfg->state_dir, fz_strerror(err));
	if (secret != NULL && cfg->credentials_key_file != NULL)
		snprintf(secret, size, "%s", cfg->credentials_key_file);
	else if (secret != NULL)
		snprintf(secret, size, "%s/secret.key", cfg->state_dir);
	cfg_free(cfg);
	return err == 0 ? 0 : -1;
}

static int
admin_open(const struct admin_opts *o, struct state **st)
{
	return admin_open_secret(o, st, NULL, 0);
}

static int
admin_ws_print_cb(const struct workspace *ws, void *arg)
{
	char created[CLOCK_RFC3339_SIZE];

	(void)arg;
	printf("%s\t%s\t%s\t%s\n", ws->id, workspace_plan_name(ws->plan),
	    clock_rfc3339(ws->created_ms, created), ws->name);
	return 0;
}

/* Moves a workspace to another plan; its webhooks and Zapier hooks pause
 * or resume with it (state/workspace.h). */
static int
admin_set_plan(struct state *st, const char *id, enum plan plan)
{
	enum plan was;
	int err;

	if ((err = workspace_set_plan(st, id, plan, &was)) == FZ_ENOTFOUND) {
		fprintf(stderr, "fzrelay: no workspace %s\n", id);
		return EX_FAIL;
	}
	if (err != 0) {
		fprintf(stderr, "fzrelay: workspace set-plan: %s\n",
		    fz_strerror(err));
		return EX_FAIL;
	}
	fprintf(stderr, "fzrelay: %s is on %s (was %s)\n", id,
	    workspace_plan_name(plan), workspace_plan_name(was));
	return 0;
}

int
admin_workspace(int argc, char *argv[])
{
	struct admin_opts o;
	struct state *st = NULL;
	struct workspace ws;
	enum plan plan;
	int rc = EX_USAGE, err;

	if (argc < 2 || admin_parse(argc - 2, argv + 2, &o) != 0 ||
	    (o.pos != NULL && strcmp(argv[1], "set-plan") != 0))
		goto usage;
	if (strcmp(argv[1], "create") == 0) {
		if (o.name == NULL || o.plan == NULL)
			goto usage;
		if (!text_name_valid(o.name, FZ_NAME_MAX)) {
			fprintf(stderr, "fzrelay: --name: want 1..%d bytes of "
			    "printable UTF-8\n", FZ_NAME_MAX);
			return EX_USAGE;
		}
		if (workspace_plan_parse(o.plan, &plan) != 0) {
			fprintf(stderr, "fzrelay: --plan: want free, pro or "
			    "agency\n");
			return EX_USAGE;
		}
		if (admin_open(&o, &st) != 0)
			return EX_FAIL;
		rc = EX_FAIL;
		if ((err = workspace_create_id(st, o.id, o.name, plan, &ws)) !=
		    0)
			fprintf(stderr, "fzrelay: workspace create: %s\n",
			    err == FZ_EINVAL ? "--id: want ws_ and 1..24 "
			    "letters or digits" : fz_strerror(err));
		else {
			printf("%s\n", ws.id);
			rc = 0;
		}
	} else if (strcmp(argv[1], "set-plan") == 0) {
		if (o.pos == NULL || o.plan == NULL)
			goto usage;
		if (workspace_plan_parse(o.plan, &plan) != 0) {
			fprintf(stderr, "fzrelay: --plan: want free, pro or "
			    "agency\n");
			return EX_USAGE;
		}
		if (admin_open(&o, &st) != 0)
			return EX_FAIL;
		rc = admin_set_plan(st, o.pos, plan);
	} else if (strcmp(argv[1], "list") == 0) {
		if (admin_open(&o, &st) != 0)
			return EX_FAIL;
		rc = EX_FAIL;
		if ((err = workspace_list(st, admin_ws_print_cb, NULL)) != 0)
			fprintf(stderr, "fzrelay: workspace list: %s\n",
			    fz_strerror(err));
		else
			rc = 0;
	} else
		goto usage;
	state_close(st);
	return rc;
usage:
	fprintf(stderr, "usage: fzrelay workspace create --name NAME --plan "
	    "free|pro|agency [--id ws_...] [--state-dir DIR | -c FILE]\n"
	    "       fzrelay workspace set-plan WS_ID --plan free|pro|agency "
	    "[--state-dir DIR | -c FILE]\n"
	    "       fzrelay workspace list [--state-dir DIR | -c FILE]\n");
	return EX_USAGE;
}

static int
admin_key_print_cb(const struct apikey *key, void *arg)
{
	char created[CLOCK_RFC3339_SIZE], used[CLOCK_RFC3339_SIZE];
	char revoked[CLOCK_RFC3339_SIZE];

	(void)arg;
	printf("%s\t%s\t%s\t%s…\t%s\t%s\t%s\t%s\n", key->id,
	    key->workspace_id, apikey_scope_name(key->scope), key->prefix,
	    clock_rfc3339(key->created_ms, created),
	    key->last_used_ms ? clock_rfc3339(key->last_used_ms, used) : "-",
	    key->revoked_ms ? clock_rfc3339(key->revoked_ms, revoked) : "-",
	    key->name);
	return 0;
}

static int
admin_key_create(struct state *st, const struct admin_opts *o,
    enum scope scope)
{
	char token[SECURE_TOKEN_SIZE];
	struct apikey key;
	int err;

	err = apikey_create(st, o->workspace, o->name, scope, &key, token);
	if (err == FZ_ENOTFOUND)
		fprintf(stderr, "fzrelay: no workspace %s\n", o->workspace);
	else if (err != 0)
		fprintf(stderr, "fzrelay: key create: %s\n", fz_strerror(err));
	if (err != 0)
		return EX_FAIL;
	printf("%s\n", token);
	memset(token, 0, sizeof(token));
	fprintf(stderr, "fzrelay: created %s (%s); the token above is shown "
	    "only once\n", key.id, apikey_scope_name(key.scope));
	return 0;
}

int
admin_key(int argc, char *argv[])
{
	struct admin_opts o;
	struct state *st = NULL;
	enum scope scope;
	int rc = EX_FAIL, err;

	if (argc < 2 || admin_parse(argc - 2, argv + 2, &o) != 0)
		goto usage;
	if (strcmp(argv[1], "create") == 0) {
		if (o.workspace == NULL || o.name == NULL || o.pos != NULL)
			goto usage;
		if (apikey_scope_parse(o.scopes ? o.scopes : "read",
		    &scope) != 0) {
			fprintf(stderr, "fzrelay: --scopes: want read, write, "
			    "admin or service, comma-separated\n");
			return EX_USAGE;
		}
		if (!text_name_valid(o.name, FZ_NAME_MAX)) {
			fprintf(stderr, "fzrelay: --name: want 1..%d bytes of "
			    "printable UTF-8\n", FZ_NAME_MAX);
			return EX_USAGE;
		}
		if (admin_open(&o, &st) != 0)
			return EX_FAIL;
		rc = admin_key_create(st, &o, scope);
	} else if (strcmp(argv[1], "list") == 0) {
		if (o.pos != NULL)
			goto usage;
		if (admin_open(&o, &st) != 0)
			return EX_FAIL;
		if ((err = apikey_list(st, o.workspace, admin_key_print_cb,
		    NULL)) != 0)
			fprintf(stderr, "fzrelay: key list: %s\n",
			    fz_strerror(err));
		else
			rc = 0;
	} else if (strcmp(argv[1], "revoke") == 0) {
		if (o.pos == NULL)
			goto usage;
		if (admin_open(&o, &st) != 0)
			return EX_FAIL;
		err = apikey_revoke(st, o.pos, clock_now_ms());
		if (err == 0) {
			fprintf(stderr, "fzrelay: revoked %s\n", o.pos);
			rc = 0;
		} else if (err == FZ_ENOTFOUND)
			fprintf(stderr, "fzrelay: no key %s\n", o.pos);
		else if (err == FZ_ECONFLICT)
			fprintf(stderr, "fzrelay: %s was already revoked\n",
			    o.pos);
		else
			fprintf(stderr, "fzrelay: key revoke: %s\n",
			    fz_strerror(err));
	} else
		goto usage;
	state_close(st);
	return rc;
usage:
	fprintf(stderr, "usage: fzrelay key create --workspace ID --name NAME "
	    "[--scopes read|write|admin] [--state-dir DIR | -c FILE]\n"
	    "       fzrelay key list [--workspace ID] [--state-dir DIR | -c "
	    "FILE]\n"
	    "       fzrelay key revoke KEY_ID [--state-dir DIR | -c FILE]\n");
	return EX_USAGE;
}

static void
admin_tail_cb(uint64_t seq, const char *json, size_t len, void *arg)
{
	(void)arg;
	printf("%llu\t%.*s\n", (unsigned long long)seq, (int)len, json);
}

/* Copies the secret next to the backup, mode 0600: without it sealed
 * passwords and issued cursors cannot be used. */
static int
admin_copy_secret(const char *from, const char *dir)
{
	char to[4200], buf[64];
	ssize_t n;
	int in, out, rc = -1;

	snprintf(to, sizeof(to), "%s/secret.key", dir);
	if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) >=
	    0) {
		if ((n = read(in, buf, sizeof(buf))) > 0 &&
		    write(out, buf, (size_t)n) == n && fsync(out) == 0)
			rc = 0;
		if (close(out) != 0)
			rc = -1;
	}
	close(in);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

static int
admin_backup(struct state *st, const char *secret, const char *dir)
{
	char path[4200];

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "fzrelay: backup: %s: %s\n", dir,
		    strerror(errno));
		return EX_FAIL;
	}
	if (state_backup(st, dir) != 0) {
		fprintf(stderr, "fzrelay: backup to %s failed (it must be an "
		    "empty directory)\n", dir);
		return EX_FAIL;
	}
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	if (chmod(path, 0600) != 0 || admin_copy_secret(secret, dir) != 0) {
		fprintf(stderr, "fzrelay: backup: could not copy %s\n",
		    secret);
		return EX_FAIL;
	}
	fprintf(stderr, "fzrelay: backed up to %s\n", dir);
	return 0;
}

int
admin_journal(int argc, char *argv[])
{
	struct journal_stats js;
	struct admin_opts o;
	struct state *st = NULL;
	char secret[4200], *end;
	unsigned long n = 10;
	int rc = EX_FAIL;

	if (argc < 2 || admin_parse(argc - 2, argv + 2, &o) != 0)
		goto usage;
	if (strcmp(argv[1], "stats") == 0 && o.pos == NULL) {
		if (admin_open(&o, &st) != 0)
			return EX_FAIL;
		if (journal_stats(st, &js) == 0) {
			printf("events\t%llu\nfirst_seq\t%llu\nlast_seq\t%llu\n"
			    "map_bytes\t%zu\nused_bytes\t%zu\n",
			    (unsigned long long)js.events,
			    (unsigned long long)js.first_seq,
			    (unsigned long long)js.last_seq, js.map_bytes,
			    js.used_bytes);
			rc = 0;
		}
	} else if (strcmp(argv[1], "tail") == 0) {
		if (o.pos != NULL && (n = strtoul(o.pos, &end, 10), *end != '\0'
		    || n == 0 || n > 100000))
			goto usage;
		if (admin_open(&o, &st) != 0)
			return EX_FAIL;
		if (journal_tail(st, (unsigned)n, admin_tail_cb, NULL) == 0)
			rc = 0;
	} else if (strcmp(argv[1], "backup") == 0 && o.pos != NULL) {
		if (admin_open_secret(&o, &st, secret, sizeof(secret)) != 0)
			return EX_FAIL;
		rc = admin_backup(st, secret, o.pos);
	} else
		goto usage;
	if (rc == EX_FAIL && strcmp(argv[1], "backup") != 0)
		fprintf(stderr, "fzrelay: journal %s failed\n", argv[1]);
	state_close(st);
	return rc;
usage:
	fprintf(stderr, "usage: fzrelay journal stats [--state-dir DIR | -c "
	    "FILE]\n"
	    "       fzrelay journal tail [N] [--state-dir DIR | -c FILE]\n"
	    "       fzrelay journal backup DIR [--state-dir DIR | -c FILE]\n");
	return EX_USAGE;
}
