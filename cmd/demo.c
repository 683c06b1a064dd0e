#include <string.h>

#include "cmd/demo.h"
#include "common/clock.h"
#include "common/fz.h"
#include "common/log.h"
#include "state/apikey.h"
#include "state/workspace.h"

#define DEMO_META	"demo_workspace"
#define DEMO_KEY_NAME	"demo"
#define DEMO_ADMIN_NAME	"demo console"

static int
demo_revoke_cb(const struct apikey *key, void *arg)
{
	struct state *st = arg;

	if (key->revoked_ms == 0 && (strcmp(key->name, DEMO_KEY_NAME) == 0 ||
	    strcmp(key->name, DEMO_ADMIN_NAME) == 0))
		apikey_revoke(st, key->id, clock_now_ms());
	return 0;
}

int
demo_setup(struct state *st, char *token, char *admin_token)
{
	char ws_id[FZ_ID_SIZE];
	struct workspace ws;
	struct apikey key;
	int err;

	err = state_meta_get(st, DEMO_META, ws_id, sizeof(ws_id));
	if (err == 0)
		err = workspace_get(st, ws_id, &ws);
	if (err == FZ_ENOTFOUND) {
		if ((err = workspace_create(st, "Demo Agency", PLAN_AGENCY,
		    &ws)) != 0 ||
		    (err = state_meta_put(st, DEMO_META, ws.id)) != 0)
			return err;
		log_info("demo workspace %s created", ws.id);
	} else if (err != 0)
		return err;
	/* Revocation is a courtesy: a failure leaves an old key usable but
	 * does not stop the demo. */
	apikey_list(st, ws.id, demo_revoke_cb, st);
	if ((err = apikey_create(st, ws.id, DEMO_KEY_NAME, SCOPE_WRITE, &key,
	    token)) != 0)
		return err;
	return apikey_create(st, ws.id, DEMO_ADMIN_NAME, SCOPE_ADMIN, &key,
	    admin_token);
}
