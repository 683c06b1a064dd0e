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
#include "state/apikey.h"
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

/* A foreground write: a new API key. */
static int
some_write(struct fixture *f, const char *ws)
{
	struct apikey k;
	char token[SECURE_TOKEN_SIZE];

	return apikey_create(f->t.st, ws, "k", SCOPE_WRITE, &k, token);
}

static void
test_put_get(void **state)
{
	struct fixture *f = *state;
	struct idem_entry e;
	json_t *data = json_pack("{s:s}", "id", "prj_1");

	assert_int_equal(idem_get(f->t.st, f->ws.id, "k1", NOW, &e),
	    FZ_ENOTFOUND);
	assert_int_equal(idem_put(f->t.st, f->ws.id, "k1", f->fp, 201, data,
	    NOW), 0);
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

	assert_int_equal(idem_claim(f->t.st, f->ws.id, "k2", f->fp, NOW), 0);
	assert_int_equal(idem_get(f->t.st, f->ws.id, "k2", NOW, &e),
	    FZ_ENOTFOUND);
	assert_int_equal(some_write(f, f->ws.id), 0);
	assert_int_equal(idem_claim_end(f->t.st), 1);
	assert_int_equal(idem_get(f->t.st, f->ws.id, "k2", NOW, &e), 0);
	assert_int_equal(e.status, 0);
	assert_memory_equal(e.fingerprint, f->fp, sizeof(f->fp));
	json_decref(e.data);
	/* The answer completes it. */
	assert_int_equal(idem_put(f->t.st, f->ws.id, "k2", f->fp, 201,
	    json_null(), NOW), 0);
	assert_int_equal(idem_get(f->t.st, f->ws.id, "k2", NOW, &e), 0);
	assert_int_equal(e.status, 201);
	json_decref(e.data);
}

static void
test_claim_without_write(void **state)
{
	struct fixture *f = *state;
	struct apikey_touch t = { .used_ms = NOW };
	struct idem_entry e;

	/* A write that fails inside its transaction carries nothing. */
	assert_int_equal(idem_claim(f->t.st, f->ws.id, "k3", f->fp, NOW), 0);
	assert_int_equal(some_write(f, "ws_NoSuchWorkspace"), FZ_ENOTFOUND);
	/* Nor does a background write. */
	snprintf(t.id, sizeof(t.id), "key_none");
	assert_int_equal(apikey_touch(f->t.st, &t, 1), 0);
	assert_int_equal(idem_claim_end(f->t.st), 0);
	assert_int_equal(idem_get(f->t.st, f->ws.id, "k3", NOW, &e),
	    FZ_ENOTFOUND);
	/* Ended, it rides nothing more. */
	assert_int_equal(some_write(f, f->ws.id), 0);
	assert_int_equal(idem_get(f->t.st, f->ws.id, "k3", NOW, &e),
	    FZ_ENOTFOUND);
	assert_int_equal(idem_claim_end(f->t.st), 0);
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
