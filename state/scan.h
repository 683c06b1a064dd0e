/*
 * scan.h: one page of a filtered list, for state/ modules only.
 *
 * The indexes behind filtered lists map  prefix | be64 ordinal  to an
 * entry: the record's id, NUL-terminated, then what the filters look at
 * (state/projidx.h, state/clientidx.h). A page walks one index newest
 * first from its cursor, hands every entry the filter accepts to take,
 * and stops once limit entries are taken and the next match is found,
 * or once budget entries were examined: a filter that matches little
 * costs a bounded amount per page, never the whole workspace.
 */
#ifndef FZ_STATE_SCAN_H
#define FZ_STATE_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "state/env.h"

struct scan {
	enum state_db	 db;
	const void	*prefix;	/* the key's bytes before the ordinal */
	size_t		 plen;
	uint64_t	 before;	/* ordinals below it; 0: from the newest */
	size_t		 limit;		/* entries taken at most */
	size_t		 budget;	/* entries examined at most (>= 1) */
	/* Returns 1 if the entry (v, borrowed) belongs on the page. */
	int		(*match)(const MDB_val *v, void *arg);
	/* Puts the entry on the page. Returns 0 or FZ_E*. */
	int		(*take)(MDB_txn *txn, struct state *st,
			    const MDB_val *v, void *arg);
	void		*arg;
	/* Out: the ordinal to pass as before for the next page (0: nothing
	 * is left), and how many entries the page examined. */
	uint64_t	 next;
	size_t		 examined;
};

/* Walks sc's page. A page may hold fewer than limit entries, none even,
 * with a next ordinal: the budget ran out first. Returns 0 or FZ_E*. */
int	scan_page_txn(MDB_txn *txn, struct state *st, struct scan *sc);

/* Returns the id at the head of entry v (a string inside v, whose NUL
 * it checks), or NULL for a malformed entry. Borrowed from v. */
const char	*scan_entry_id(const MDB_val *v);

#endif
