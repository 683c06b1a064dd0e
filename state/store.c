#include <stdlib.h>

#include "common/fz.h"
#include "state/store_impl.h"

struct store {
	const struct store_backend	*backend;
	void				*impl;
};

struct store *
store_wrap(const struct store_backend *backend, void *impl)
{
	struct store *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		backend->free(impl);
		return NULL;
	}
	s->backend = backend;
	s->impl = impl;
	return s;
}

void *
store_impl(struct store *s, const struct store_backend *backend)
{
	return s->backend == backend ? s->impl : NULL;
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	s->backend->free(s->impl);
	free(s);
}

const char *
store_kind(const struct store *s)
{
	return s->backend->kind;
}

int
store_set_public_url(struct store *s, const char *url)
{
	if (s->backend->set_public_url == NULL)
		return 0;
	return s->backend->set_public_url(s->impl, url);
}

int
store_breaker_open(const struct store *s)
{
	return s->backend->breaker_open != NULL &&
	    s->backend->breaker_open(s->impl);
}

int
store_submit(struct store *s, const struct store_req *req, store_cb *cb,
    void *arg)
{
	return s->backend->submit(s->impl, req, cb, arg);
}
