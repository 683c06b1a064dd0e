/*
 * reads.h: the read endpoints of the core API and the portal view. Each
 * resolves its path parameters, then asks the store (relay/call.h).
 * GET /p/:token answers the portal's JSON to a program that asks for it
 * (relay/accept.h), and the web page (relay/portal_page.h) otherwise.
 */
#ifndef FZ_READS_H
#define FZ_READS_H

struct rq;

void	reads_clients(struct rq *rq);		/* GET /clients */
void	reads_client(struct rq *rq);		/* GET /clients/:id */
void	reads_projects(struct rq *rq);		/* GET /projects */
void	reads_project(struct rq *rq);		/* GET /projects/:id */
void	reads_pack(struct rq *rq);		/* GET /projects/:id/pack */
void	reads_pack_reveals(struct rq *rq);	/* GET .../pack/reveals */
void	reads_signoff(struct rq *rq);		/* GET /projects/:id/signoff */
void	reads_signoffs(struct rq *rq);		/* GET /signoffs */
void	reads_templates(struct rq *rq);		/* GET /templates */
void	reads_portal(struct rq *rq);		/* GET /p/:token */

#endif
