#include "relay/console.h"
#include "relay/console_assets.h"
#include "relay/http/router.h"
#include "relay/reply.h"

/* Only the page's own files, only this origin for the API, no framing,
 * no inline script or style, nothing sent elsewhere. */
#define CONSOLE_CSP	"default-src 'none'; script-src 'self'; " \
	"style-src 'self'; connect-src 'self'; img-src 'self'; " \
	"form-action 'none'; base-uri 'none'; frame-ancestors 'none'"

void
console_serve(struct rq *rq)
{
	const char *file = router_param(&rq->params, "file");
	const struct asset *a;

	if ((a = asset_find(console_assets, console_nassets, file != NULL ?
	    file : "index.html")) == NULL) {
		reply_error(rq, API_NOT_FOUND, "no such console file", NULL);
		return;
	}
	reply_header(rq, "Content-Security-Policy", CONSOLE_CSP);
	reply_header(rq, "X-Content-Type-Options", "nosniff");
	reply_header(rq, "X-Frame-Options", "DENY");
	reply_header(rq, "Referrer-Policy", "no-referrer");
	reply_header(rq, "X-Robots-Tag", "noindex");
	reply_header(rq, "Cache-Control", "no-cache");
	reply_raw(rq, 200, a->ctype, a->body, a->len);
}
