/*
 * store_impl.h: what a store backend provides; for backends only.
 */
#ifndef FZ_STORE_IMPL_H
#define FZ_STORE_IMPL_H

#include "state/store.h"

struct store_backend {
	const char	*kind;
	int		(*submit)(void *impl, const struct store_req *req,
			    store_cb *cb, void *arg);
	int		(*set_public_url)(void *impl, const char *url);
	int		(*breaker_open)(void *impl);
	void		(*free)(void *impl);
};

/* Returns a store over impl (owned: freed with backend->free), or NULL
 * (impl is then freed). */
struct store	*store_wrap(const struct store_backend *backend, void *impl);

/* Returns the impl of s if backend made it, else NULL. */
void	*store_impl(struct store *s, const struct store_backend *backend);

#endif
