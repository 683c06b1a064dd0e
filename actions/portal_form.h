/*
 * portal_form.h: the client portal page's sign-off form, posted as a
 * browser posts any form (application/x-www-form-urlencoded) to the
 * page's own address, so signing needs no JavaScript. The answer is the
 * page again: with a confirmation, or with the values sent and each
 * problem in words beside its field. It checks what POST
 * /p/:token/signoff checks (actions/writes.h), and records the same.
 */
#ifndef FZ_PORTAL_FORM_H
#define FZ_PORTAL_FORM_H

struct rq;

void	portal_form_signoff(struct rq *rq);	/* POST /p/:token */

#endif
