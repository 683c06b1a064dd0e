/*
 * portal_page.h: the client portal as a web page, rendered here from
 * the portal's view (state/portal.h) for a person in a browser, often on
 * a phone: the agency, the project, the personal message, each section
 * and item (credentials masked), and the sign-off form, or who signed
 * and when. It reads and signs without JavaScript; its script
 * (relay/portal/portal.js) reports the view and reveals passwords.
 *
 * Every text the agency or the client wrote is escaped, and only
 * http(s) URLs become links (relay/html.h). Pages and their files go out
 * under a Content-Security-Policy that runs no inline script or style
 * and lets the page load nothing but its own files, post forms only
 * here, and be framed nowhere; with Referrer-Policy: no-referrer,
 * X-Robots-Tag: noindex, nosniff and Cache-Control: no-store.
 */
#ifndef FZ_PORTAL_PAGE_H
#define FZ_PORTAL_PAGE_H

#include <stddef.h>

#include <jansson.h>

struct rq;

/* What the sign-off form shows again after a post: the values sent, a
 * message in words per field, and a notice above it (a confirmation, or
 * a problem when alert is set). Every member may be NULL. */
struct portal_form {
	const char	*name, *email, *comment;
	const char	*name_error, *email_error, *comment_error;
	const char	*notice;
	int		 alert;
};

/* Returns the page for view (the portal's view, as STORE_OP_PORTAL_VIEW
 * answers it) with form (NULL: empty), NUL-terminated, its length in
 * *len; NULL when out of memory. Caller frees. Any thread. */
char	*portal_page_render(const json_t *view, const struct portal_form *form,
	    size_t *len);

/* GET and HEAD /p/:token when the page is wanted (relay/accept.h):
 * answers rq with the page; the link's first fetch is kept. */
void	portal_page_serve(struct rq *rq, const char *token);

/* Answers rq with token's page as it stands now, with form (copied):
 * status when the pack is found, else the page saying the link is not
 * valid (404) or cannot be shown now (500, 503). */
void	portal_page_answer(struct rq *rq, const char *token, int status,
	    const struct portal_form *form);

/* Answers rq with a page that only says message (a problem with the
 * request itself, before any pack was read), with status. */
void	portal_page_problem(struct rq *rq, int status, const char *message);

/* GET /p/assets/:file: the page's script, style and icon. */
void	portal_page_asset(struct rq *rq);

#endif
