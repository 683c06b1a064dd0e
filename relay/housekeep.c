#include <stdlib.h>

#include <event2/event.h>

#include "common/cfg.h"
#include "common/clock.h"
#include "relay/auth.h"
#include "relay/housekeep.h"
#include "state/idem.h"
#include "state/journal.h"

#define HOUSEKEEP_MS		5000
/* Records removed per beat and kind: each write stays short. */
#define HOUSEKEEP_PRUNE_MAX	500

struct housekeep {
	struct state		*st;
	struct auth		*auth;
	const struct cfg	*cfg;
	struct event		*timer;
};

void
housekeep_run(struct housekeep *h)
{
	int64_t now = clock_now_ms(), cutoff;

	auth_flush(h->auth);
	idem_prune(h->st, now, HOUSEKEEP_PRUNE_MAX, state_warn_cb,
	    "expire idempotency records");
	if (h->cfg->journal_retention_days == 0)
		return;
	/* Events a subscriber is still owed are kept whatever their age
	 * (journal_prune looks that up in its own transaction). */
	cutoff = now - (int64_t)h->cfg->journal_retention_days * 86400000;
	journal_prune(h->st, cutoff, cutoff < now - JOURNAL_INGEST_KEEP_MS ?
	    cutoff : now - JOURNAL_INGEST_KEEP_MS, UINT64_MAX,
	    HOUSEKEEP_PRUNE_MAX, state_warn_cb, "prune the journal");
}

static void
housekeep_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	housekeep_run(arg);
}

struct housekeep *
housekeep_new(struct event_base *base, struct state *st, struct auth *auth,
    const struct cfg *cfg)
{
	struct timeval tv = { HOUSEKEEP_MS / 1000, 0 };
	struct housekeep *h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->st = st;
	h->auth = auth;
	h->cfg = cfg;
	if ((h->timer = event_new(base, -1, EV_PERSIST, housekeep_cb, h)) ==
	    NULL || event_add(h->timer, &tv) != 0) {
		housekeep_free(h);
		return NULL;
	}
	return h;
}

void
housekeep_reconfigure(struct housekeep *h, const struct cfg *cfg)
{
	h->cfg = cfg;
}

void
housekeep_free(struct housekeep *h)
{
	if (h == NULL)
		return;
	if (h->timer != NULL)
		event_free(h->timer);
	free(h);
}
