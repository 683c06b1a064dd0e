#include "relay/account.h"
#include "relay/health.h"
#include "relay/routes.h"

static const struct route routes[] = {
	{ "GET", "/healthz", health_live, 0, 0, 0,
	    "Liveness: the daemon's loop is running" },
	{ "GET", "/readyz", health_ready, 0, 0, 0,
	    "Readiness: storage (and upstream, in http mode) can serve" },
	{ "GET", "/api/v1/auth", account_auth, PLAN_PRO, SCOPE_READ, 0,
	    "The workspace and API key behind the bearer token" },
	{ "GET", "/api/v1/me", account_me, PLAN_PRO, SCOPE_READ, 0,
	    "The workspace and a label for the connection" },
};

const struct route *
routes_table(size_t *n)
{
	*n = sizeof(routes) / sizeof(routes[0]);
	return routes;
}
