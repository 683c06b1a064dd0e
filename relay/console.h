/*
 * console.h: the workspace console at /console, static HTML, CSS and
 * JavaScript served from memory under a Content-Security-Policy that lets
 * the page load only its own files and talk only to this origin. The page
 * is a client of the public API; the server side knows nothing of keys.
 */
#ifndef FZ_CONSOLE_H
#define FZ_CONSOLE_H

struct rq;

/* GET /console and GET /console/:file. */
void	console_serve(struct rq *rq);

#endif
