#include <stdlib.h>

#include "relay/route.h"

struct router *
route_router_new(const struct route *routes, size_t n)
{
	struct router_entry *ents;
	struct router *r;
	size_t i;

	if ((ents = calloc(n > 0 ? n : 1, sizeof(*ents))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		ents[i].method = routes[i].method;
		ents[i].pattern = routes[i].pattern;
		ents[i].data = &routes[i];
	}
	r = router_new(ents, n);
	free(ents);
	return r;
}

int
route_match(const struct router *r, const char *method, const char *path,
    const struct route **out, struct router_params *params, char *allow,
    size_t allowsz)
{
	const void *data;
	int err;

	err = router_match(r, method, path, &data, params, allow, allowsz);
	*out = data;
	return err;
}
