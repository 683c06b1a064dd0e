/*
 * fuzz_router.c: relay/http/router.h over the daemon's own route table,
 * as the edge builds and asks it (relay/route.h).
 *
 * The input is "METHOD PATH": everything before the first space is the
 * method, the rest the undecoded path as the HTTP layer hands it over (an
 * input without a space is a GET of the whole input). route_match must
 * answer 0, FZ_ENOTFOUND or FZ_ECONFLICT; a match names a route of the
 * table for that method (GET for HEAD) with every ":param" of its pattern
 * decoded and free of NULs; a wrong method lists the allowed ones.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/routes.h"
#include "common/fz.h"
#include "relay/http/router.h"
#include "relay/route.h"
#include "tests/fuzz/fuzz.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
static struct router *router;
static const struct route *table;
static size_t ntable;

static void
fuzz_cleanup(void)
{
	router_free(router);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	table = routes_table(&ntable);
	if ((router = route_router_new(table, ntable)) == NULL) {
		fprintf(stderr, "fuzz_router: route_router_new failed\n");
		exit(1);
	}
	atexit(fuzz_cleanup);
	return 0;
}

/* Returns the number of ":name" segments in pattern. */
static size_t
fuzz_nparams(const char *pattern)
{
	size_t n = 0;

	for (; *pattern != '\0'; pattern++)
		if (pattern[0] == '/' && pattern[1] == ':')
			n++;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct router_params params;
	const struct route *rt = NULL;
	char allow[64], *buf, *method, *path, *sp;
	size_t i;
	int err;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if ((sp = strchr(buf, ' ')) != NULL) {
		*sp = '\0';
		method = buf;
		path = sp + 1;
	} else {
		method = "GET";
		path = buf;
	}
	err = route_match(router, method, path, &rt, &params, allow,
	    sizeof(allow));
	switch (err) {
	case 0:
		FUZZ_CHECK(rt >= table && rt < table + ntable);
		FUZZ_CHECK(strcmp(rt->method, strcmp(method, "HEAD") == 0 ?
		    "GET" : method) == 0);
		FUZZ_CHECK(params.n == fuzz_nparams(rt->pattern) ||
		    (params.n == ROUTER_MAX_PARAMS &&
		    fuzz_nparams(rt->pattern) > ROUTER_MAX_PARAMS));
		for (i = 0; i < params.n; i++) {
			FUZZ_CHECK(params.value[i] != NULL);
			FUZZ_CHECK(router_param(&params, params.name[i]) !=
			    NULL);
		}
		FUZZ_CHECK(strstr(allow, rt->method) != NULL);
		break;
	case FZ_ECONFLICT:
		FUZZ_CHECK(rt == NULL && params.n == 0 && allow[0] != '\0');
		break;
	case FZ_ENOTFOUND:
		FUZZ_CHECK(rt == NULL && params.n == 0);
		break;
	default:
		FUZZ_CHECK(err == FZ_ENOMEM);
		break;
	}
	router_params_clear(&params);
	free(buf);
	return 0;
}
