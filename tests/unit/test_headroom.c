/*
 * test_headroom.c: the zeros kept past data.mdb's last page
 * (state/headroom.c), on a real LMDB environment in a temporary
 * directory: they are written past the end only, never over a page,
 * stop at the map's size, end quietly when the file may grow no more,
 * and LMDB reopens the file with every record intact.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lmdb.h>

#include "state/headroom.h"
#include "tests/unit/tmpdir.h"

#define MIB	(1 << 20)

struct fixture {
	char	 dir[TMPDIR_SIZE];
	char	 path[TMPDIR_SIZE + 16];
	MDB_env	*env;
	MDB_dbi	 dbi;
};

static int
open_env(struct fixture *f, size_t map)
{
	MDB_txn *txn;

	if (mdb_env_create(&f->env) != 0 ||
	    mdb_env_set_mapsize(f->env, map) != 0 ||
	    mdb_env_open(f->env, f->dir, 0, 0600) != 0 ||
	    mdb_txn_begin(f->env, NULL, 0, &txn) != 0)
		return -1;
	if (mdb_dbi_open(txn, NULL, 0, &f->dbi) != 0 ||
	    mdb_txn_commit(txn) != 0)
		return -1;
	return 0;
}

static int
setup(void **state)
{
	struct fixture *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/fzrelay-test-headroom.XXXXXX");
	if (mkdtemp(f->dir) == NULL || open_env(f, 64 * MIB) != 0) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/data.mdb", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f->env != NULL)
		mdb_env_close(f->env);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

/* Writes n records of 1 KiB, keys from first on, in one transaction. */
static void
put_records(struct fixture *f, int first, int n)
{
	char key[16], val[1024];
	MDB_txn *txn;
	MDB_val k, v;
	int i;

	assert_int_equal(mdb_txn_begin(f->env, NULL, 0, &txn), 0);
	for (i = first; i < first + n; i++) {
		k.mv_size = (size_t)snprintf(key, sizeof(key), "%08d", i);
		k.mv_data = key;
		memset(val, 'a' + i % 26, sizeof(val));
		v.mv_data = val;
		v.mv_size = sizeof(val);
		assert_int_equal(mdb_put(txn, f->dbi, &k, &v, 0), 0);
	}
	assert_int_equal(mdb_txn_commit(txn), 0);
}

static void
check_records(struct fixture *f, int n)
{
	char key[16];
	MDB_txn *txn;
	MDB_val k, v;
	int i;

	assert_int_equal(mdb_txn_begin(f->env, NULL, MDB_RDONLY, &txn), 0);
	for (i = 0; i < n; i++) {
		k.mv_size = (size_t)snprintf(key, sizeof(key), "%08d", i);
		k.mv_data = key;
		assert_int_equal(mdb_get(txn, f->dbi, &k, &v), 0);
		assert_int_equal(v.mv_size, 1024);
		assert_int_equal(((char *)v.mv_data)[1023], 'a' + i % 26);
	}
	mdb_txn_abort(txn);
}

static off_t
file_size(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_size;
}

static off_t
used_bytes(MDB_env *env)
{
	MDB_envinfo info;
	MDB_stat ms;

	assert_int_equal(mdb_env_info(env, &info), 0);
	assert_int_equal(mdb_env_stat(env, &ms), 0);
	return (off_t)(info.me_last_pgno + 1) * ms.ms_psize;
}

/* Returns 1 if the file holds only zeros from off to its end. */
static int
zeros_from(const char *path, off_t off)
{
	char buf[4096];
	FILE *fp;
	size_t n, i;
	int ok = 1;

	assert_non_null(fp = fopen(path, "rb"));
	assert_int_equal(fseeko(fp, off, SEEK_SET), 0);
	while (ok && (n = fread(buf, 1, sizeof(buf), fp)) > 0)
		for (i = 0; i < n; i++)
			if (buf[i] != 0)
				ok = 0;
	fclose(fp);
	return ok;
}

static void
test_zeros_ahead_never_over_pages(void **state)
{
	struct fixture *f = *state;
	struct headroom h;
	off_t before, used;
	int round;

	put_records(f, 0, 200);
	before = file_size(f->path);
	assert_int_equal(headroom_init(&h, f->env), 0);
	headroom_keep(&h);
	assert_int_equal(file_size(f->path), before + MIB);
	assert_true(zeros_from(f->path, before));
	/* Each commit tops the zeros up a MiB at a time while fewer than
	 * four are left; more are never written. */
	for (round = 1; round <= 6; round++) {
		put_records(f, round * 200, 200);
		headroom_keep(&h);
		used = used_bytes(f->env);
		assert_true(file_size(f->path) >= used + MIB);
		assert_true(file_size(f->path) <= used + 5 * MIB);
	}
	check_records(f, 7 * 200);
	/* LMDB starts on the file as left, every record there. */
	mdb_env_close(f->env);
	f->env = NULL;
	assert_int_equal(open_env(f, 64 * MIB), 0);
	check_records(f, 7 * 200);
	put_records(f, 7 * 200, 100);
	check_records(f, 7 * 200 + 100);
}

static void
test_stops_at_the_map(void **state)
{
	struct fixture *f = *state;
	struct headroom h;

	mdb_env_close(f->env);
	f->env = NULL;
	tmpdir_remove(f->dir);
	assert_non_null(mkdtemp(strcpy(f->dir,
	    "/tmp/fzrelay-test-headroom.XXXXXX")));
	snprintf(f->path, sizeof(f->path), "%s/data.mdb", f->dir);
	assert_int_equal(open_env(f, 2 * MIB), 0);
	put_records(f, 0, 10);
	assert_int_equal(headroom_init(&h, f->env), 0);
	headroom_keep(&h);
	headroom_keep(&h);
	headroom_keep(&h);
	assert_int_equal(file_size(f->path), 2 * MIB);
	check_records(f, 10);
}

static void
test_a_refused_write_ends_it(void **state)
{
	struct fixture *f = *state;
	struct headroom h;
	struct rlimit old, lim;
	off_t before;

	put_records(f, 0, 50);
	before = file_size(f->path);
	/* The file may grow no more: the write fails (EFBIG, SIGXFSZ
	 * ignored) as a full disk's would. */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)before;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	assert_int_equal(headroom_init(&h, f->env), 0);
	headroom_keep(&h);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_true(h.off);
	assert_int_equal(file_size(f->path), before);
	/* Off for good: no more tries, LMDB allocates as it goes. */
	headroom_keep(&h);
	assert_int_equal(file_size(f->path), before);
	put_records(f, 50, 50);
	check_records(f, 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_zeros_ahead_never_over_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stops_at_the_map,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_refused_write_ends_it,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
