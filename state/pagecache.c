#include <stdlib.h>
#include <string.h>

#include "common/fz.h"
#include "state/env.h"
#include "state/pagecache.h"

#define PAGECACHE_ENTRIES	32
/* A page of the largest limit is about 60 KB; bigger ones are rare. */
#define PAGECACHE_PAGE_MAX	(256 << 10)

struct pagecache_entry {
	char		 ws[FZ_ID_SIZE];
	unsigned	 mask;
	uint64_t	 before;
	unsigned	 limit;
	int		 newest;
	int		 variant;
	struct journal_page page;	/* page.json owned; NULL: free */
	uint64_t	 used;		/* the use clock when last used */
};

struct pagecache {
	struct pagecache_entry	 e[PAGECACHE_ENTRIES];
	uint64_t		 clock;
};

static void
pagecache_free(void *v)
{
	struct pagecache *c = v;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < PAGECACHE_ENTRIES; i++)
		free(c->e[i].page.json);
	free(c);
}

static int
pagecache_match(const struct pagecache_entry *e,
    const struct pagecache_key *key)
{
	return e->page.json != NULL && e->mask == key->mask &&
	    e->before == key->before && e->limit == key->limit &&
	    e->newest == key->newest && e->variant == key->variant &&
	    strcmp(e->ws, key->ws) == 0;
}

int
pagecache_get(struct state *st, const struct pagecache_key *key,
    const struct journal_page **page)
{
	struct pagecache *c = state_cache(st, STATE_CACHE_PAGES);
	struct pagecache_entry *e;
	uint64_t snap;
	size_t i;

	if (c == NULL || (snap = state_snapshot(st)) == 0)
		return 0;
	for (i = 0; i < PAGECACHE_ENTRIES; i++) {
		e = &c->e[i];
		if (!pagecache_match(e, key))
			continue;
		if (e->page.snapshot != snap)
			return 0;
		e->used = ++c->clock;
		*page = &e->page;
		return 1;
	}
	return 0;
}

void
pagecache_put(struct state *st, const struct pagecache_key *key,
    const struct journal_page *page)
{
	struct pagecache *c = state_cache(st, STATE_CACHE_PAGES);
	struct pagecache_entry *e = NULL;
	size_t i;
	char *json;

	if (page->json == NULL || page->snapshot == 0 ||
	    page->len > PAGECACHE_PAGE_MAX || strlen(key->ws) >= FZ_ID_SIZE)
		return;
	if (c == NULL) {
		if ((c = calloc(1, sizeof(*c))) == NULL)
			return;
		state_cache_set(st, STATE_CACHE_PAGES, c, pagecache_free);
	}
	/* The same page's entry, else a free one, else the least used. */
	for (i = 0; i < PAGECACHE_ENTRIES && e == NULL; i++)
		if (pagecache_match(&c->e[i], key))
			e = &c->e[i];
	for (i = 0; i < PAGECACHE_ENTRIES && e == NULL; i++)
		if (c->e[i].page.json == NULL)
			e = &c->e[i];
	if (e == NULL) {
		e = &c->e[0];
		for (i = 1; i < PAGECACHE_ENTRIES; i++)
			if (c->e[i].used < e->used)
				e = &c->e[i];
	}
	if ((json = malloc(page->len + 1)) == NULL)
		return;
	memcpy(json, page->json, page->len);
	json[page->len] = '\0';
	free(e->page.json);
	memcpy(e->ws, key->ws, strlen(key->ws) + 1);
	e->mask = key->mask;
	e->before = key->before;
	e->limit = key->limit;
	e->newest = key->newest;
	e->variant = key->variant;
	e->page = *page;
	e->page.json = json;
	e->used = ++c->clock;
}
