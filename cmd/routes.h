/*
 * routes.h: the route table, the single list of what the daemon serves
 * and what each route demands (plan, scope, body). It names handlers of
 * every layer under cmd/, so it lives here; serve hands it down at
 * start-up to the edge (its router and auth checks) and to the API
 * description.
 */
#ifndef FZ_ROUTES_H
#define FZ_ROUTES_H

#include <stddef.h>

#include "relay/route.h"

/* Returns the table and writes its length; static. */
const struct route	*routes_table(size_t *n);

#endif
