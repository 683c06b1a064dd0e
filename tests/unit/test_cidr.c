/*
 * test_cidr.c: common/cidr.h, the networks trusted_proxies names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/cidr.h"
#include "common/fz.h"

static void
test_cidr_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1",
		"10.0.0.0/8/8", "10.0.0.1/8", "10.0.0.0/08x", "10.0.0.0/ 8",
		"127.1", "0x7f000001", "2130706433", "10.0.0.256",
		"::1/129", "fd00::1/8", "[::1]", "::1%lo", "localhost",
		"10.0.0.0/0008", " 10.0.0.1", "::ffff:10.0.0.0/8",
		"1.2.3.4.5", "01.2.3.4",
	};
	struct cidr c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cidr_parse(bad[i], &c) != FZ_EINVAL)
			fail_msg("\"%s\" was taken as a network", bad[i]);
}

static void
test_cidr_match(void **state)
{
	static const struct {
		const char	*net, *addr;
		int		 in;
	} cases[] = {
		{ "10.0.0.0/8", "10.1.2.3", 1 },
		{ "10.0.0.0/8", "11.0.0.0", 0 },
		{ "10.0.0.0/8", "::ffff:10.9.9.9", 1 },
		{ "::ffff:10.0.0.0/104", "10.200.0.1", 1 },
		{ "192.168.1.7", "192.168.1.7", 1 },
		{ "192.168.1.7", "192.168.1.8", 0 },
		{ "172.16.0.0/12", "172.31.255.255", 1 },
		{ "172.16.0.0/12", "172.32.0.0", 0 },
		{ "0.0.0.0/0", "8.8.8.8", 1 },
		{ "0.0.0.0/0", "::1", 0 },
		{ "fd00::/8", "fd12:3456::1", 1 },
		{ "fd00::/8", "fe80::1", 0 },
		{ "::1", "::1", 1 },
		{ "::1", "127.0.0.1", 0 },
		{ "2001:db8::/33", "2001:db8:7fff::1", 1 },
		{ "2001:db8::/33", "2001:db8:8000::1", 0 },
		{ "10.0.0.0/8", "not an address", 0 },
		{ "10.0.0.0/8", "", 0 },
	};
	struct cidr c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(cidr_parse(cases[i].net, &c), 0);
		if (cidr_any(&c, 1, cases[i].addr) != cases[i].in)
			fail_msg("%s in %s: want %d", cases[i].addr,
			    cases[i].net, cases[i].in);
	}
	assert_int_equal(cidr_any(&c, 0, "10.0.0.1"), 0);
}

static void
test_cidr_is_addr(void **state)
{
	(void)state;
	assert_true(cidr_is_addr("203.0.113.5"));
	assert_true(cidr_is_addr("2001:db8::1"));
	assert_true(cidr_is_addr("::ffff:1.2.3.4"));
	assert_false(cidr_is_addr("203.0.113.5:443"));
	assert_false(cidr_is_addr("[2001:db8::1]"));
	assert_false(cidr_is_addr("unknown"));
	assert_false(cidr_is_addr(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cidr_parse_refuses),
		cmocka_unit_test(test_cidr_match),
		cmocka_unit_test(test_cidr_is_addr),
	};

	return cmocka_run_group_tests_name("cidr", tests, NULL, NULL);
}
