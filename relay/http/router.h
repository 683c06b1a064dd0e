/*
 * router.h: method + path-pattern routing.
 *
 * A pattern is a path whose segments are literals or ":name" parameters
 * ("/api/v1/projects/:id/pack"). A parameter matches one non-empty
 * segment. A path that matches no pattern is "not found"; a path that
 * matches only under other methods is "method not allowed", and the
 * methods that would have matched are reported for the Allow header.
 * GET routes answer HEAD too. One trailing '/' is ignored. What a route
 * means is the caller's: the router hands back the data it was given
 * with the route's pattern.
 */
#ifndef FZ_ROUTER_H
#define FZ_ROUTER_H

#include <stddef.h>

#define ROUTER_MAX_PARAMS	4

/* What the router is given: a method, a pattern, and the caller's own
 * data for the route, handed back when it matches. */
struct router_entry {
	const char	*method;
	const char	*pattern;
	const void	*data;
};

struct router_params {
	size_t		 n;
	const char	*name[ROUTER_MAX_PARAMS];	/* the router's */
	char		*value[ROUTER_MAX_PARAMS];	/* owned; decoded */
};

/* Returns a router over ents[0..n-1], or NULL (no memory, or a
 * malformed pattern: logged). The array is copied; the methods and data
 * it points to must outlive the router. Caller frees with router_free. */
struct router	*router_new(const struct router_entry *ents, size_t n);

void	router_free(struct router *r);

/*
 * Matches method and path. Returns 0 and sets *data to the matched
 * entry's data and params (free with router_params_clear), FZ_ENOTFOUND,
 * or FZ_ECONFLICT when only the method is wrong (allow then lists the
 * allowed methods, comma-separated, in allowsz bytes), or FZ_ENOMEM.
 * *data is NULL unless 0 is returned. Any thread.
 */
int	router_match(const struct router *r, const char *method,
	    const char *path, const void **data,
	    struct router_params *params, char *allow, size_t allowsz);

/* Frees the values in params and empties it. */
void	router_params_clear(struct router_params *params);

/* Returns the value of parameter name, or NULL. Borrowed. */
const char	*router_param(const struct router_params *params,
		    const char *name);

#endif
