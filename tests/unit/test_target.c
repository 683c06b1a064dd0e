/*
 * test_target.c: relay/target.h, the SSRF guard's judgement of webhook
 * targets: every form a resolver reads as a non-public address is
 * refused at subscription, public ones pass, and the subscription and
 * connect-time halves agree on every address.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relay/target.h"

/* The list, then the rest of the special-purpose blocks. */
static const char *const refused[] = {
	"http://127.1/", "http://2130706433/", "http://0x7f000001/",
	"http://0177.0.0.1/", "http://0x7f.0.0.1/", "http://0/",
	"http://127.000.000.001/", "http://%31%32%37.0.0.1/",
	"http://[::127.0.0.1]/", "http://[::ffff:127.0.0.1]/",
	"http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/",
	"http://[::1%25lo]/", "http://[fe80::1%25lo]/", "http://localhost./",
	"http://a.localhost./", "http://198.18.0.1/",
	"http://127.0.0.1/", "http://127.0.0.1:8080/x", "https://127.0.0.1/",
	"http://127.0.0.1./", "http://127.255.255.254/", "http://0x/",
	"http://0.0.0.0/", "http://0.1.2.3/", "http://10.0.0.1/",
	"http://10.255.255.255/", "http://100.64.0.1/",
	"http://100.127.255.254/", "http://169.254.169.254/latest/",
	"http://172.16.0.1/", "http://172.31.255.255/", "http://192.0.0.8/",
	"http://192.0.2.1/", "http://192.88.99.1/", "http://192.168.1.1/",
	"http://198.19.255.255/", "http://198.51.100.7/",
	"http://203.0.113.9/", "http://224.0.0.1/", "http://239.1.2.3/",
	"http://240.0.0.1/", "http://255.255.255.255/", "http://[::]/",
	"http://[::1]/", "http://[::1]:8080/x", "http://[0:0:0:0:0:0:0:1]/",
	"http://[::ffff:10.0.0.1]/", "http://[::ffff:7f00:1]/",
	"http://[::a9fe:a9fe]/", "http://[64:ff9b::a00:1]/",
	"http://[64:ff9b:1::1]/", "http://[2002:a00:1::1]/",
	"http://[2002:c0a8:101::]/", "http://[100::1]/", "http://[fc00::1]/",
	"http://[fd12:3456::1]/", "http://[fe80::1]/", "http://[fec0::1]/",
	"http://[ff02::1]/", "http://[2001:db8::1]/", "http://[2001::1]/",
	"http://[2001:2::1]/", "http://[3fff::1]/",
	"http://[2606:2800:220:1::%25eth0]/",
	"http://localhost/", "HTTP://LOCALHOST:8080/", "http://x.localhost/",
	"http://a.b.localhost/", "http://%6c%6fcalhost/",
	"http://metadata.google.internal/computeMetadata/v1/",
	"http://printer.local/", "http://router.home.arpa/",
	"http://intranet/", "http://intranet./", "http:///x",
};

/* Malformed or not http(s): refused whatever allow_private says. */
static const char *const malformed[] = {
	"ftp://example.com/", "not a url", "example.com/x",
	"http://", "http://u:p@example.com/", "http://user@example.com/",
	"http://1.2.3.4.5/", "http://127.0.0.08/", "http://4294967296/",
	"http://0x100000000/", "http://256.0.0.1/", "http://1.256.0.1/",
	"http://a.1/", "http://example.0x1/", "http://a..b/", "http://./",
	"http://exa mple.com/", "http://\xef\xbd\x8c\xef\xbd\x8f"
	"\xef\xbd\x83\xef\xbd\x81\xef\xbd\x8c\xef\xbd\x88\xef\xbd\x8f\xef"
	"\xbd\x93\xef\xbd\x94/", "http://caf\xc3\xa9.example/",
	"http://[127.0.0.1]/", "http://[::1/",
};

static const char *const public[] = {
	"http://93.184.216.34/", "https://example.com/hook",
	"http://example.com./x", "HTTP://EXAMPLE.COM/",
	"http://[2606:2800:220:1::]/", "http://[2606:2800:220:1::]:8443/x",
	"https://hooks.zapier.com/hooks/standard/1/abc/",
	"http://8.8.8.8:80/", "http://1.1.1.1/", "http://172.32.0.1/",
	"http://172.15.255.255/", "http://100.128.0.1/",
	"http://100.63.255.255/", "http://198.20.0.1/", "http://11.0.0.1/",
	"http://223.255.255.255/", "http://[::ffff:93.184.216.34]/",
	"http://[64:ff9b::5db8:d822]/", "http://[2002:5db8:d822::1]/",
	"http://a_b.example.com/", "http://123.example/",
	"http://example.com/path?x=@y#z", "http://xn--caf-dma.example/",
	"http://localhost.example.com/", "http://internal.example.com/",
	"http://1.1.1.1.example/",
};

static void
test_refused(void **state)
{
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		why = target_url_problem(refused[i], 0);
		if (why == NULL)
			fail_msg("%s: accepted", refused[i]);
	}
}

static void
test_private_names_say_so(void **state)
{
	static const char *const u[] = {
		"http://127.1/", "http://[::1%25lo]/", "http://a.localhost./",
		"http://%31%32%37.0.0.1/", "http://0x7f.0.0.1/",
	};
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		why = target_url_problem(u[i], 0);
		assert_non_null(why);
		if (strstr(why, "private") == NULL)
			fail_msg("%s: \"%s\"", u[i], why);
	}
}

static void
test_malformed(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		if (target_url_problem(malformed[i], 0) == NULL)
			fail_msg("%s: accepted", malformed[i]);
		if (target_url_problem(malformed[i], 1) == NULL)
			fail_msg("%s: accepted with allow_private",
			    malformed[i]);
	}
}

static void
test_public(void **state)
{
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(public) / sizeof(public[0]); i++)
		if ((why = target_url_problem(public[i], 0)) != NULL)
			fail_msg("%s: %s", public[i], why);
}

/* The escape hatch the test suites deliver to 127.0.0.1 through. */
static void
test_allow_private(void **state)
{
	static const char *const u[] = {
		"http://127.0.0.1:8080/x", "http://localhost/", "http://[::1]/",
		"http://127.1/", "http://[fe80::1%25lo]/", "http://intranet/",
		"http://10.0.0.1/", "http://example.com/",
	};
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		if ((why = target_url_problem(u[i], 1)) != NULL)
			fail_msg("%s: %s", u[i], why);
}

static int
addr_public(const char *lit)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;

	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	if (inet_pton(AF_INET, lit, &s4.sin_addr) == 1) {
		s4.sin_family = AF_INET;
		return target_addr_public((struct sockaddr *)&s4);
	}
	if (inet_pton(AF_INET6, lit, &s6.sin6_addr) != 1)
		fail_msg("%s: not an address", lit);
	s6.sin6_family = AF_INET6;
	return target_addr_public((struct sockaddr *)&s6);
}

/* The connect-time half judges each address as the subscription half
 * judges the same address written in a URL. */
static void
test_halves_agree(void **state)
{
	static const char *const lits[] = {
		"127.0.0.1", "0.0.0.0", "10.1.2.3", "100.64.0.1", "100.128.0.1",
		"169.254.169.254", "172.16.0.1", "172.32.0.1", "192.0.0.8",
		"192.0.2.1", "192.88.99.1", "192.168.0.1", "198.18.0.1",
		"198.20.0.1", "198.51.100.1", "203.0.113.1", "224.0.0.1",
		"240.0.0.1", "255.255.255.255", "93.184.216.34", "8.8.8.8",
		"::", "::1", "::127.0.0.1", "::ffff:127.0.0.1",
		"::ffff:93.184.216.34", "64:ff9b::7f00:1", "64:ff9b::5db8:d822",
		"64:ff9b:1::1", "2002:7f00:1::", "2002:5db8:d822::1", "100::1",
		"fc00::1", "fd00::1", "fe80::1", "fec0::1", "ff02::1",
		"2001::1", "2001:db8::1", "3fff::1", "2606:2800:220:1::",
		"2a00:1450:4001:81c::200e",
	};
	char url[128];
	size_t i;
	int pub;

	(void)state;
	for (i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		pub = addr_public(lits[i]);
		snprintf(url, sizeof(url), strchr(lits[i], ':') != NULL ?
		    "http://[%s]/" : "http://%s/", lits[i]);
		if (pub != (target_url_problem(url, 0) == NULL))
			fail_msg("%s: connect time says %s, subscription "
			    "disagrees", lits[i], pub ? "public" : "private");
	}
	assert_int_equal(addr_public("93.184.216.34"), 1);
	assert_int_equal(addr_public("2606:2800:220:1::"), 1);
	assert_int_equal(addr_public("127.0.0.1"), 0);
	assert_int_equal(addr_public("::ffff:127.0.0.1"), 0);
}

static void
test_other_families(void **state)
{
	struct sockaddr_un su;

	(void)state;
	memset(&su, 0, sizeof(su));
	su.sun_family = AF_UNIX;
	assert_int_equal(target_addr_public((struct sockaddr *)&su), 0);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Names the hosts file maps to non-public addresses are refused; it is
 * read again once it changes. */
static void
test_hosts_file(void **state)
{
	char path[] = "/tmp/fzrelay-test-hosts.XXXXXX";
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	write_file(path,
	    "# 10.0.0.9 commented.example\n"
	    "127.0.0.1\tlocalhost\n"
	    "10.1.2.3 db.corp.example db   # the database\n"
	    "93.184.216.34 pinned.example.com\n"
	    "::1 ip6-localhost.example ip6-loopback\n"
	    "fe80::1%eth0 linklocal.example\n"
	    "0x7f.1 legacy.example\n"
	    "not-an-address bogus.example\n"
	    "192.168.1.1 Upper.Example.\n");
	target_hosts_file(path);
	assert_non_null(target_url_problem("http://db.corp.example/", 0));
	assert_non_null(target_url_problem("http://DB.Corp.Example./", 0));
	assert_non_null(target_url_problem("http://ip6-localhost.example/",
	    0));
	assert_non_null(target_url_problem("http://linklocal.example/", 0));
	assert_non_null(target_url_problem("http://legacy.example:81/", 0));
	assert_non_null(target_url_problem("http://upper.example/", 0));
	assert_null(target_url_problem("http://pinned.example.com/", 0));
	assert_null(target_url_problem("http://commented.example/", 0));
	assert_null(target_url_problem("http://bogus.example/", 0));
	assert_null(target_url_problem("http://db.corp.example/", 1));

	/* An edit is seen at the next check. */
	write_file(path, "10.9.9.9 new.example\n");
	assert_null(target_url_problem("http://db.corp.example/", 0));
	assert_non_null(target_url_problem("http://new.example/", 0));

	/* No file maps nothing. */
	assert_int_equal(unlink(path), 0);
	assert_null(target_url_problem("http://new.example/", 0));
	target_hosts_file("/dev/null");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_private_names_say_so),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_public),
		cmocka_unit_test(test_allow_private),
		cmocka_unit_test(test_halves_agree),
		cmocka_unit_test(test_other_families),
		cmocka_unit_test(test_hosts_file),
	};

	/* The machine's own hosts file is the end-to-end tests' business. */
	target_hosts_file("/dev/null");
	return cmocka_run_group_tests_name("target", tests, NULL, NULL);
}
