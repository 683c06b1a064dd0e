/*
 * seed.c: fills a state directory's journal with pack.sent events of one
 * workspace, for the benchmarks. Not part of the default build: bench/run
 * compiles it against the build's state/ and common/ archives with the
 * build's CC and flags:
 *
 *   gcc -O2 -g -Wall -Wextra -Werror ... -I. -Ibuild/bench \
 *       -include build/bench/config.h bench/seed.c \
 *       build/bench/libstate.a build/bench/libcommon.a \
 *       $(pkg-config --libs libevent_core libevent_extra \
 *       libevent_openssl jansson lmdb libcurl libcrypto libssl) -lm \
 *       -o build/bench/seed
 *
 *   seed STATE_DIR WORKSPACE_ID COUNT [BATCH]
 *
 * Every event goes through journal_append_txn, the function every
 * writer of the daemon uses, so it gets its indexes and, for the
 * subscriptions that exist when it is written, its outbox deliveries.
 * BATCH events (default 10000) share one write transaction (state_write,
 * which commits it durably by itself; no writer thread runs here). The
 * map is the daemon's (STATE_MAP_BYTES), as every process opening the
 * directory should give; a batch that does not fit fails (FZ_ETOOBIG).
 * The workspace is not checked: create it first with
 * `fzrelay workspace create`.
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
#include "state/journal.h"
#include "state/state.h"
#include "state/txn.h"

#define SEED_PROJECTS	1000	/* distinct projects the events cycle over */
#define SEED_BATCH	10000

struct seed_batch {
	const char	*ws;
	json_t		**projects;
	uint64_t	 from, n;	/* event numbers from .. from + n - 1 */
	int64_t		 t0_ms;		/* occurred_at of event 0 */
	uint64_t	 last_seq;
};

static void
seed_usage(void)
{
	fprintf(stderr, "usage: seed STATE_DIR WORKSPACE_ID COUNT [BATCH]\n");
}

static int
seed_number(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s == '\0' || *s == '-' || *end != '\0' || errno != 0 || v < lo ||
	    v > hi)
		return -1;
	*out = v;
	return 0;
}

/* One project's pack.sent snapshot, shaped as state/packs.c records it
 * (projects_snapshot_txn plus the send's fields). Caller decrefs. */
static json_t *
seed_project(unsigned i)
{
	static const char *const types[] = { "Web Design", "SEO", "Branding" };
	char pid[FZ_ID_SIZE], cid[FZ_ID_SIZE], tok[33], url[96];
	char name[64], client[64], email[96], sent[CLOCK_RFC3339_SIZE];

	if (secure_id("prj", pid) != 0 || secure_id("cli", cid) != 0 ||
	    secure_base62(tok, 32) != 0)
		return NULL;
	snprintf(name, sizeof(name), "Website relaunch %u", i);
	snprintf(client, sizeof(client), "Client Company %u", i);
	snprintf(email, sizeof(email), "owner%u@client%u.example.com", i, i);
	snprintf(url, sizeof(url), "http://127.0.0.1:8080/p/%s", tok);
	clock_rfc3339(clock_now_ms(), sent);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
	    " s:s, s:i}", "project_id", pid, "project_name", name,
	    "project_type", types[i % FZ_NELEM(types)], "launch_date",
	    "2026-12-01", "status", "sent", "client_id", cid, "client_name",
	    client, "client_email", email, "personal_message", "Here is "
	    "everything for your launch: logins, documents and next steps.",
	    "share_url", url, "sent_at", sent, "pack_revision", 1);
}

static int
seed_batch_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct seed_batch *b = arg;
	uint64_t i, seq = 0;
	int err;

	for (i = b->from; i < b->from + b->n; i++) {
		if ((err = journal_append_txn(txn, st, JOURNAL_PACK_SENT, b->ws,
		    b->t0_ms + (int64_t)i, b->projects[i % SEED_PROJECTS],
		    &seq)) != 0)
			return err;
	}
	b->last_seq = seq;
	return 0;
}

int
main(int argc, char *argv[])
{
	/* The default map, not held exclusively (as the admin commands). */
	static const struct state_opts opts = { 0, 0 };
	struct state *st = NULL;
	struct seed_batch b;
	json_t *projects[SEED_PROJECTS];
	uint64_t count, batch = SEED_BATCH, done;
	int64_t start;
	unsigned i;
	int err, rc = 1;

	memset(projects, 0, sizeof(projects));
	if (argc < 4 || argc > 5 ||
	    seed_number(argv[3], 1, UINT64_C(100000000), &count) != 0 ||
	    (argc == 5 && seed_number(argv[4], 1, 1000000, &batch) != 0)) {
		seed_usage();
		return 2;
	}
	if (strncmp(argv[2], "ws_", 3) != 0 || strlen(argv[2]) >= FZ_ID_SIZE) {
		fprintf(stderr, "seed: %s is not a workspace id\n", argv[2]);
		return 2;
	}
	for (i = 0; i < SEED_PROJECTS; i++)
		if ((projects[i] = seed_project(i)) == NULL) {
			fprintf(stderr, "seed: out of memory\n");
			goto out;
		}
	if ((err = state_open_opts(argv[1], &opts, &st)) != 0) {
		fprintf(stderr, "seed: %s: %s\n", argv[1], fz_strerror(err));
		goto out;
	}
	memset(&b, 0, sizeof(b));
	b.ws = argv[2];
	b.projects = projects;
	start = clock_mono_ms();
	/* Event times end now, a millisecond apart. */
	b.t0_ms = clock_now_ms() - (int64_t)count;
	for (done = 0; done < count; done += b.n) {
		b.from = done;
		b.n = count - done < batch ? count - done : batch;
		if ((err = state_write(st, seed_batch_fn, &b)) != 0) {
			fprintf(stderr, "seed: after %llu events: %s\n",
			    (unsigned long long)done, fz_strerror(err));
			goto out;
		}
	}
	printf("seeded %llu events (last seq %llu) in %lld ms\n",
	    (unsigned long long)count, (unsigned long long)b.last_seq,
	    (long long)(clock_mono_ms() - start));
	rc = 0;
out:
	state_close(st);
	for (i = 0; i < SEED_PROJECTS; i++)
		json_decref(projects[i]);
	return rc;
}
