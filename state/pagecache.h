/*
 * pagecache.h: finished journal pages kept in memory with the snapshot
 * they were read at. A Zapier trigger polls the same newest page again
 * and again; rebuilding it from the journal and dropping its share
 * links for a read key took more of the loop than sending it. A page is
 * answered from here only while nothing has been committed since it
 * was read (by this daemon or any process on the state directory), so
 * a hit is byte for byte what a fresh read would give. Loop thread only.
 */
#ifndef FZ_STATE_PAGECACHE_H
#define FZ_STATE_PAGECACHE_H

#include <stdint.h>

#include "state/journal.h"
#include "state/state.h"

/* Which page: the read's arguments, and the caller's own variant of the
 * bytes (e.g. share links dropped). */
struct pagecache_key {
	const char	*ws;		/* borrowed */
	unsigned	 mask;
	uint64_t	 before;
	unsigned	 limit;
	int		 newest;	/* journal_page_newest, else _after */
	int		 variant;
};

/* Returns 1 with *page the kept page for key (borrowed: valid until the
 * next pagecache_put) if it was read at the current snapshot; 0
 * otherwise, *page untouched. */
int	pagecache_get(struct state *st, const struct pagecache_key *key,
	    const struct journal_page **page);

/* Keeps a copy of page (borrowed; read at page->snapshot) for key,
 * replacing the least recently used entry. Best effort: a page too
 * large, or no memory, is not kept. */
void	pagecache_put(struct state *st, const struct pagecache_key *key,
	    const struct journal_page *page);

#endif
