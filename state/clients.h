/*
 * clients.h: a workspace's clients. A client is
 *   {"id","name","email","company","createdAt","updatedAt"}
 * and its normalized email is unique in the workspace (an index holds
 * it), so one address is one client however it was capitalised.
 */
#ifndef FZ_STATE_CLIENTS_H
#define FZ_STATE_CLIENTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "state/state.h"

struct state;

/* Creates a client from a validated body (name, email normalized,
 * optional company). done gets 0 with data the new client; FZ_EEXIST
 * with data the existing client of that email; or FZ_E*. A write
 * (state.h): body is referenced until done. */
void	clients_create(struct state *st, const char *ws, const json_t *body,
	    int64_t now_ms, state_done_cb *done, void *arg);

/* Loads one client. Returns 0, FZ_ENOTFOUND or FZ_E*. */
int	clients_get(struct state *st, const char *ws, const char *id,
	    json_t **out);

/* What a filtered list keeps to (state/clientidx.h); NULL fields match
 * anything. Strings are borrowed. */
struct clients_filter {
	const char	*email;		/* normalized (text_email_normalize) */
	const char	*q;		/* a substring of name or email, any
					   case */
	size_t		 scan_max;	/* 0: CLIENTS_SCAN_MAX */
};

/* Index entries one page of a filtered list examines at most (as
 * PROJECTS_SCAN_MAX). */
#define CLIENTS_SCAN_MAX	50000

/* Lists clients newest first (see docs_list_txn), those that pass f
 * (NULL: all); a filtered page may end early as projects_list's. */
int	clients_list(struct state *st, const char *ws,
	    const struct clients_filter *f, uint64_t before, unsigned limit,
	    json_t **out, uint64_t *next);

#endif
