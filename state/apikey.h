/*
 * apikey.h: scoped API keys.
 *
 * A key's token ("fz_live_" + 40 base62) exists only in the creating
 * call's output buffer: the state keeps its SHA-256, its public prefix
 * and the key's metadata. Lookup goes through the hash and the
 * stored hash is compared in constant time.
 */
#ifndef FZ_STATE_APIKEY_H
#define FZ_STATE_APIKEY_H

#include <stddef.h>
#include <stdint.h>

#include "common/fz.h"
#include "common/secure.h"
#include "state/state.h"
#include "state/workspace.h"

/* Scopes are ordered: a key holding a scope holds every lower one. A
 * service key (an fzrelay edge using this daemon as its upstream store)
 * may also act for the workspace named in X-Finalizo-Workspace. */
enum scope {
	SCOPE_READ = 1,
	SCOPE_WRITE = 2,
	SCOPE_ADMIN = 3,
	SCOPE_SERVICE = 4,
};

/* Room for the visible prefix: the token's public part ("fz_live_",
 * the same for every key, no secret character), NUL. Records are
 * stored as they are laid out, and older ones kept six random characters
 * after it: they are dropped when read, so none is ever shown. */
#define APIKEY_PREFIX_SIZE	15

struct apikey {
	char		id[FZ_ID_SIZE];			/* "key_..." */
	char		workspace_id[FZ_ID_SIZE];
	char		name[FZ_NAME_MAX + 1];
	enum scope	scope;				/* highest held */
	char		prefix[APIKEY_PREFIX_SIZE];
	unsigned char	hash[SECURE_SHA256_SIZE];
	int64_t		created_ms;
	int64_t		last_used_ms;			/* 0: never */
	int64_t		revoked_ms;			/* 0: live */
};

/* Parses "read", "write", "admin", "service" or a comma-separated list
 * of them into the highest scope named. Returns 0 or FZ_EINVAL. */
int	apikey_scope_parse(const char *s, enum scope *out);

/* Returns "read", "write", "admin" or "service" (static). */
const char	*apikey_scope_name(enum scope scope);

/*
 * Makes a new key for workspace ws_id without storing it: fills *out and
 * writes the token, NUL-terminated, into token (SECURE_TOKEN_SIZE bytes),
 * its only copy. Returns 0, FZ_EINVAL (bad name, scope or id) or
 * FZ_ECRYPTO. Any thread.
 */
int	apikey_mint(const char *ws_id, const char *name, enum scope scope,
	    struct apikey *out, char *token);

/* Stores a minted key (copied). done gets 0, FZ_ENOTFOUND (no such
 * workspace) or another FZ_E*. A write (state.h). */
void	apikey_store(struct state *st, const struct apikey *key,
	    state_done_cb *done, void *arg);

/*
 * apikey_mint and a synchronous store, for start-up and the admin
 * commands (state_write): creates a key in workspace ws_id (which must
 * exist). Returns 0 and fills *out and token, FZ_EINVAL, FZ_ENOTFOUND
 * (no such workspace), FZ_ECRYPTO or FZ_ESTORE. Durable when it returns.
 * Loop thread only.
 */
int	apikey_create(struct state *st, const char *ws_id, const char *name,
	    enum scope scope, struct apikey *out, char *token);

/*
 * Finds the key whose token is tok[0..len-1] and its workspace, in one
 * read transaction. A revoked key is returned too: callers check
 * revoked_ms. Returns 0, FZ_ENOTFOUND (malformed or unknown token) or
 * FZ_ESTORE. Never logs the token.
 */
int	apikey_authenticate(struct state *st, const char *tok, size_t len,
	    struct apikey *key, struct workspace *ws);

/* Returns 0 and fills *out, FZ_ENOTFOUND or FZ_ESTORE. */
int	apikey_get(struct state *st, const char *id, struct apikey *out);

/* Called for each key in id order; non-zero stops the walk and is
 * returned. key is borrowed; the callback must not write to the state. */
typedef int apikey_each_cb(const struct apikey *key, void *arg);

/* Walks every key, or only those of ws_id when it is not NULL. Returns 0,
 * the callback's stop value or FZ_ESTORE. */
int	apikey_list(struct state *st, const char *ws_id, apikey_each_cb *cb,
	    void *arg);

/* Marks the key revoked at now_ms, and in the same write the Zapier hooks
 * it subscribed (state/hooks.h: revoked, their queued deliveries failed).
 * Returns 0, FZ_ENOTFOUND, FZ_ECONFLICT (already revoked) or FZ_ESTORE.
 * Durable when it returns. For start-up and the admin commands
 * (state_write). */
int	apikey_revoke(struct state *st, const char *id, int64_t now_ms);

/* As apikey_revoke for a key of workspace ws_id (another workspace's key
 * is FZ_ENOTFOUND), as a write (state.h): done gets the status. */
void	apikey_revoke_in(struct state *st, const char *ws_id, const char *id,
	    int64_t now_ms, state_done_cb *done, void *arg);

struct apikey_touch {
	char	id[FZ_ID_SIZE];
	int64_t	used_ms;
};

/* Raises last_used_ms of each listed key (t[0..n-1], copied) to its
 * used_ms, in one write; unknown ids are skipped. done gets 0 or FZ_E*.
 * A write (state.h). */
void	apikey_touch(struct state *st, const struct apikey_touch *t, size_t n,
	    state_done_cb *done, void *arg);

#endif
