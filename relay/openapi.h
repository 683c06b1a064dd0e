/*
 * openapi.h: the API description, built from the route table so the two
 * cannot drift: every route is an operation, with its path parameters
 * (an id's pattern and an example), list and other parameters, request
 * body and its example, every answer it can give (its success, what its
 * plan, flags and path imply, and the answers the route lists) with the
 * headers each carries, and the bearer scheme where a key is needed. The
 * component schemas live in relay/openapi_components.json; the headers'
 * are built here.
 */
#ifndef FZ_OPENAPI_H
#define FZ_OPENAPI_H

#include <stddef.h>

#include <jansson.h>

#include "relay/route.h"

struct rq;

/* Returns a new OpenAPI 3.1 document for routes[0..n-1] (caller
 * decrefs), or NULL. */
json_t	*openapi_build(const struct route *routes, size_t n);

/* Gives the daemon's routes, routes[0..n-1] (cmd/routes.h), to
 * openapi_serve: borrowed, they must outlive every request. Loop thread,
 * at start-up. */
void	openapi_set_routes(const struct route *routes, size_t n);

/* GET /api/v1/openapi.json: the document for the daemon's routes, built
 * at the first request (500 until openapi_set_routes gave them). */
void	openapi_serve(struct rq *rq);

/* The component schemas as JSON text (generated from
 * openapi_components.json). */
extern const char	openapi_components[];

#endif
