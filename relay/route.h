/*
 * route.h: a route of the API: the method and pattern it answers, and
 * what it demands (plan, scope, body), who handles it, and how the API
 * description shows it. The daemon's table of routes lives above this
 * layer (cmd/routes.c) and is handed down at start-up, to the edge and
 * to the API description; the HTTP engine's router (relay/http/router.h)
 * matches method and pattern alone and hands the route back.
 */
#ifndef FZ_ROUTE_H
#define FZ_ROUTE_H

#include <stddef.h>

#include "relay/http/router.h"
#include "state/apikey.h"
#include "state/workspace.h"

struct rq;
typedef void route_handler(struct rq *rq);

/* Route flags. */
#define ROUTE_JSON_BODY	0x01	/* the body is a JSON object, parsed once */
#define ROUTE_LIST	0x02	/* pages with ?limit= and ?cursor= */
#define ROUTE_CREATES	0x04	/* answers 201 when it makes a record */
#define ROUTE_RAW	0x08	/* answers outside the envelope */
#define ROUTE_TEXT	0x10	/* with ROUTE_RAW: text/plain */
#define ROUTE_OWN_BODY	0x20	/* with ROUTE_JSON_BODY: the handler parses
				   it (body_parse), after a fast path */
#define ROUTE_PAGE	0x40	/* a web page or its asset: outside the API
				   and its description */
#define ROUTE_QUEUES	0x80	/* answers 202: the work is queued */
#define ROUTE_STORE	0x100	/* answered by the record store, which is
				   upstream with store = http */
#define ROUTE_SMALL_BODY 0x200	/* bodies over 8 KiB are 413 before they are
				   read: routes open to anyone (the portal) */
#define ROUTE_HTML	0x400	/* answers a web page, unless Accept prefers
				   application/json */
#define ROUTE_NO_STORE	0x800	/* answers are the client's alone:
				   Cache-Control: no-store */

/* For the API description: an answer a route gives besides its success
 * and those its plan, flags and path imply, and why. */
struct route_answer {
	int		 status;
	const char	*why;
};

/* For the API description: a query or header parameter a route reads
 * besides ?limit= and ?cursor= of a list and the headers every route
 * reads. */
struct route_param {
	const char	*in;		/* "query" or "header" */
	const char	*name;
	int		 required;
	const char	*schema;	/* JSON text */
	const char	*why;
};

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
	/* For the API description: a paragraph; the prefix of the ids the
	 * :id parameter takes ("project": project_...); the answers beyond
	 * those implied and the parameters it reads, each list ending with
	 * a zeroed entry (NULL: none). */
	const char			*description;
	const char			*id_prefix;
	const struct route_answer	*answers;
	const struct route_param	*params;
};

/* Returns a router over routes[0..n-1], which must outlive it, or NULL
 * (no memory, or a malformed pattern: logged). Caller frees with
 * router_free. */
struct router	*route_router_new(const struct route *routes, size_t n);

/* router_match on a router from route_router_new: *out is the route
 * matched (borrowed from the table), or NULL unless 0 is returned.
 * Returns as router_match. Any thread. */
int	route_match(const struct router *r, const char *method,
	    const char *path, const struct route **out,
	    struct router_params *params, char *allow, size_t allowsz);

#endif
