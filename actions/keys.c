#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "actions/keys.h"
#include "common/clock.h"
#include "common/fz.h"
#include "common/secure.h"
#include "relay/edge.h"
#include "relay/reply.h"
#include "relay/validate.h"
#include "state/apikey.h"

/* Scopes the API hands out, lowest first: a key holds each up to its
 * own. */
static const enum scope keys_scopes[] = { SCOPE_READ, SCOPE_WRITE,
    SCOPE_ADMIN };

/* Returns the JSON record of key (never its hash; the prefix is public),
 * or NULL. */
static json_t *
keys_view(const struct apikey *key)
{
	char created[CLOCK_RFC3339_SIZE], used[CLOCK_RFC3339_SIZE],
	    revoked[CLOCK_RFC3339_SIZE];
	json_t *o, *scopes;
	size_t i;

	if ((scopes = json_array()) == NULL)
		return NULL;
	for (i = 0; i < FZ_NELEM(keys_scopes); i++)
		if (keys_scopes[i] <= key->scope)
			json_array_append_new(scopes, json_string(
			    apikey_scope_name(keys_scopes[i])));
	if (key->scope == SCOPE_SERVICE)
		json_array_append_new(scopes, json_string(
		    apikey_scope_name(SCOPE_SERVICE)));
	o = json_pack("{s:s, s:s, s:o, s:s, s:s, s:o, s:o}",
	    "id", key->id, "name", key->name, "scopes", scopes,
	    "prefix", key->prefix,
	    "createdAt", clock_rfc3339(key->created_ms, created),
	    "lastUsedAt", key->last_used_ms != 0 ?
	    json_string(clock_rfc3339(key->last_used_ms, used)) : json_null(),
	    "revokedAt", key->revoked_ms != 0 ?
	    json_string(clock_rfc3339(key->revoked_ms, revoked)) :
	    json_null());
	return o;
}

struct keys_all {
	struct apikey	*k;
	size_t		 n, size;
};

static int
keys_collect_cb(const struct apikey *key, void *arg)
{
	struct keys_all *a = arg;
	struct apikey *k;

	if (a->n == a->size) {
		a->size = a->size != 0 ? a->size * 2 : 16;
		if ((k = realloc(a->k, a->size * sizeof(*k))) == NULL)
			return FZ_ENOMEM;
		a->k = k;
	}
	a->k[a->n++] = *key;
	return 0;
}

/* Newest first; ids break ties so the order is stable. */
static int
keys_cmp(const void *pa, const void *pb)
{
	const struct apikey *a = pa, *b = pb;

	if (a->created_ms != b->created_ms)
		return a->created_ms > b->created_ms ? -1 : 1;
	return strcmp(a->id, b->id);
}

void
keys_list(struct rq *rq)
{
	struct keys_all a = { NULL, 0, 0 };
	json_t *list = NULL, *o;
	size_t i;
	int err;

	if ((err = apikey_list(edge_state(rq->edge), rq->ws.id,
	    keys_collect_cb, &a)) != 0)
		goto out;
	qsort(a.k, a.n, sizeof(*a.k), keys_cmp);
	if ((list = json_array()) == NULL) {
		err = FZ_ENOMEM;
		goto out;
	}
	for (i = 0; i < a.n; i++) {
		if ((o = keys_view(&a.k[i])) == NULL ||
		    json_array_append_new(list, o) != 0) {
			err = FZ_ENOMEM;
			goto out;
		}
	}
	reply_ok(rq, 200, list, NULL);
	list = NULL;
out:
	if (err != 0)
		reply_error(rq, API_INTERNAL_ERROR, "key lookup failed", NULL);
	json_decref(list);
	free(a.k);
}

/* A key being made, until its record is durable. */
struct keys_new {
	struct rq	*rq;
	struct apikey	 key;
	char		 token[SECURE_TOKEN_SIZE];
};

static void
keys_created_cb(struct state_result *res, void *arg)
{
	struct keys_new *kn = arg;
	json_t *o;

	if (res->err != 0)
		reply_error(kn->rq, API_INTERNAL_ERROR, "could not store the "
		    "key", NULL);
	else if ((o = keys_view(&kn->key)) == NULL ||
	    json_object_set_new(o, "token", json_string(kn->token)) != 0) {
		json_decref(o);
		reply_error(kn->rq, API_INTERNAL_ERROR, "out of memory", NULL);
	} else
		reply_ok(kn->rq, 201, o, NULL);
	OPENSSL_cleanse(kn, sizeof(*kn));
	free(kn);
}

/* Reads "scopes" into the highest scope named, or records why not. */
static enum scope
keys_scope_input(struct vctx *v, const json_t *body)
{
	const json_t *list = json_object_get(body, "scopes"), *e;
	enum scope top = 0, s;
	size_t i, j;

	if (!json_is_array(list) || json_array_size(list) == 0) {
		validate_fail(v, "scopes", "want a non-empty array of read, "
		    "write, admin");
		return 0;
	}
	json_array_foreach(list, i, e) {
		s = 0;
		for (j = 0; j < FZ_NELEM(keys_scopes); j++)
			if (json_is_string(e) && strcmp(json_string_value(e),
			    apikey_scope_name(keys_scopes[j])) == 0)
				s = keys_scopes[j];
		if (s == 0) {
			validate_fail(v, "scopes", "want read, write or admin "
			    "(service keys are made on the server)");
			return 0;
		}
		if (s > top)
			top = s;
	}
	return top;
}

void
keys_create(struct rq *rq)
{
	struct keys_new *kn;
	const char *name;
	enum scope scope;
	struct vctx v;
	int err;

	validate_begin(&v, rq->body);
	name = validate_name(&v, "name", 1, FZ_NAME_MAX);
	scope = keys_scope_input(&v, rq->body);
	if (validate_end(&v, rq) != 0)
		return;
	if (scope > rq->key.scope) {
		reply_error(rq, API_FORBIDDEN, "a key cannot make a key with "
		    "more scopes than its own", reply_detail(NULL, "scopes",
		    "beyond this key's own"));
		return;
	}
	if ((kn = calloc(1, sizeof(*kn))) == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return;
	}
	kn->rq = rq;
	if ((err = apikey_mint(rq->ws.id, name, scope, &kn->key,
	    kn->token)) != 0) {
		reply_error(rq, err == FZ_EINVAL ? API_VALIDATION_ERROR :
		    API_INTERNAL_ERROR, err == FZ_EINVAL ? "invalid key name" :
		    "could not make a key", NULL);
		free(kn);
		return;
	}
	apikey_store(edge_state(rq->edge), &kn->key, keys_created_cb, kn);
}

static void
keys_revoked_cb(struct state_result *res, void *arg)
{
	struct rq *rq = arg;
	struct apikey key;
	json_t *o;
	int err = res->err;

	/* Revoking twice answers as the first time did. */
	if (err == 0 || err == FZ_ECONFLICT)
		err = apikey_get(edge_state(rq->edge),
		    router_param(&rq->params, "id"), &key);
	if (err == FZ_ENOTFOUND)
		reply_error(rq, API_NOT_FOUND, "no such key", NULL);
	else if (err != 0)
		reply_error(rq, API_INTERNAL_ERROR, "could not revoke the key",
		    NULL);
	else if ((o = keys_view(&key)) == NULL)
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
	else
		reply_ok(rq, 200, o, NULL);
}

void
keys_revoke(struct rq *rq)
{
	const char *id = router_param(&rq->params, "id");

	if (id == NULL || !validate_id_ok(id, "key")) {
		reply_error(rq, API_NOT_FOUND, "no such key", NULL);
		return;
	}
	apikey_revoke_in(edge_state(rq->edge), rq->ws.id, id, clock_now_ms(),
	    keys_revoked_cb, rq);
}
