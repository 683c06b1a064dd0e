/*
 * filters.c: fills a workspace with projects for bench/filters.sh, and
 * times the build of the list indexes over them. Not part of the
 * default build: bench/filters.sh compiles it against the build's
 * state/ and common/ archives, as bench/run does seed.c.
 *
 *   filters STATE_DIR WORKSPACE_ID COUNT
 *
 * Project i belongs to client i % 10000 (owner<n>@client<n>.example.com,
 * ten projects each), has status draft, sent, viewed or signed_off for
 * 4, 3, 2 and 1 in ten, and a name of common words and its number; one
 * in a thousand names holds "Needle". Each project goes through
 * clients_ensure_txn, projects_put_txn (which enters it in the list
 * indexes) and packs_init_txn, as a created project does, 5000 to a
 * durable write (state_write; no writer thread runs here). Then the
 * indexes are dropped with their marker and built again by
 * listidx_ensure, as a first start over older data does, and both
 * times are printed. Last, each list bench/filters.sh asks over HTTP
 * is read FILTERS_RUNS times through projects_list, in this process,
 * and its fastest and median times printed: what a page costs the loop,
 * with no HTTP and less of the machine's other work in it. The
 * workspace is not checked: create it first with `fzrelay workspace
 * create`.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/clock.h"
#include "common/fz.h"
#include "common/secure.h"
#include "state/env.h"
#include "state/listidx.h"
#include "state/projects.h"
#include "state/state.h"
#include "state/txn.h"

#define FILTERS_CLIENTS	10000
#define FILTERS_BATCH	5000
#define FILTERS_RUNS	51

struct filters_load {
	const char	*ws;
	unsigned	 from, n;
	int64_t		 now_ms;
	json_t		*sections;
};

static const char *const filters_words[] = { "Website", "Brand", "SEO",
    "Shop", "Portal", "Campaign", "App" };
static const char *const filters_more[] = { "relaunch", "refresh",
    "audit", "launch", "migration", "redesign", "rollout", "update",
    "closeout", "handover", "sprint" };
static const char *const filters_status[] = { "draft", "draft", "draft",
    "draft", "sent", "sent", "sent", "viewed", "viewed", "signed_off" };

static int
filters_number(const char *s, unsigned long lo, unsigned long hi,
    unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < lo ||
	    v > hi)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int
filters_project(MDB_txn *txn, struct state *st, struct filters_load *l,
    unsigned i)
{
	char name[96], cname[64], email[96], id[FZ_ID_SIZE];
	char at[CLOCK_RFC3339_SIZE];
	json_t *client = NULL, *p = NULL;
	int created, err;

	snprintf(cname, sizeof(cname), "Client Company %u",
	    i % FILTERS_CLIENTS);
	snprintf(email, sizeof(email), "owner%u@client%u.example.com",
	    i % FILTERS_CLIENTS, i % FILTERS_CLIENTS);
	snprintf(name, sizeof(name), "%s %s%s %u",
	    filters_words[i % FZ_NELEM(filters_words)],
	    filters_more[i % FZ_NELEM(filters_more)],
	    i % 1000 == 500 ? " Needle" : "", i);
	if ((err = clients_ensure_txn(txn, st, l->ws, cname, email, NULL,
	    l->now_ms, &client, &created)) != 0 ||
	    (err = secure_id("project", id)) != 0)
		goto out;
	clock_rfc3339(l->now_ms, at);
	p = json_pack("{s:s, s:s, s:s, s:O, s:s, s:s, s:s, s:n, s:s, s:s,"
	    " s:n, s:n, s:n, s:n}", "id", id, "workspaceId", l->ws, "name",
	    name, "clientId", json_object_get(client, "id"), "projectType",
	    filters_words[i % 3], "launchDate", "2026-12-01", "status",
	    filters_status[i % FZ_NELEM(filters_status)], "templateId",
	    "createdAt", at, "updatedAt", at, "sentAt", "viewedAt",
	    "signedOffAt", "personalMessage");
	if (p == NULL) {
		err = FZ_ENOMEM;
		goto out;
	}
	if ((err = projects_put_txn(txn, st, p, l->now_ms)) == 0)
		err = packs_init_txn(txn, st, id, l->sections, l->now_ms);
out:
	json_decref(client);
	json_decref(p);
	return err;
}

static int
filters_batch_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct filters_load *l = arg;
	unsigned i;
	int err;

	for (i = l->from; i < l->from + l->n; i++)
		if ((err = filters_project(txn, st, l, i)) != 0)
			return err;
	return 0;
}

/* Drops the list indexes and their marker: data as a version before
 * them left it. */
static int
filters_forget_fn(MDB_txn *txn, struct state *st, void *arg)
{
	static const enum state_db dbs[] = { DB_PROJECTS_SCAN,
	    DB_PROJECTS_CLIENT, DB_PROJECTS_STATUS, DB_CLIENTS_SCAN };
	MDB_val k;
	size_t i;
	int rc;

	(void)arg;
	for (i = 0; i < FZ_NELEM(dbs); i++)
		if ((rc = mdb_drop(txn, state_dbi(st, dbs[i]), 0)) != 0)
			return state_mdb_err(rc);
	k.mv_data = (void *)"listidx";
	k.mv_size = 7;
	rc = mdb_del(txn, state_dbi(st, DB_META), &k, NULL);
	return rc == MDB_NOTFOUND ? 0 : state_mdb_err(rc);
}

static int
filters_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Times FILTERS_RUNS first pages (limit 50) of ws's projects under f. */
static int
filters_time(struct state *st, const char *ws, const char *what,
    const struct projects_filter *f)
{
	int64_t us[FILTERS_RUNS], t0;
	json_t *page = NULL;
	uint64_t next = 0;
	size_t n = 0;
	int i, err;

	for (i = 0; i < FILTERS_RUNS; i++) {
		t0 = clock_mono_us();
		err = projects_list(st, ws, f, 0, 50, &page, &next);
		us[i] = clock_mono_us() - t0;
		n = json_array_size(page);
		json_decref(page);
		if (err != 0) {
			fprintf(stderr, "filters: %s: %s\n", what,
			    fz_strerror(err));
			return err;
		}
	}
	qsort(us, FILTERS_RUNS, sizeof(us[0]), filters_cmp);
	printf("| %s | %zu | %s | %.2f | %.2f |\n", what, n, next != 0 ?
	    "yes" : "no", (double)us[0] / 1000,
	    (double)us[FILTERS_RUNS / 2] / 1000);
	return 0;
}

/* The lists bench/filters.sh measures over HTTP, read in process. */
static int
filters_times(struct state *st, const char *ws)
{
	static const struct {
		const char		*what;
		struct projects_filter	 f;
	} lists[] = {
		{ "clientEmail (10 projects)", { .client_email =
		    "owner4242@client4242.example.com" } },
		{ "status=signed_off (1 in 10)", { .status = "signed_off" } },
		{ "status + clientEmail", { .status = "draft", .client_email =
		    "owner4242@client4242.example.com" } },
		{ "q=website (1 in 7)", { .q = "website" } },
		{ "q=needle (1 in 1000)", { .q = "needle" } },
		{ "q matching nothing (a page's budget)", { .q = "zzzz" } },
	};
	size_t i;
	int err;

	printf("| list (in process, %d runs) | records | cursor | fastest "
	    "ms | median ms |\n| --- | --- | --- | --- | --- |\n",
	    FILTERS_RUNS);
	if ((err = filters_time(st, ws, "no filter", NULL)) != 0)
		return err;
	for (i = 0; i < FZ_NELEM(lists); i++)
		if ((err = filters_time(st, ws, lists[i].what,
		    &lists[i].f)) != 0)
			return err;
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct state_opts opts = { 0, 0 };
	struct filters_load l;
	struct state *st = NULL;
	unsigned count;
	int64_t start, loaded;
	int err, rc = 1;

	memset(&l, 0, sizeof(l));
	if (argc != 4 || filters_number(argv[3], 1, 10000000, &count) != 0) {
		fprintf(stderr, "usage: filters STATE_DIR WORKSPACE_ID "
		    "COUNT\n");
		return 2;
	}
	if (strncmp(argv[2], "ws_", 3) != 0 || strlen(argv[2]) >= FZ_ID_SIZE) {
		fprintf(stderr, "filters: %s is not a workspace id\n", argv[2]);
		return 2;
	}
	if ((l.sections = json_array()) == NULL)
		return 1;
	if ((err = state_open_opts(argv[1], &opts, &st)) != 0) {
		fprintf(stderr, "filters: %s: %s\n", argv[1], fz_strerror(err));
		goto out;
	}
	l.ws = argv[2];
	start = clock_mono_ms();
	for (l.from = 0; l.from < count; l.from += l.n) {
		l.n = count - l.from < FILTERS_BATCH ? count - l.from :
		    FILTERS_BATCH;
		/* Creation times rise batch by batch, oldest first. */
		l.now_ms = clock_now_ms() - (int64_t)(count - l.from);
		if ((err = state_write(st, filters_batch_fn, &l)) != 0) {
			fprintf(stderr, "filters: after %u projects: %s\n",
			    l.from, fz_strerror(err));
			goto out;
		}
	}
	loaded = clock_mono_ms() - start;
	printf("loaded %u projects (%u clients) in %lld ms\n", count,
	    count < FILTERS_CLIENTS ? count : FILTERS_CLIENTS,
	    (long long)loaded);
	if ((err = state_write(st, filters_forget_fn, NULL)) != 0) {
		fprintf(stderr, "filters: %s\n", fz_strerror(err));
		goto out;
	}
	start = clock_mono_ms();
	if (listidx_ensure(st) != 0)
		goto out;
	printf("built the list indexes over them in %lld ms\n",
	    (long long)(clock_mono_ms() - start));
	if (filters_times(st, l.ws) != 0)
		goto out;
	rc = 0;
out:
	state_close(st);
	json_decref(l.sections);
	return rc;
}
