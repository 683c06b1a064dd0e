#include <stdlib.h>

#include "common/fz.h"
#include "state/store_impl.h"

struct embedded {
	struct state	*st;
};

static int
embedded_submit(void *impl, const struct store_req *req, store_cb *cb,
    void *arg)
{
	struct embedded *em = impl;
	struct store_res res = { 0, NULL, NULL };

	switch (req->op) {
	case STORE_OP_PING:
		if ((res.err = state_ready(em->st)) != 0)
			res.message = "the state directory does not take writes";
		break;
	default:
		res.err = FZ_ENOTSUP;
		res.message = "operation not offered by the embedded store";
		break;
	}
	cb(&res, arg);
	return 0;
}

static void
embedded_free(void *impl)
{
	free(impl);
}

static const struct store_backend embedded_backend = {
	.kind = "embedded",
	.submit = embedded_submit,
	.free = embedded_free,
};

struct store *
store_embedded_new(struct state *st)
{
	struct embedded *em;

	if ((em = calloc(1, sizeof(*em))) == NULL)
		return NULL;
	em->st = st;
	return store_wrap(&embedded_backend, em);
}
