/*
 * listidx.h: the indexes behind filtered lists of projects and clients
 * (state/projidx.h, state/clientidx.h), as a whole.
 *
 * Every write keeps them in step, in its own transaction. Records
 * written by a version without them get their entries at the first
 * start of a version with them: DB_META's "listidx" names the layout
 * the indexes were built in, and a missing or older one, or an index
 * holding another number of entries than there are records (a version
 * without them made some), has them rebuilt from the records in one
 * write. A status such a version changed goes unseen.
 */
#ifndef FZ_STATE_LISTIDX_H
#define FZ_STATE_LISTIDX_H

struct state;

/* Builds the indexes unless DB_META says they are current. Returns 0 or
 * FZ_E*. Before state_start (a state_write of its own), as the daemon
 * starts. */
int	listidx_ensure(struct state *st);

#endif
