/*
 * test_idem.c: state/idem.h, the records of Idempotency-Key answers, and
 * the claim that rides the write it protects.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/fz.h"
#include "common/secure.h"
#include "state/clients.h"
#include "state/idem.h"
#include "state/state.h"
#include "state/workspace.h"
#include "tests/unit/tmpdir.h"

#define NOW	1764028800000LL

struct fixture {
	struct tmpdir_fixture	 t;	/* first: tmpdir_fixture_free */
	struct workspace ws;
	unsigned char	 fp[SECURE_SHA256_SIZE];
};

static int
setup(void **state)
{
	struct fixture *f;

	if ((f = tmpdir_fixture_new(sizeof(*f), "idem", NULL)) == NULL)
		return -1;
	*state = f;
	if (workspace_create(f->t.st, "Acme", PLAN_AGENCY, &f->ws) != 0 ||
	    secure_sha256("POST\n/api/v1/projects\n{}", 24, f->fp) != 0) {
		tmpdir_fixture_free(state);
		return -1;
	}
	return 0;
}

/* A write that goes through the writer's queue (state_submit), which a
 * claim rides: a new client of email, FZ_EEXIST (failing inside its
 * transaction) if ws has one of that email. */
static int
some_write(struct fixture *f, const char *ws, const char *email)
{
	struct state_result r;
	json_t *body;

	body = json_pack("{s:s, s:s}", "name", "Jane", "email", email);
	assert_non_null(body);
	tmpdir_keep(&r);
	clients_create(f->t.st, ws, body, NOW, state_keep_cb, &r);
	json_decref(body);
	return tmpdir_kept(&r, NULL);
}

static int
t_idem_put(struct fixture *f, const char *key, int status, const json_t *data)
{
	struct state_result r;

	tmpdir_keep(&r);
	idem_put(f->t.st, f->ws.id, key, f->fp, status, data, NOW,
	    state_keep_cb, &r);
	return tmpdir_kept(&r, NULL);
}

static void
test_put_get(void **state)
{
	struct fixture *f = *state;
	struct idem_entry e;
	json_t *data = json_pack("{s:s}", "id", "prj_1");

	assert_int_equal(idem_get(f->t.st, f->ws.id, "k1", NOW, &e),
	    FZ_ENOTFOUND);
	assert_int_equal(t_idem_put(f, "k1", 201, data), 0);
	assert_int_equal(idem_get(f->t.st, f->ws.id, "k1", NOW + 1, &e), 0);
	assert_int_equal(e.status, 201);
	assert_memory_equal(e.fingerprint, f->fp, sizeof(f->fp));
	assert_true(json_equal(e.data, data));
	json_decref(e.data);
	/* Gone once IDEM_TTL_MS has passed. */
	assert_int_equal(idem_get(f->t.st, f->ws.id, "k1", NOW + IDEM_TTL_MS,
	    &e), FZ_ENOTFOUND);
	json_decref(data);
}

/* The claim is committed with the write, and only with it. */
static void
test_claim_rides_the_write(void **state)
{
	struct fixture *f = *state;
	struct idem_entry e;
	int committed = 0;

	assert_int_equal(idem_claim(f->t.st, f->ws.id, "k2", f->fp, NOW,
	    &committed), 0);
	assert_int_equal(idem_get(f->t.st, f->ws.id, "k2", NOW, &e),
	    FZ_ENOTFOUND);
	assert_int_equal(committed, 0);
	assert_int_equal(some_write(f, f->ws.id, "k2@example.com"), 0);
	assert_int_equal(committed, 1);
	idem_claim_end(f->t.st);
	assert_int_equal(idem_get(f->t.st, f->ws.id, "k2", NOW, &e), 0);
	assert_int_equal(e.status, 0);
	assert_memory_equal(e.fingerprint, f->fp, sizeof(f->fp));
	json_decref(e.data);
	/* The answer completes it. */
	assert_int_equal(t_idem_put(f, "k2", 201, json_null()), 0);
	assert_int_equal(idem_get(f->t.st, f->ws.id, "k2", NOW, &e), 0);
	assert_int_equal(e.status, 201);
	json_decref(e.data);
}

static void
test_claim_without_write(void **state)
{
	struct fixture *f = *state;
	struct idem_entry e;
	int committed = 0;

	/* A write that fails inside its transaction carries nothing, and
	 * takes the claim with it: it rides no later write. */
	assert_int_equal(some_write(f, f->ws.id, "k3@example.com"), 0);
	assert_int_equal(idem_claim(f->t.st, f->ws.id, "k3", f->fp, NOW,
	    &committed), 0);
	assert_int_equal(some_write(f, f->ws.id, "k3@example.com"),
	    FZ_EEXIST);
	assert_int_equal(committed, 0);
	assert_int_equal(idem_get(f->t.st, f->ws.id, "k3", NOW, &e),
	    FZ_ENOTFOUND);
	assert_int_equal(some_write(f, f->ws.id, "k3b@example.com"), 0);
	assert_int_equal(committed, 0);
	assert_int_equal(idem_get(f->t.st, f->ws.id, "k3", NOW, &e),
	    FZ_ENOTFOUND);

	/* Ended before any write, it rides nothing. */
	assert_int_equal(idem_claim(f->t.st, f->ws.id, "k4", f->fp, NOW,
	    &committed), 0);
	idem_claim_end(f->t.st);
	assert_int_equal(some_write(f, f->ws.id, "k4@example.com"), 0);
	assert_int_equal(committed, 0);
	assert_int_equal(idem_get(f->t.st, f->ws.id, "k4", NOW, &e),
	    FZ_ENOTFOUND);
	idem_claim_end(f->t.st);

	/* A claim that cannot be one (a key too long) is refused and
	 * rides nothing. */
	{
		char key[IDEM_KEY_MAX + 2];

		memset(key, 'k', sizeof(key) - 1);
		key[sizeof(key) - 1] = '\0';
		assert_int_equal(idem_claim(f->t.st, f->ws.id, key, f->fp,
		    NOW, &committed), FZ_EINVAL);
		assert_int_equal(some_write(f, f->ws.id, "k5@example.com"),
		    0);
		assert_int_equal(committed, 0);
	}
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, tmpdir_fixture_free)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_put_get),
		T(test_claim_rides_the_write),
		T(test_claim_without_write),
	};

	return cmocka_run_group_tests_name("idem", tests, NULL, NULL);
}
