/*
 * fuzz_cfg.c: common/cfg.h on configuration files.
 *
 * The input is written to a temporary file and loaded with cfg_load as
 * "fzrelay serve -c FILE" does (no flags; FZRELAY_* variables are
 * cleared once so the environment adds nothing). A file that loads must
 * give a configuration that meets cfg_validate's rules; one that does not
 * must come with messages, each naming where it stands.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cfg.h"
#include "common/fz.h"
#include "tests/fuzz/fuzz.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
extern char **environ;

static char path[4096];

static void
fuzz_cleanup(void)
{
	if (path[0] != '\0')
		unlink(path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	char name[256];
	size_t i, n;
	int fd;

	(void)argc;
	(void)argv;
	/* Unset from a copy of each name: unsetenv reshuffles environ. */
	for (i = 0; environ[i] != NULL; i++) {
		if (strncmp(environ[i], "FZRELAY_", 8) != 0)
			continue;
		n = strcspn(environ[i], "=");
		if (n >= sizeof(name))
			continue;
		memcpy(name, environ[i], n);
		name[n] = '\0';
		unsetenv(name);
		i = (size_t)-1;
	}
	snprintf(path, sizeof(path), "%s/fuzz_cfg.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if ((fd = mkstemp(path)) == -1) {
		fprintf(stderr, "fuzz_cfg: mkstemp %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
	close(fd);
	atexit(fuzz_cleanup);
	return 0;
}

static int
fuzz_write(const uint8_t *data, size_t size)
{
	ssize_t w;
	int fd;

	if ((fd = open(path, O_WRONLY | O_TRUNC)) == -1)
		return -1;
	while (size > 0) {
		if ((w = write(fd, data, size)) <= 0) {
			close(fd);
			return -1;
		}
		data += w;
		size -= (size_t)w;
	}
	return close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg *c = NULL;
	char *errors = NULL, host[256];
	uint16_t port;
	int err;

	if (fuzz_write(data, size) != 0) {
		fprintf(stderr, "fuzz_cfg: writing %s: %s\n", path,
		    strerror(errno));
		abort();
	}
	err = cfg_load(path, 0, NULL, &c, &errors);
	if (err == 0) {
		FUZZ_CHECK(c != NULL && errors == NULL);
		FUZZ_CHECK(c->listen != NULL && c->state_dir != NULL);
		/* serve binds what the check let through. */
		FUZZ_CHECK(cfg_listen_split(c->listen, host, sizeof(host),
		    &port) == 0);
		FUZZ_CHECK(c->retry_count >= 1 &&
		    c->retry_count <= CFG_RETRY_MAX);
		FUZZ_CHECK(c->header_timeout_ms <= c->request_timeout_ms);
		FUZZ_CHECK(c->store != CFG_STORE_HTTP ||
		    (c->upstream_url != NULL && c->upstream_token != NULL));
		FUZZ_CHECK(c->ingest_secret == NULL ||
		    strlen(c->ingest_secret) >= 16);
	} else if (err == FZ_EINVAL) {
		FUZZ_CHECK(c == NULL && errors != NULL && *errors != '\0');
		/* Each line says where: "FILE:N: ...", or the whole config. */
		FUZZ_CHECK(strncmp(errors, path, strlen(path)) == 0 ||
		    strncmp(errors, "configuration: ", 15) == 0);
	} else
		FUZZ_CHECK(err == FZ_ENOMEM && c == NULL && errors == NULL);
	cfg_free(c);
	free(errors);
	return 0;
}
