/*
 * router.h: method + path-pattern routing, and what each route demands.
 *
 * A pattern is a path whose segments are literals or ":name" parameters
 * ("/api/v1/projects/:id/pack"). A parameter matches one non-empty
 * segment. A path that matches no pattern is "not found"; a path that
 * matches only under other methods is "method not allowed", and the
 * methods that would have matched are reported for the Allow header.
 * GET routes answer HEAD too. One trailing '/' is ignored.
 */
#ifndef FZ_ROUTER_H
#define FZ_ROUTER_H

#include <stddef.h>

#include "state/apikey.h"
#include "state/workspace.h"

#define ROUTE_MAX_PARAMS	4

struct rq;
typedef void route_handler(struct rq *rq);

/* Route flags. */
#define ROUTE_JSON_BODY	0x01	/* the body is a JSON object, parsed once */
#define ROUTE_LIST	0x02	/* pages with ?limit= and ?cursor= */
#define ROUTE_CREATES	0x04	/* answers 201 when it makes a record */
#define ROUTE_RAW	0x08	/* answers outside the envelope */
#define ROUTE_TEXT	0x10	/* with ROUTE_RAW: text/plain */
#define ROUTE_OWN_BODY	0x20	/* with ROUTE_JSON_BODY: the handler parses
				   it (edge_parse_body), after a fast path */

struct route {
	const char	*method;
	const char	*pattern;
	route_handler	*handler;
	enum plan	 plan;		/* 0: no API key needed */
	enum scope	 scope;		/* with plan: the least scope needed */
	unsigned	 flags;
	const char	*summary;	/* one line, for the API description */
	/* For the API description: a tag, and the component schemas of the
	 * request body and of the envelope's data (NULL: none). */
	const char	*tag;
	const char	*request;
	const char	*response;
};

struct route_params {
	size_t		 n;
	const char	*name[ROUTE_MAX_PARAMS];	/* borrowed from route */
	char		*value[ROUTE_MAX_PARAMS];	/* owned; decoded */
};

/* Returns a router over routes[0..n-1], which must outlive it, or NULL
 * (no memory, or a malformed pattern: logged). Caller frees with
 * router_free. */
struct router	*router_new(const struct route *routes, size_t n);

void	router_free(struct router *r);

/*
 * Matches method and path. Returns 0 and sets *out and params (free
 * with router_params_clear), FZ_ENOTFOUND, or FZ_ECONFLICT when only the
 * method is wrong (allow then lists the allowed methods, comma-separated,
 * in allowsz bytes), or FZ_ENOMEM. Any thread.
 */
int	router_match(const struct router *r, const char *method,
	    const char *path, const struct route **out,
	    struct route_params *params, char *allow, size_t allowsz);

/* Frees the values in params and empties it. */
void	router_params_clear(struct route_params *params);

/* Returns the value of parameter name, or NULL. Borrowed. */
const char	*router_param(const struct route_params *params,
		    const char *name);

#endif
