/*
 * test_cfg.c: common/cfg.h, the configuration loader.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cfg.h"
#include "common/fz.h"

extern char **environ;

#define CONF_PATH_SIZE	64

/* Anything but NULL: shows whether cfg_load really cleared an output. */
static char poison;

/* Writes text to a new temp file; path holds CONF_PATH_SIZE bytes. */
static void
conf_write(char *path, const char *text)
{
	size_t len = strlen(text);
	int fd;

	snprintf(path, CONF_PATH_SIZE, "/tmp/fzrelay-test-cfg.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static struct cfg *
load_ok(const char *path, int argc, char *const argv[])
{
	struct cfg *c = (struct cfg *)(void *)&poison;
	char *errors = &poison;
	int rc;

	rc = cfg_load(path, argc, argv, &c, &errors);
	if (rc != 0 && errors != &poison && errors != NULL)
		fprintf(stderr, "unexpected errors: %s\n", errors);
	assert_int_equal(rc, 0);
	assert_null(errors);
	assert_non_null(c);
	return c;
}

/* Returns the errors of a load that must fail; caller frees them. */
static char *
load_err(const char *path, int argc, char *const argv[])
{
	struct cfg *c = (struct cfg *)(void *)&poison;
	char *errors = &poison;
	int rc;

	rc = cfg_load(path, argc, argv, &c, &errors);
	assert_int_equal(rc, FZ_EINVAL);
	assert_null(c);
	assert_non_null(errors);
	assert_ptr_not_equal(errors, &poison);
	assert_true(strlen(errors) > 0);
	return errors;
}

/* Number of messages in a newline-separated error list. */
static size_t
count_lines(const char *s)
{
	size_t n = 1;

	for (; *s != '\0'; s++)
		if (*s == '\n')
			n++;
	return n;
}

/* Loads a one-line file that must be refused on line 1, naming key. */
static void
expect_file_error(const char *line, const char *key)
{
	char path[CONF_PATH_SIZE], where[CONF_PATH_SIZE + 8], *errors;

	conf_write(path, line);
	errors = load_err(path, 0, NULL);
	snprintf(where, sizeof(where), "%s:1: ", path);
	if (strstr(errors, where) == NULL || strstr(errors, key) == NULL ||
	    count_lines(errors) != 1)
		fprintf(stderr, "line \"%s\": errors \"%s\"\n", line, errors);
	assert_non_null(strstr(errors, where));
	assert_non_null(strstr(errors, key));
	assert_int_equal(count_lines(errors), 1);
	free(errors);
	unlink(path);
}

/* Every FZRELAY_* variable would leak into the tests' expectations. */
static int
env_clear(void **state)
{
	char name[256];
	char **e;
	size_t n;
	int again = 1;

	(void)state;
	while (again) {
		again = 0;
		for (e = environ; e != NULL && *e != NULL; e++) {
			if (strncmp(*e, "FZRELAY_", 8) != 0)
				continue;
			n = strcspn(*e, "=");
			if (n >= sizeof(name))
				continue;
			memcpy(name, *e, n);
			name[n] = '\0';
			unsetenv(name);
			again = 1;
			break;
		}
	}
	return 0;
}

static void
test_defaults(void **state)
{
	static const uint64_t sched[] = { 0, 5000, 300000, 1800000,
	    7200000, 18000000, 36000000, 36000000 };
	struct cfg *c;
	size_t i;

	(void)state;
	c = load_ok(NULL, 0, NULL);
	assert_string_equal(c->listen, "127.0.0.1:8080");
	assert_string_equal(c->state_dir, "./fzrelay-data");
	assert_int_equal(c->store, CFG_STORE_EMBEDDED);
	assert_null(c->upstream_url);
	assert_null(c->upstream_token);
	assert_null(c->ingest_secret);
	assert_null(c->public_url);
	assert_null(c->credentials_key_file);
	assert_int_equal(c->max_body_bytes, 1048576);
	assert_int_equal(c->allow_private_targets, 0);
	assert_int_equal(c->trusted_proxies_count, 0);
	assert_int_equal(c->log_level, LOG_LVL_INFO);
	assert_true(c->header_timeout_ms <= c->request_timeout_ms);
	assert_int_equal(c->retry_count, FZ_NELEM(sched));
	for (i = 0; i < FZ_NELEM(sched); i++)
		assert_int_equal(c->retry_schedule_ms[i], sched[i]);
	cfg_free(c);
}

static void
test_trusted_proxies(void **state)
{
	char path[CONF_PATH_SIZE], many[1024], *errors;
	char *argv[] = { "--trusted-proxies", many };
	struct cfg *c;
	size_t i, o = 0;

	(void)state;
	conf_write(path, "trusted_proxies = 10.0.0.0/8, 192.168.1.7 "
	    "fd00::/8\n");
	c = load_ok(path, 0, NULL);
	assert_int_equal(c->trusted_proxies_count, 3);
	assert_true(cidr_any(c->trusted_proxies, 3, "10.2.3.4"));
	assert_true(cidr_any(c->trusted_proxies, 3, "192.168.1.7"));
	assert_false(cidr_any(c->trusted_proxies, 3, "192.168.1.8"));
	assert_true(cidr_any(c->trusted_proxies, 3, "fd00::5"));
	cfg_free(c);
	unlink(path);
	expect_file_error("trusted_proxies = 10.0.0.1/8\n", "trusted_proxies");
	expect_file_error("trusted_proxies = proxy.internal\n",
	    "trusted_proxies");
	expect_file_error("trusted_proxies = 127.1\n", "trusted_proxies");
	for (i = 0; i <= CFG_PROXIES_MAX; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o, "10.0.0.%zu,",
		    i);
	errors = load_err(NULL, 2, argv);
	assert_non_null(strstr(errors, "at most"));
	free(errors);
}

static void
test_free_null(void **state)
{
	(void)state;
	cfg_free(NULL);
}

static void
test_file_values(void **state)
{
	char path[CONF_PATH_SIZE];
	struct cfg *c;

	(void)state;
	conf_write(path,
	    "# a comment line\n"
	    "\n"
	    "   \t\n"
	    "   # an indented comment\n"
	    "listen = 127.0.0.1:9090\n"
	    "\tstate_dir\t=\t/tmp/fz-a\t\n"
	    "public_url = \"https://api.example.com\"\n"
	    "ingest_secret = '  sixteen chars secret  '\n"
	    "max_body_bytes=2048\n"
	    "rate_limit_per_minute = 120\r\n"
	    "allow_private_targets = yes\n"
	    "log_level = debug\n"
	    "store = embedded\n"
	    "retry_schedule = 0, 250ms, 1s, 1m, 1h, 7d\n"
	    "journal_retention_days = 0\n");
	c = load_ok(path, 0, NULL);
	assert_string_equal(c->listen, "127.0.0.1:9090");
	assert_string_equal(c->state_dir, "/tmp/fz-a");
	assert_string_equal(c->public_url, "https://api.example.com");
	assert_string_equal(c->ingest_secret, "  sixteen chars secret  ");
	assert_int_equal(c->max_body_bytes, 2048);
	assert_int_equal(c->rate_limit_per_minute, 120);
	assert_int_equal(c->allow_private_targets, 1);
	assert_int_equal(c->log_level, LOG_LVL_DEBUG);
	assert_int_equal(c->store, CFG_STORE_EMBEDDED);
	assert_int_equal(c->journal_retention_days, 0);
	assert_int_equal(c->retry_count, 6);
	assert_int_equal(c->retry_schedule_ms[0], 0);
	assert_int_equal(c->retry_schedule_ms[1], 250);
	assert_int_equal(c->retry_schedule_ms[2], 1000);
	assert_int_equal(c->retry_schedule_ms[3], 60000);
	assert_int_equal(c->retry_schedule_ms[4], 3600000);
	assert_int_equal(c->retry_schedule_ms[5], 7ULL * 86400 * 1000);
	cfg_free(c);
	unlink(path);
}

static void
test_file_bounds_accepted(void **state)
{
	char path[CONF_PATH_SIZE];
	struct cfg *c;

	(void)state;
	conf_write(path,
	    "max_body_bytes = 1024\n"
	    "max_connections = 1000000\n"
	    "listen = [::1]:0\n"
	    "upstream_url = http://localhost:9000/api\n");
	c = load_ok(path, 0, NULL);
	assert_int_equal(c->max_body_bytes, 1024);
	assert_int_equal(c->max_connections, 1000000);
	assert_string_equal(c->listen, "[::1]:0");
	assert_string_equal(c->upstream_url, "http://localhost:9000/api");
	cfg_free(c);
	unlink(path);

	conf_write(path, "max_body_bytes = 67108864\n");
	c = load_ok(path, 0, NULL);
	assert_int_equal(c->max_body_bytes, 64u << 20);
	cfg_free(c);
	unlink(path);
}

static void
test_file_no_final_newline(void **state)
{
	char path[CONF_PATH_SIZE];
	struct cfg *c;

	(void)state;
	conf_write(path, "\r\nlisten = 127.0.0.1:7\r\nmax_body_bytes = 4096");
	c = load_ok(path, 0, NULL);
	assert_string_equal(c->listen, "127.0.0.1:7");
	assert_int_equal(c->max_body_bytes, 4096);
	cfg_free(c);
	unlink(path);
}

static void
test_file_empty(void **state)
{
	char path[CONF_PATH_SIZE];
	struct cfg *c;

	(void)state;
	conf_write(path, "");
	c = load_ok(path, 0, NULL);
	assert_string_equal(c->listen, "127.0.0.1:8080");
	cfg_free(c);
	unlink(path);
}

static void
test_file_unknown_key(void **state)
{
	char path[CONF_PATH_SIZE], where[CONF_PATH_SIZE + 8], *errors;

	(void)state;
	conf_write(path, "# comment\nlisten = 127.0.0.1:1\nbogus_key = 1\n");
	errors = load_err(path, 0, NULL);
	snprintf(where, sizeof(where), "%s:3: ", path);
	assert_non_null(strstr(errors, where));
	assert_non_null(strstr(errors, "bogus_key"));
	assert_int_equal(count_lines(errors), 1);
	free(errors);
	unlink(path);
}

static void
test_file_not_key_value(void **state)
{
	char path[CONF_PATH_SIZE], where[CONF_PATH_SIZE + 8], *errors;

	(void)state;
	conf_write(path, "listen 127.0.0.1:1\n");
	errors = load_err(path, 0, NULL);
	snprintf(where, sizeof(where), "%s:1: ", path);
	assert_non_null(strstr(errors, where));
	free(errors);
	unlink(path);
}

static void
test_file_bad_numbers(void **state)
{
	(void)state;
	expect_file_error("max_body_bytes = abc\n", "max_body_bytes");
	expect_file_error("max_body_bytes = -1\n", "max_body_bytes");
	expect_file_error("max_body_bytes = 12abc\n", "max_body_bytes");
	expect_file_error("max_body_bytes = 1023\n", "max_body_bytes");
	expect_file_error("max_body_bytes = 67108865\n", "max_body_bytes");
	expect_file_error("max_body_bytes = 99999999999999999999999\n",
	    "max_body_bytes");
	expect_file_error("max_body_bytes =\n", "max_body_bytes");
	expect_file_error("max_body_bytes = 1.5e3\n", "max_body_bytes");
	expect_file_error("rate_limit_per_minute = 0\n",
	    "rate_limit_per_minute");
	expect_file_error("shutdown_timeout_ms = 600001\n",
	    "shutdown_timeout_ms");
}

static void
test_file_bad_listen(void **state)
{
	(void)state;
	expect_file_error("listen = 127.0.0.1\n", "listen");
	expect_file_error("listen = ::1:80\n", "listen");
	expect_file_error("listen = localhost:\n", "listen");
	expect_file_error("listen = localhost:70000\n", "listen");
	expect_file_error("listen = :8080\n", "listen");
}

static void
test_file_bad_url(void **state)
{
	(void)state;
	expect_file_error("upstream_url = ftp://example.com\n",
	    "upstream_url");
	expect_file_error("upstream_url = example.com\n", "upstream_url");
	expect_file_error("upstream_url = http://\n", "upstream_url");
	expect_file_error("public_url = \"https://a b.example\"\n",
	    "public_url");
}

static void
test_file_bad_enums(void **state)
{
	(void)state;
	expect_file_error("log_level = verbose\n", "log_level");
	expect_file_error("store = redis\n", "store");
	expect_file_error("allow_private_targets = maybe\n",
	    "allow_private_targets");
	expect_file_error("state_dir = a\tb\n", "state_dir");
}

static void
test_file_bad_retry(void **state)
{
	(void)state;
	expect_file_error("retry_schedule = 5\n", "retry_schedule");
	expect_file_error("retry_schedule = 5x\n", "retry_schedule");
	expect_file_error("retry_schedule = 8d\n", "retry_schedule");
	expect_file_error("retry_schedule = 0,5s,5y\n", "retry_schedule");
	expect_file_error("retry_schedule = -5s\n", "retry_schedule");
	expect_file_error("retry_schedule = \"\"\n", "retry_schedule");
	expect_file_error("retry_schedule = 1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,"
	    "1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s\n", "retry_schedule");
}

static void
test_file_duplicate_key(void **state)
{
	char path[CONF_PATH_SIZE], where[CONF_PATH_SIZE + 8], *errors;

	(void)state;
	conf_write(path, "listen = 127.0.0.1:1\nlisten = 127.0.0.1:2\n");
	errors = load_err(path, 0, NULL);
	snprintf(where, sizeof(where), "%s:2: ", path);
	assert_non_null(strstr(errors, where));
	assert_non_null(strstr(errors, "listen"));
	assert_int_equal(count_lines(errors), 1);
	free(errors);
	unlink(path);
}

static void
test_multiple_errors(void **state)
{
	char path[CONF_PATH_SIZE], where[CONF_PATH_SIZE + 8], *errors;
	char *argv[] = { "--bogus-flag" };

	(void)state;
	conf_write(path,
	    "max_body_bytes = 12abc\n"
	    "listen = 127.0.0.1:1\n"
	    "log_level = loud\n"
	    "nonsense = 1\n");
	errors = load_err(path, 1, argv);
	assert_int_equal(count_lines(errors), 4);
	snprintf(where, sizeof(where), "%s:1: ", path);
	assert_non_null(strstr(errors, where));
	snprintf(where, sizeof(where), "%s:3: ", path);
	assert_non_null(strstr(errors, where));
	snprintf(where, sizeof(where), "%s:4: ", path);
	assert_non_null(strstr(errors, where));
	snprintf(where, sizeof(where), "%s:2: ", path);
	assert_null(strstr(errors, where));
	assert_non_null(strstr(errors, "--bogus-flag"));
	free(errors);
	unlink(path);
}

static void
test_missing_file(void **state)
{
	const char *path = "/tmp/fzrelay-test-cfg-no-such-file.conf";
	char *errors;

	(void)state;
	unlink(path);
	errors = load_err(path, 0, NULL);
	assert_non_null(strstr(errors, path));
	free(errors);
}

static void
test_env_override(void **state)
{
	char path[CONF_PATH_SIZE];
	char *argv[] = { "--listen", "127.0.0.1:9002" };
	struct cfg *c;

	(void)state;
	conf_write(path, "listen = 127.0.0.1:9000\nmax_body_bytes = 2048\n");
	assert_int_equal(setenv("FZRELAY_LISTEN", "127.0.0.1:9001", 1), 0);
	assert_int_equal(setenv("FZRELAY_MAX_BODY_BYTES", "4096", 1), 0);

	c = load_ok(path, 0, NULL);
	assert_string_equal(c->listen, "127.0.0.1:9001");
	assert_int_equal(c->max_body_bytes, 4096);
	cfg_free(c);

	c = load_ok(path, 2, argv);
	assert_string_equal(c->listen, "127.0.0.1:9002");
	assert_int_equal(c->max_body_bytes, 4096);
	cfg_free(c);

	unsetenv("FZRELAY_LISTEN");
	unsetenv("FZRELAY_MAX_BODY_BYTES");
	c = load_ok(path, 0, NULL);
	assert_string_equal(c->listen, "127.0.0.1:9000");
	assert_int_equal(c->max_body_bytes, 2048);
	cfg_free(c);
	unlink(path);
}

static void
test_env_bad_value(void **state)
{
	char *errors;

	(void)state;
	assert_int_equal(setenv("FZRELAY_LISTEN", "nowhere", 1), 0);
	errors = load_err(NULL, 0, NULL);
	assert_non_null(strstr(errors, "FZRELAY_LISTEN"));
	assert_int_equal(count_lines(errors), 1);
	free(errors);
	unsetenv("FZRELAY_LISTEN");
}

static void
test_flags_forms(void **state)
{
	char *argv[] = {
		"--listen", "127.0.0.1:1234",
		"--max-body-bytes=4096",
		"--state-dir", "/tmp/fz-flags",
		"--log_level=warn",
		"--retry-schedule", "1s,2s",
	};
	struct cfg *c;

	(void)state;
	c = load_ok(NULL, (int)FZ_NELEM(argv), argv);
	assert_string_equal(c->listen, "127.0.0.1:1234");
	assert_int_equal(c->max_body_bytes, 4096);
	assert_string_equal(c->state_dir, "/tmp/fz-flags");
	assert_int_equal(c->log_level, LOG_LVL_WARN);
	assert_int_equal(c->retry_count, 2);
	assert_int_equal(c->retry_schedule_ms[0], 1000);
	assert_int_equal(c->retry_schedule_ms[1], 2000);
	cfg_free(c);
}

static void
test_flags_bool(void **state)
{
	char *last[] = { "--allow-private-targets" };
	char *before[] = { "--allow-private-targets", "--listen",
	    "127.0.0.1:1" };
	char *off[] = { "--allow-private-targets=false" };
	struct cfg *c;

	(void)state;
	c = load_ok(NULL, 1, last);
	assert_int_equal(c->allow_private_targets, 1);
	cfg_free(c);

	c = load_ok(NULL, 3, before);
	assert_int_equal(c->allow_private_targets, 1);
	assert_string_equal(c->listen, "127.0.0.1:1");
	cfg_free(c);

	c = load_ok(NULL, 1, off);
	assert_int_equal(c->allow_private_targets, 0);
	cfg_free(c);
}

static void
test_flags_file_loses(void **state)
{
	char path[CONF_PATH_SIZE];
	char *argv[] = { "--state-dir=/tmp/fz-flag-wins" };
	struct cfg *c;

	(void)state;
	conf_write(path, "state_dir = /tmp/fz-file\n");
	c = load_ok(path, 1, argv);
	assert_string_equal(c->state_dir, "/tmp/fz-flag-wins");
	cfg_free(c);
	unlink(path);
}

static void
test_flags_unknown(void **state)
{
	char *argv[] = { "--no-such-option", "x" };
	char *eq[] = { "--no-such-option=1" };
	char *errors;

	(void)state;
	errors = load_err(NULL, 2, argv);
	assert_non_null(strstr(errors, "--no-such-option"));
	free(errors);

	errors = load_err(NULL, 1, eq);
	assert_non_null(strstr(errors, "--no-such-option"));
	assert_int_equal(count_lines(errors), 1);
	free(errors);
}

static void
test_flags_missing_value(void **state)
{
	char *argv[] = { "--listen" };
	char *errors;

	(void)state;
	errors = load_err(NULL, 1, argv);
	assert_non_null(strstr(errors, "--listen"));
	assert_int_equal(count_lines(errors), 1);
	free(errors);
}

static void
test_flags_bad_value(void **state)
{
	char *argv[] = { "--max-body-bytes", "lots" };
	char *errors;

	(void)state;
	errors = load_err(NULL, 2, argv);
	assert_non_null(strstr(errors, "--max-body-bytes"));
	free(errors);
}

static void
test_flags_stray_argument(void **state)
{
	char *argv[] = { "serve" };
	char *errors;

	(void)state;
	errors = load_err(NULL, 1, argv);
	assert_non_null(strstr(errors, "serve"));
	free(errors);
}

static void
test_store_http_needs_upstream(void **state)
{
	char *bare[] = { "--store", "http" };
	char *url[] = { "--store", "http",
	    "--upstream-url", "https://store.example.com" };
	char *full[] = { "--store", "http",
	    "--upstream-url", "https://store.example.com",
	    "--upstream-token", "tok" };
	struct cfg *c;
	char *errors;

	(void)state;
	errors = load_err(NULL, 2, bare);
	assert_non_null(strstr(errors, "upstream_url"));
	assert_non_null(strstr(errors, "upstream_token"));
	assert_int_equal(count_lines(errors), 2);
	free(errors);

	errors = load_err(NULL, 4, url);
	assert_non_null(strstr(errors, "upstream_token"));
	assert_int_equal(count_lines(errors), 1);
	free(errors);

	c = load_ok(NULL, 6, full);
	assert_int_equal(c->store, CFG_STORE_HTTP);
	assert_string_equal(c->upstream_url, "https://store.example.com");
	assert_string_equal(c->upstream_token, "tok");
	cfg_free(c);
}

static void
test_header_timeout_over_request(void **state)
{
	char *bad[] = { "--header-timeout-ms", "5000",
	    "--request-timeout-ms", "4000" };
	char *equal[] = { "--header-timeout-ms", "4000",
	    "--request-timeout-ms", "4000" };
	struct cfg *c;
	char *errors;

	(void)state;
	errors = load_err(NULL, 4, bad);
	assert_non_null(strstr(errors, "header_timeout_ms"));
	free(errors);

	c = load_ok(NULL, 4, equal);
	assert_int_equal(c->header_timeout_ms, 4000);
	assert_int_equal(c->request_timeout_ms, 4000);
	cfg_free(c);
}

/* The bounds on bodies in flight and connections per address: defaults,
 * and a body memory that could not hold one body of max_body_bytes. */
static void
test_body_memory_and_per_address(void **state)
{
	char *bad[] = { "--max-body-memory-bytes", "1048575" };
	char *ok[] = { "--max-body-memory-bytes", "1048576",
	    "--max-connections-per-address", "0" };
	struct cfg *c;
	char *errors;

	(void)state;
	c = load_ok(NULL, 0, NULL);
	assert_int_equal(c->max_body_memory_bytes, 0);
	assert_int_equal(c->max_connections_per_address, 256);
	cfg_free(c);

	errors = load_err(NULL, 2, bad);
	assert_non_null(strstr(errors, "max_body_memory_bytes (1048575) is "
	    "below max_body_bytes (1048576)"));
	free(errors);

	c = load_ok(NULL, 4, ok);
	assert_int_equal(c->max_body_memory_bytes, 1048576);
	assert_int_equal(c->max_connections_per_address, 0);
	cfg_free(c);
}

static void
test_ingest_secret_short(void **state)
{
	char *argv[] = { "--ingest-secret", "short" };
	char *errors;

	(void)state;
	errors = load_err(NULL, 2, argv);
	assert_non_null(strstr(errors, "ingest_secret"));
	/* The secret itself is never echoed. */
	assert_null(strstr(errors, "short\""));
	free(errors);
}

static void
test_listen_split(void **state)
{
	char host[256];
	uint16_t port;

	(void)state;
	port = 1;
	assert_int_equal(cfg_listen_split("127.0.0.1:0", host, sizeof(host),
	    &port), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 0);

	assert_int_equal(cfg_listen_split("[::1]:80", host, sizeof(host),
	    &port), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 80);

	assert_int_equal(cfg_listen_split("localhost:8080", host, sizeof(host),
	    &port), 0);
	assert_string_equal(host, "localhost");
	assert_int_equal(port, 8080);

	assert_int_equal(cfg_listen_split("example.com:65535", host,
	    sizeof(host), &port), 0);
	assert_string_equal(host, "example.com");
	assert_int_equal(port, 65535);
}

static void
test_listen_split_rejects(void **state)
{
	static const char *const bad[] = {
		"::1:80",		/* bare IPv6 */
		"host:",		/* no port */
		"host:70000",		/* port out of range */
		"host:65536",
		"host:-1",
		"host:80x",
		"host",
		":80",
		"[]:80",
		"[::1]",
		"[::1:80",
		"ho st:80",
		"",
	};
	char host[256];
	uint16_t port;
	size_t i;

	(void)state;
	for (i = 0; i < FZ_NELEM(bad); i++) {
		if (cfg_listen_split(bad[i], host, sizeof(host), &port) !=
		    FZ_EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

static void
test_listen_split_small_buffer(void **state)
{
	char host[16];
	uint16_t port;

	(void)state;
	memset(host, 'X', sizeof(host));
	/* "localhost" needs 10 bytes with its NUL. */
	assert_int_equal(cfg_listen_split("localhost:80", host, 9, &port),
	    FZ_EINVAL);
	assert_int_equal(host[9], 'X');
	assert_int_equal(cfg_listen_split("localhost:80", host, 10, &port), 0);
	assert_string_equal(host, "localhost");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_file_values),
		cmocka_unit_test(test_file_bounds_accepted),
		cmocka_unit_test(test_file_no_final_newline),
		cmocka_unit_test(test_file_empty),
		cmocka_unit_test(test_file_unknown_key),
		cmocka_unit_test(test_file_not_key_value),
		cmocka_unit_test(test_file_bad_numbers),
		cmocka_unit_test(test_file_bad_listen),
		cmocka_unit_test(test_file_bad_url),
		cmocka_unit_test(test_file_bad_enums),
		cmocka_unit_test(test_file_bad_retry),
		cmocka_unit_test(test_file_duplicate_key),
		cmocka_unit_test(test_multiple_errors),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test_teardown(test_env_override, env_clear),
		cmocka_unit_test_teardown(test_env_bad_value, env_clear),
		cmocka_unit_test(test_flags_forms),
		cmocka_unit_test(test_flags_bool),
		cmocka_unit_test(test_flags_file_loses),
		cmocka_unit_test(test_flags_unknown),
		cmocka_unit_test(test_flags_missing_value),
		cmocka_unit_test(test_flags_bad_value),
		cmocka_unit_test(test_flags_stray_argument),
		cmocka_unit_test(test_store_http_needs_upstream),
		cmocka_unit_test(test_header_timeout_over_request),
		cmocka_unit_test(test_body_memory_and_per_address),
		cmocka_unit_test(test_ingest_secret_short),
		cmocka_unit_test(test_trusted_proxies),
		cmocka_unit_test(test_listen_split),
		cmocka_unit_test(test_listen_split_rejects),
		cmocka_unit_test(test_listen_split_small_buffer),
	};

	return cmocka_run_group_tests_name("cfg", tests, env_clear, NULL);
}
