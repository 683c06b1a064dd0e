/*
 * zlists.h: the lists behind the Zapier app's dynamic dropdowns (hidden
 * triggers): projects, clients and templates, so users pick a record
 * instead of typing its id.
 *
 * Each answers a bare JSON array of flat objects (relay/zflat.h), newest
 * first, ?limit= (1..100, default 50) at a time, with X-Next-Cursor while
 * more remain (?cursor= continues), as the polling triggers do. ?q=
 * narrows projects to those whose name holds it, clients to those whose
 * name or email does, in any case.
 */
#ifndef FZ_ZLISTS_H
#define FZ_ZLISTS_H

struct rq;

void	zlists_projects(struct rq *rq);		/* .../lists/projects */
void	zlists_clients(struct rq *rq);		/* .../lists/clients */
void	zlists_templates(struct rq *rq);	/* .../lists/templates */

#endif
