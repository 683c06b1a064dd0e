/*
 * projects.h: projects and their lifecycle in the embedded store.
 *
 * A project is stored as
 *   {"id","workspaceId","name","clientId","projectType","launchDate",
 *    "status","templateId","createdAt","updatedAt","sentAt","viewedAt",
 *    "signedOffAt","personalMessage"}
 * and answered with the client attached ("client": {...}). Status moves
 * draft -> sent -> viewed -> signed_off and only through packs and the
 * portal, never by PATCH.
 */
#ifndef FZ_STATE_PROJECTS_H
#define FZ_STATE_PROJECTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "state/state.h"

struct state;

/*
 * Creates a project from a validated body (name, projectType, launchDate,
 * clientId or clientName + clientEmail, optional templateId) with its
 * pack, all in one transaction. Without templateId the built-in template
 * of the project type, if any, seeds the pack. done gets 0 with data
 * the rendered project; FZ_ENOTFOUND with field set when clientId or
 * templateId names nothing; or FZ_E*. A write (state.h): body is
 * referenced until done.
 */
void	projects_create(struct state *st, const char *ws, const json_t *body,
	    int64_t now_ms, state_done_cb *done, void *arg);

/* Applies name, projectType and launchDate from a validated body. done
 * gets 0 with data rendered, FZ_ENOTFOUND, or FZ_E*. A write. */
void	projects_update(struct state *st, const char *ws, const char *id,
	    const json_t *body, int64_t now_ms, state_done_cb *done,
	    void *arg);

/* Loads and renders one project. Returns 0, FZ_ENOTFOUND or FZ_E*. */
int	projects_get(struct state *st, const char *ws, const char *id,
	    json_t **out);

/*
 * What a filtered list keeps to (state/projidx.h); NULL fields match
 * anything. Strings are borrowed.
 */
struct projects_filter {
	const char	*client_id;
	const char	*client_email;	/* normalized (text_email_normalize) */
	const char	*status;
	const char	*q;		/* a substring of the name, any case */
	size_t		 scan_max;	/* 0: PROJECTS_SCAN_MAX */
};

/* Index entries one page of a filtered list examines at most: a q that
 * matches little in a large workspace ends its page early, with a
 * cursor, rather than hold the loop for long (50,000 entries take some
 * 5 to 7 ms: bench/RESULTS.md). */
#define PROJECTS_SCAN_MAX	50000

/*
 * Lists rendered projects newest first (see docs_list_txn), those that
 * pass f (NULL: all). A filtered page may hold fewer than limit, even
 * none, with *next set: its scan reached f->scan_max first.
 */
int	projects_list(struct state *st, const char *ws,
	    const struct projects_filter *f, uint64_t before, unsigned limit,
	    json_t **out, uint64_t *next);

#endif
