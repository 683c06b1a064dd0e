/*
 * test_hmap.c: common/hmap.h, the string-keyed map of fixed-size values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/hmap.h"

struct val {
	int64_t		n;
	double		d;
	char		pad[40];
};

static int
setup(void **state)
{
	struct hmap *m;

	if ((m = hmap_new(sizeof(struct val))) == NULL)
		return -1;
	*state = m;
	return 0;
}

static int
teardown(void **state)
{
	hmap_free(*state);
	return 0;
}

static int
all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

static void
test_put_get(void **state)
{
	struct hmap *m = *state;
	struct val *a, *b;
	int created = -1;

	assert_null(hmap_get(m, "alpha"));
	assert_int_equal(hmap_count(m), 0);

	a = hmap_put(m, "alpha", &created);
	assert_non_null(a);
	assert_int_equal(created, 1);
	a->n = 42;
	b = hmap_put(m, "beta", &created);
	assert_non_null(b);
	assert_int_equal(created, 1);
	assert_ptr_not_equal(a, b);
	b->n = 7;

	assert_ptr_equal(hmap_get(m, "alpha"), a);
	assert_int_equal(((struct val *)hmap_get(m, "alpha"))->n, 42);
	assert_int_equal(((struct val *)hmap_get(m, "beta"))->n, 7);
	assert_null(hmap_get(m, "gamma"));
	assert_null(hmap_get(m, "alph"));
	assert_null(hmap_get(m, "alphaa"));
	assert_int_equal(hmap_count(m), 2);
}

static void
test_put_existing(void **state)
{
	struct hmap *m = *state;
	struct val *a, *again;
	int created;

	a = hmap_put(m, "k", &created);
	assert_non_null(a);
	assert_int_equal(created, 1);
	a->n = 99;
	created = -1;
	again = hmap_put(m, "k", &created);
	assert_ptr_equal(again, a);
	assert_int_equal(created, 0);
	/* The existing value is kept, not zeroed. */
	assert_int_equal(again->n, 99);
	assert_int_equal(hmap_count(m), 1);
}

static void
test_keys_copied(void **state)
{
	struct hmap *m = *state;
	char key[16];
	int created;

	snprintf(key, sizeof(key), "copied");
	assert_non_null(hmap_put(m, key, &created));
	memset(key, 'x', sizeof(key) - 1);
	assert_non_null(hmap_get(m, "copied"));
	assert_null(hmap_get(m, key));
	/* The empty key is a key like any other. */
	assert_non_null(hmap_put(m, "", &created));
	assert_int_equal(created, 1);
	assert_non_null(hmap_get(m, ""));
	assert_int_equal(hmap_count(m), 2);
}

static int
remove_all(const char *key, void *value, void *arg)
{
	(void)key;
	(void)value;
	(void)arg;
	return 1;
}

static void
test_values_zeroed(void **state)
{
	struct hmap *m = *state;
	struct val *v;
	char key[32];
	int created, i, round;

	for (round = 0; round < 3; round++) {
		for (i = 0; i < 100; i++) {
			snprintf(key, sizeof(key), "z%d", i);
			v = hmap_put(m, key, &created);
			assert_non_null(v);
			assert_int_equal(created, 1);
			assert_true(all_zero(v, sizeof(*v)));
			memset(v, 0xa5, sizeof(*v));
		}
		/* Removed entries' memory must not leak into new ones. */
		hmap_each(m, remove_all, NULL);
		assert_int_equal(hmap_count(m), 0);
	}
}

static void
test_growth(void **state)
{
	struct hmap *m = *state;
	struct val *v;
	char key[32];
	int created, i;

	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		v = hmap_put(m, key, &created);
		assert_non_null(v);
		assert_int_equal(created, 1);
		v->n = i;
		v->d = i * 0.5;
		assert_int_equal(hmap_count(m), (size_t)i + 1);
	}
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		v = hmap_get(m, key);
		if (v == NULL)
			fail_msg("lost %s", key);
		assert_int_equal(v->n, i);
		assert_true(v->d == i * 0.5);
	}
	assert_null(hmap_get(m, "key-1000"));
	assert_int_equal(hmap_count(m), 1000);
}

struct visit {
	int	seen[1000];
	int	calls;
};

static int
visit_drop_even(const char *key, void *value, void *arg)
{
	struct visit *vis = arg;
	struct val *v = value;
	int i;

	assert_int_equal(sscanf(key, "key-%d", &i), 1);
	assert_int_equal(v->n, i);
	vis->seen[i]++;
	vis->calls++;
	return i % 2 == 0;
}

static int
visit_count(const char *key, void *value, void *arg)
{
	(void)key;
	(void)value;
	(*(int *)arg)++;
	return 0;
}

static void
test_each_removes(void **state)
{
	struct hmap *m = *state;
	static struct visit vis;
	struct val *v;
	char key[32];
	int created, i, n;

	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		v = hmap_put(m, key, &created);
		assert_non_null(v);
		v->n = i;
	}
	memset(&vis, 0, sizeof(vis));
	hmap_each(m, visit_drop_even, &vis);
	assert_int_equal(vis.calls, 1000);
	for (i = 0; i < 1000; i++)
		if (vis.seen[i] != 1)
			fail_msg("key-%d visited %d times", i, vis.seen[i]);
	assert_int_equal(hmap_count(m), 500);
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		if (i % 2 == 0)
			assert_null(hmap_get(m, key));
		else {
			v = hmap_get(m, key);
			assert_non_null(v);
			assert_int_equal(v->n, i);
		}
	}
	n = 0;
	hmap_each(m, visit_count, &n);
	assert_int_equal(n, 500);

	/* A removed key can come back, zeroed. */
	v = hmap_put(m, "key-0", &created);
	assert_non_null(v);
	assert_int_equal(created, 1);
	assert_int_equal(v->n, 0);
	assert_int_equal(hmap_count(m), 501);
}

static void
test_each_empty(void **state)
{
	struct hmap *m = *state;
	int n = 0;

	hmap_each(m, visit_count, &n);
	assert_int_equal(n, 0);
	hmap_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_existing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_keys_copied, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_values_zeroed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_growth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_removes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_each_empty, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("hmap", tests, NULL, NULL);
}
