/*
 * routes.h: the route table, the single list of what the edge serves and
 * what each route demands (plan, scope, body). The router, the auth
 * checks and the API description all read it.
 */
#ifndef FZ_ROUTES_H
#define FZ_ROUTES_H

#include <stddef.h>

#include "relay/route.h"

/* Returns the table and writes its length; static. */
const struct route	*routes_table(size_t *n);

#endif
