#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/clock.h"
#include "common/cursor.h"
#include "common/fz.h"
#include "common/secure.h"
#include "state/clients.h"
#include "state/packs.h"
#include "state/portal.h"
#include "state/projects.h"
#include "state/reveals.h"
#include "state/secret.h"
#include "state/store_impl.h"
#include "state/templates.h"

struct embedded {
	struct state		*st;
	unsigned char		 seal_key[SECRET_SIZE];
	unsigned char		 cursor_key[SECRET_SIZE];
	char			*public_url;
	struct packs_ctx	 packs;
};

typedef int embedded_list_fn(struct state *st, const char *ws,
    const json_t *filter, uint64_t before, unsigned limit, json_t **out,
    uint64_t *next);

static const char *
embedded_str(const json_t *filter, const char *key)
{
	return json_string_value(json_object_get(filter, key));
}

static int
embedded_projects(struct state *st, const char *ws, const json_t *filter,
    uint64_t before, unsigned limit, json_t **out, uint64_t *next)
{
	struct projects_filter f;

	if (filter == NULL)
		return projects_list(st, ws, NULL, before, limit, out, next);
	memset(&f, 0, sizeof(f));
	f.client_id = embedded_str(filter, "clientId");
	f.client_email = embedded_str(filter, "clientEmail");
	f.status = embedded_str(filter, "status");
	f.q = embedded_str(filter, "q");
	return projects_list(st, ws, &f, before, limit, out, next);
}

static int
embedded_clients(struct state *st, const char *ws, const json_t *filter,
    uint64_t before, unsigned limit, json_t **out, uint64_t *next)
{
	struct clients_filter f;

	if (filter == NULL)
		return clients_list(st, ws, NULL, before, limit, out, next);
	memset(&f, 0, sizeof(f));
	f.email = embedded_str(filter, "email");
	f.q = embedded_str(filter, "q");
	return clients_list(st, ws, &f, before, limit, out, next);
}

static int
embedded_signoffs(struct state *st, const char *ws, const json_t *filter,
    uint64_t before, unsigned limit, json_t **out, uint64_t *next)
{
	(void)filter;
	return portal_signoff_list(st, ws, before, limit, out, next);
}

/*
 * Cursors are bound to the workspace and the list, and a filtered list's
 * to its filters too (by a digest of them, in canonical form), so one
 * taken from another list, workspace or filter is refused like a forged
 * one. An unfiltered list's scope is as it always was.
 */
static int
embedded_scope(const struct store_req *req, const char *list, char *scope,
    size_t size)
{
	unsigned char md[SECURE_SHA256_SIZE];
	char hex[2 * 16 + 1];
	char *canon;
	size_t i;
	int err;

	if (req->filter == NULL) {
		snprintf(scope, size, "%s:%s", req->workspace_id, list);
		return 0;
	}
	if ((canon = json_dumps(req->filter, JSON_COMPACT |
	    JSON_SORT_KEYS)) == NULL)
		return FZ_ENOMEM;
	err = secure_sha256(canon, strlen(canon), md);
	free(canon);
	if (err != 0)
		return err;
	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	snprintf(scope, size, "%s:%s:%s", req->workspace_id, list, hex);
	return 0;
}

static void
embedded_list(struct embedded *em, const struct store_req *req,
    struct store_res *res, const char *list, embedded_list_fn *fn)
{
	char scope[128];
	uint64_t before = 0, next = 0;

	if ((res->err = embedded_scope(req, list, scope, sizeof(scope))) != 0)
		return;
	if (req->cursor != NULL &&
	    cursor_decode(em->cursor_key, scope, req->cursor, &before) != 0) {
		res->err = FZ_EINVAL;
		res->field = "cursor";
		res->message = "cursor is not valid for this list";
		return;
	}
	if ((res->err = fn(em->st, req->workspace_id, req->filter, before,
	    req->limit, &res->data, &next)) != 0)
		return;
	if (next != 0 && cursor_encode(em->cursor_key, scope, next,
	    res->next_cursor) != 0)
		res->err = FZ_ECRYPTO;
}

/* As embedded_list, for one project's reveals: cursors are bound to
 * the project too. */
static void
embedded_reveals(struct embedded *em, const struct store_req *req,
    struct store_res *res)
{
	char scope[128];
	uint64_t before = 0, next = 0;

	snprintf(scope, sizeof(scope), "%s:reveals:%s", req->workspace_id,
	    req->id);
	if (req->cursor != NULL &&
	    cursor_decode(em->cursor_key, scope, req->cursor, &before) != 0) {
		res->err = FZ_EINVAL;
		res->field = "cursor";
		res->message = "cursor is not valid for this list";
		return;
	}
	if ((res->err = reveals_list(em->st, req->workspace_id, req->id,
	    before, req->limit, &res->data, &next)) != 0)
		return;
	if (next != 0 && cursor_encode(em->cursor_key, scope, next,
	    res->next_cursor) != 0)
		res->err = FZ_ECRYPTO;
}

static void
embedded_templates(struct store_res *res)
{
	if ((res->data = templates_list()) == NULL)
		res->err = FZ_ENOMEM;
}

/* A write's way back to its caller. */
struct embedded_call {
	enum store_op	 op;
	store_cb	*cb;
	void		*arg;
};

/* What a caller is told beyond the code, per operation. */
static void
embedded_explain(enum store_op op, struct store_res *res)
{
	switch (op) {
	case STORE_OP_CLIENT_CREATE:
		res->created = res->err == 0;
		if (res->err == FZ_EEXIST) {
			res->field = "email";
			res->message = "a client with this email already exists";
		}
		break;
	case STORE_OP_PROJECT_CREATE:
		res->created = res->err == 0;
		break;
	case STORE_OP_PACK_PUT:
		if (res->err == FZ_ECONFLICT)
			res->message = "the project is signed off; its pack is "
			    "final";
		break;
	case STORE_OP_PACK_SEND:
		if (res->err == FZ_ECONFLICT)
			res->message = "the project is already signed off";
		break;
	case STORE_OP_PORTAL_SIGNOFF:
		res->created = res->err == 0;
		if (res->err == FZ_ECONFLICT)
			res->message = "this pack is already signed off";
		/* Says nothing of the address that would match. */
		if (res->err == FZ_EDENIED)
			res->message = "email does not match the client "
			    "this pack was sent to";
		break;
	case STORE_OP_PORTAL_REVEAL:
		if (res->err == FZ_ECONFLICT)
			res->message = "the pack has changed since the page "
			    "was loaded; reload it";
		if (res->err == FZ_ELIMIT)
			res->message = "too many passwords revealed through "
			    "this link; try again shortly";
		break;
	default:
		break;
	}
	if (res->err != 0 && res->err != FZ_EEXIST) {
		json_decref(res->data);
		res->data = NULL;
	}
}

static void
embedded_done_cb(struct state_result *r, void *arg)
{
	struct embedded_call *c = arg;
	struct store_res res;

	memset(&res, 0, sizeof(res));
	res.err = r->err;
	res.field = r->field;
	res.data = r->data;
	r->data = NULL;
	if (r->err == FZ_ELIMIT)
		res.retry_after_s = (unsigned)r->n;
	embedded_explain(c->op, &res);
	c->cb(&res, c->arg);
	free(c);
}

/* Starts a write; cb runs once it is durable. Returns 0 or FZ_ENOMEM. */
static int
embedded_write(struct embedded *em, const struct store_req *req,
    store_cb *cb, void *arg)
{
	struct embedded_call *c;
	const char *ws = req->workspace_id;
	int64_t now = clock_now_ms();

	if ((c = malloc(sizeof(*c))) == NULL)
		return FZ_ENOMEM;
	c->op = req->op;
	c->cb = cb;
	c->arg = arg;
	switch (req->op) {
	case STORE_OP_CLIENT_CREATE:
		clients_create(em->st, ws, req->body, now, embedded_done_cb, c);
		break;
	case STORE_OP_PROJECT_CREATE:
		projects_create(em->st, ws, req->body, now, embedded_done_cb,
		    c);
		break;
	case STORE_OP_PROJECT_UPDATE:
		projects_update(em->st, ws, req->id, req->body, now,
		    embedded_done_cb, c);
		break;
	case STORE_OP_PACK_PUT:
		packs_put(em->st, &em->packs, ws, req->id, req->body, now,
		    embedded_done_cb, c);
		break;
	case STORE_OP_PACK_SEND:
		packs_send(em->st, &em->packs, ws, req->id, req->body, now,
		    embedded_done_cb, c);
		break;
	case STORE_OP_PORTAL_VIEWED:
		portal_view_record(em->st, &em->packs, req->id, now,
		    embedded_done_cb, c);
		break;
	case STORE_OP_PORTAL_SIGNOFF:
		portal_signoff(em->st, req->id, req->body, now,
		    embedded_done_cb, c);
		break;
	case STORE_OP_PORTAL_REVEAL:
		reveals_record(em->st, &em->packs, req->id, req->body, now,
		    embedded_done_cb, c);
		break;
	default:
		free(c);
		return FZ_EINVAL;
	}
	return 0;
}

static int
embedded_submit(void *impl, const struct store_req *req, store_cb *cb,
    void *arg)
{
	struct embedded *em = impl;
	struct store_res res;
	const char *ws = req->workspace_id;

	memset(&res, 0, sizeof(res));
	switch (req->op) {
	case STORE_OP_PING:
		if ((res.err = state_ready(em->st)) != 0)
			res.message = "the state directory does not take writes";
		break;
	case STORE_OP_CLIENT_LIST:
		embedded_list(em, req, &res, "clients", embedded_clients);
		break;
	case STORE_OP_CLIENT_GET:
		res.err = clients_get(em->st, ws, req->id, &res.data);
		break;
	case STORE_OP_PROJECT_LIST:
		embedded_list(em, req, &res, "projects", embedded_projects);
		break;
	case STORE_OP_PROJECT_GET:
		res.err = projects_get(em->st, ws, req->id, &res.data);
		break;
	case STORE_OP_PACK_GET:
		res.err = packs_get(em->st, &em->packs, ws, req->id, &res.data);
		break;
	case STORE_OP_SIGNOFF_GET:
		res.err = portal_signoff_get(em->st, ws, req->id, &res.data);
		break;
	case STORE_OP_SIGNOFF_LIST:
		embedded_list(em, req, &res, "signoffs", embedded_signoffs);
		break;
	case STORE_OP_TEMPLATE_LIST:
		embedded_templates(&res);
		break;
	case STORE_OP_PORTAL_VIEW:
		res.err = portal_view(em->st, &em->packs, req->id, &res.data);
		break;
	case STORE_OP_PORTAL_FETCH:
		res.err = portal_fetch(em->st, &em->packs, req->id,
		    clock_now_ms(), &res.data);
		break;
	case STORE_OP_PACK_REVEALS:
		embedded_reveals(em, req, &res);
		break;
	default:
		return embedded_write(em, req, cb, arg);
	}
	embedded_explain(req->op, &res);
	cb(&res, arg);
	return 0;
}

static void
embedded_free(void *impl)
{
	struct embedded *em = impl;

	if (em == NULL)
		return;
	OPENSSL_cleanse(em->seal_key, sizeof(em->seal_key));
	OPENSSL_cleanse(em->cursor_key, sizeof(em->cursor_key));
	free(em->public_url);
	free(em);
}

static int
embedded_set_public_url(void *impl, const char *url)
{
	struct embedded *em = impl;
	char *copy;
	size_t n;

	if ((copy = strdup(url)) == NULL)
		return FZ_ENOMEM;
	n = strlen(copy);
	while (n > 0 && copy[n - 1] == '/')
		copy[--n] = '\0';
	free(em->public_url);
	em->public_url = copy;
	em->packs.public_url = copy;
	return 0;
}

static const struct store_backend embedded_backend = {
	.kind = "embedded",
	.submit = embedded_submit,
	.set_public_url = embedded_set_public_url,
	.free = embedded_free,
};

struct store *
store_embedded_new(struct state *st, const unsigned char *secret,
    const char *public_url)
{
	struct embedded *em;

	if ((em = calloc(1, sizeof(*em))) == NULL)
		return NULL;
	em->st = st;
	em->packs.seal_key = em->seal_key;
	if (embedded_set_public_url(em, public_url) != 0 ||
	    secret_derive(secret, "credentials", em->seal_key) != 0 ||
	    secret_derive(secret, "cursor", em->cursor_key) != 0) {
		embedded_free(em);
		return NULL;
	}
	return store_wrap(&embedded_backend, em);
}
