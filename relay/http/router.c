#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "common/fz.h"
#include "common/log.h"
#include "relay/http/router.h"

#define ROUTER_MAX_SEGS	16

struct router_route {
	const char		*method;
	const void		*data;
	size_t			 nsegs;
	const char		*seg[ROUTER_MAX_SEGS];	/* into pattern copy */
	char			*copy;
};

struct router {
	struct router_route	*ents;
	size_t			 n;
};

/* Splits path (modified in place) at '/'. Returns the number of segments
 * or -1 when the path is not "/..." or has too many or empty segments. */
static int
router_split(char *path, const char **segs)
{
	size_t n = 0, len;
	char *p, *slash;

	if (path[0] != '/')
		return -1;
	len = strlen(path);
	if (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	if (len == 1)
		return 0;
	for (p = path + 1; p != NULL; p = slash) {
		if ((slash = strchr(p, '/')) != NULL)
			*slash++ = '\0';
		if (*p == '\0' || n == ROUTER_MAX_SEGS)
			return -1;
		segs[n++] = p;
	}
	return (int)n;
}

struct router *
router_new(const struct router_entry *ents, size_t n)
{
	struct router *r;
	size_t i;
	int nsegs;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->ents = calloc(n, sizeof(*r->ents))) == NULL)
		goto fail;
	for (i = 0; i < n; i++, r->n++) {
		struct router_route *e = &r->ents[i];

		e->method = ents[i].method;
		e->data = ents[i].data;
		if ((e->copy = strdup(ents[i].pattern)) == NULL)
			goto fail;
		if ((nsegs = router_split(e->copy, e->seg)) < 0) {
			log_err("router: bad pattern %s", ents[i].pattern);
			r->n++;
			goto fail;
		}
		e->nsegs = (size_t)nsegs;
	}
	return r;
fail:
	router_free(r);
	return NULL;
}

void
router_free(struct router *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		free(r->ents[i].copy);
	free(r->ents);
	free(r);
}

void
router_params_clear(struct router_params *params)
{
	size_t i;

	for (i = 0; i < params->n; i++)
		free(params->value[i]);
	memset(params, 0, sizeof(*params));
}

const char *
router_param(const struct router_params *params, const char *name)
{
	size_t i;

	for (i = 0; i < params->n; i++)
		if (strcmp(params->name[i], name) == 0)
			return params->value[i];
	return NULL;
}

static int
router_route_matches(const struct router_route *e, const char **segs,
    size_t nsegs)
{
	size_t i;

	if (e->nsegs != nsegs)
		return 0;
	for (i = 0; i < nsegs; i++)
		if (e->seg[i][0] != ':' && strcmp(e->seg[i], segs[i]) != 0)
			return 0;
	return 1;
}

/* Returns 0, FZ_ENOMEM, or FZ_ENOTFOUND for a parameter that decodes to
 * something holding a NUL ("%00"): no record is named that way. */
static int
router_fill_params(const struct router_route *e, const char **segs,
    struct router_params *params)
{
	size_t i, len;
	char *v;

	for (i = 0; i < e->nsegs; i++) {
		if (e->seg[i][0] != ':' || params->n == ROUTER_MAX_PARAMS)
			continue;
		if ((v = evhttp_uridecode(segs[i], 0, &len)) == NULL) {
			router_params_clear(params);
			return FZ_ENOMEM;
		}
		params->name[params->n] = e->seg[i] + 1;
		params->value[params->n++] = v;
		if (strlen(v) != len) {
			router_params_clear(params);
			return FZ_ENOTFOUND;
		}
	}
	return 0;
}

static void
router_allow_add(char *allow, size_t allowsz, const char *method)
{
	size_t len;

	if (allowsz == 0)
		return;
	len = strlen(allow);
	if (strstr(allow, method) != NULL)
		return;
	if (len + strlen(method) + 3 > allowsz)
		return;
	if (len > 0)
		strcat(allow, ", ");
	strcat(allow, method);
}

int
router_match(const struct router *r, const char *method, const char *path,
    const void **data, struct router_params *params, char *allow,
    size_t allowsz)
{
	const char *segs[ROUTER_MAX_SEGS];
	const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
	char *copy;
	size_t i;
	int nsegs, err = FZ_ENOTFOUND, any = 0, found = 0;

	*data = NULL;
	memset(params, 0, sizeof(*params));
	if (allowsz > 0)
		allow[0] = '\0';
	if ((copy = strdup(path)) == NULL)
		return FZ_ENOMEM;
	if ((nsegs = router_split(copy, segs)) < 0)
		goto out;
	for (i = 0; i < r->n; i++) {
		const struct router_route *e = &r->ents[i];

		if (!router_route_matches(e, segs, (size_t)nsegs))
			continue;
		any = 1;
		router_allow_add(allow, allowsz, e->method);
		if (strcmp(e->method, "GET") == 0)
			router_allow_add(allow, allowsz, "HEAD");
		if (!found && strcmp(e->method, want) == 0) {
			if ((err = router_fill_params(e, segs, params)) != 0)
				goto out;
			*data = e->data;
			found = 1;
		}
	}
	if (found)
		err = 0;
	else if (any)
		err = FZ_ECONFLICT;
out:
	free(copy);
	return err;
}
