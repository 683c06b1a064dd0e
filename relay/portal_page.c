#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/fz.h"
#include "relay/edge.h"
#include "relay/html.h"
#include "relay/portal_assets.h"
#include "relay/portal_page.h"
#include "relay/reply.h"
#include "state/store.h"

/* The page's own files only, its forms posted here only, its script
 * talking to this origin only, framed by no one, nothing inline. */
#define PORTAL_PAGE_CSP	"default-src 'none'; script-src 'self'; " \
	"style-src 'self'; img-src 'self'; connect-src 'self'; " \
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
#define PORTAL_PAGE_HTML	"text/html; charset=utf-8"

/* An answer being prepared: what to show once the view is read. */
struct portal_page_call {
	struct rq	*rq;
	int		 status;
	struct portal_form form;	/* strings owned */
};

static void
portal_page_headers(struct rq *rq)
{
	reply_header(rq, "Content-Security-Policy", PORTAL_PAGE_CSP);
	reply_header(rq, "Referrer-Policy", "no-referrer");
	reply_header(rq, "X-Robots-Tag", "noindex");
	reply_header(rq, "X-Content-Type-Options", "nosniff");
	reply_header(rq, "X-Frame-Options", "DENY");
	reply_header(rq, "Cache-Control", "no-store");
	/* The same URL answers JSON to programs that ask for it. */
	reply_header(rq, "Vary", "Accept");
}

/* Returns field's string value in obj, or NULL. */
static const char *
portal_page_str(const json_t *obj, const char *field)
{
	return json_string_value(json_object_get(obj, field));
}

/* Writes an RFC 3339 UTC time ("2026-05-27T12:00:00.000Z") as "27 May
 * 2026 at 12:00 UTC" into out (64 bytes); other text is copied. */
static const char *
portal_page_when(const char *at, char *out)
{
	static const char *const months[] = { "January", "February",
	    "March", "April", "May", "June", "July", "August", "September",
	    "October", "November", "December" };
	int y, mo, d, h, mi, n = 0;

	if (sscanf(at, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) ==
	    5 && n == 16 && mo >= 1 && mo <= 12)
		snprintf(out, 64, "%d %s %d at %02d:%02d UTC", d,
		    months[mo - 1], y, h, mi);
	else
		snprintf(out, 64, "%s", at);
	return out;
}

static void
portal_page_time(struct evbuffer *b, const char *at)
{
	char when[64];

	if (at == NULL)
		return;
	evbuffer_add_printf(b, "<time datetime=\"");
	html_text(b, at);
	evbuffer_add_printf(b, "\">");
	html_text(b, portal_page_when(at, when));
	evbuffer_add_printf(b, "</time>");
}

static void
portal_page_head(struct evbuffer *b, const char *title, const char *agency)
{
	evbuffer_add_printf(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"robots\" content=\"noindex\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
	html_text(b, title);
	if (agency != NULL) {
		evbuffer_add_printf(b, " \xe2\x80\x93 handover from ");
		html_text(b, agency);
	}
	evbuffer_add_printf(b, "</title>\n<link rel=\"icon\" "
	    "href=\"/p/assets/icon.svg\" type=\"image/svg+xml\">\n"
	    "<link rel=\"stylesheet\" href=\"/p/assets/portal.css\">\n"
	    "<script src=\"/p/assets/portal.js\" defer></script>\n"
	    "</head>\n<body>\n");
}

/* A link or document: its label as the link. */
static void
portal_page_link(struct evbuffer *b, const json_t *item, const char *kind)
{
	const char *url = portal_page_str(item, "url");

	evbuffer_add_printf(b, "<p class=\"kind\">%s</p>\n<h3>", kind);
	if (url != NULL && *url != '\0')
		html_link(b, url, portal_page_str(item, "label"));
	else
		html_text(b, portal_page_str(item, "label"));
	evbuffer_add_printf(b, "</h3>\n");
	if (url != NULL && *url != '\0') {
		evbuffer_add_printf(b, "<p class=\"url\">");
		html_text(b, url);
		evbuffer_add_printf(b, "</p>\n");
	}
}

static void
portal_page_note(struct evbuffer *b, const json_t *item)
{
	evbuffer_add_printf(b, "<p class=\"kind\">Note</p>\n<h3>");
	html_text(b, portal_page_str(item, "label"));
	evbuffer_add_printf(b, "</h3>\n<p class=\"note\">");
	html_text(b, portal_page_str(item, "text"));
	evbuffer_add_printf(b, "</p>\n");
}

/* A credential: address and username as they are, the password masked
 * until the script reveals it on a click (POST /p/:token/reveal with
 * the item's section and item indexes and its label). */
static void
portal_page_credential(struct evbuffer *b, const json_t *item, size_t s,
    size_t i)
{
	const char *url = portal_page_str(item, "url");
	const char *user = portal_page_str(item, "username");
	const char *label = portal_page_str(item, "label");

	evbuffer_add_printf(b, "<p class=\"kind\">Login</p>\n<h3>");
	html_text(b, label);
	evbuffer_add_printf(b, "</h3>\n<dl class=\"cred\">\n");
	if (url != NULL && *url != '\0') {
		evbuffer_add_printf(b, "<dt>Address</dt><dd>");
		html_link(b, url, NULL);
		evbuffer_add_printf(b, "</dd>\n");
	}
	if (user != NULL && *user != '\0') {
		evbuffer_add_printf(b, "<dt>Username</dt><dd><span "
		    "class=\"mono\">");
		html_text(b, user);
		evbuffer_add_printf(b, "</span></dd>\n");
	}
	evbuffer_add_printf(b, "<dt>Password</dt><dd>");
	if (!json_is_true(json_object_get(item, "password_set"))) {
		evbuffer_add_printf(b, "<span class=\"muted\">Not set</span>"
		    "</dd>\n</dl>\n");
		return;
	}
	evbuffer_add_printf(b, "<span class=\"secret mono\" id=\"pw-%zu-%zu\">"
	    "<span aria-hidden=\"true\">\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2"
	    "\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2"
	    "</span><span class=\"sr\">hidden</span></span>\n"
	    "<span class=\"actions\"><button type=\"button\" class=\"reveal\" "
	    "data-section=\"%zu\" data-item=\"%zu\" data-label=\"", s, i, s, i);
	html_text(b, label);
	evbuffer_add_printf(b, "\" aria-controls=\"pw-%zu-%zu\" hidden>Show "
	    "password</button><button type=\"button\" class=\"copy\" "
	    "data-for=\"pw-%zu-%zu\" hidden>Copy</button></span>\n"
	    "<span class=\"reveal-status\" role=\"status\"></span>\n"
	    "<noscript><span class=\"muted\">Turn on JavaScript to show the "
	    "password.</span></noscript></dd>\n</dl>\n", s, i, s, i);
}

static void
portal_page_sections(struct evbuffer *b, const json_t *sections)
{
	const json_t *sec, *item;
	const char *type;
	size_t s, i;

	json_array_foreach(sections, s, sec) {
		evbuffer_add_printf(b, "<section class=\"pack\" "
		    "aria-labelledby=\"sec-%zu\">\n<h2 id=\"sec-%zu\">", s, s);
		html_text(b, portal_page_str(sec, "title"));
		evbuffer_add_printf(b, "</h2>\n");
		if (json_array_size(json_object_get(sec, "items")) == 0) {
			evbuffer_add_printf(b, "<p class=\"muted\">Nothing "
			    "here yet.</p>\n</section>\n");
			continue;
		}
		evbuffer_add_printf(b, "<ul class=\"items\">\n");
		json_array_foreach(json_object_get(sec, "items"), i, item) {
			type = portal_page_str(item, "type");
			if (type == NULL)
				continue;
			evbuffer_add_printf(b, "<li class=\"item\">\n");
			if (strcmp(type, "link") == 0)
				portal_page_link(b, item, "Link");
			else if (strcmp(type, "document") == 0)
				portal_page_link(b, item, "Document");
			else if (strcmp(type, "note") == 0)
				portal_page_note(b, item);
			else if (strcmp(type, "credential") == 0)
				portal_page_credential(b, item, s, i);
			evbuffer_add_printf(b, "</li>\n");
		}
		evbuffer_add_printf(b, "</ul>\n</section>\n");
	}
}

/* One labelled field of the sign-off form, its error in words beside
 * it, tied to it for screen readers. */
static void
portal_page_field(struct evbuffer *b, const char *name, const char *label,
    const char *hint, const char *value, const char *error, const char *attrs)
{
	int area = strcmp(name, "comment") == 0;

	evbuffer_add_printf(b, "<div class=\"field%s\">\n<label "
	    "for=\"signoff-%s\">%s</label>\n", error ? " invalid" : "", name,
	    label);
	if (hint != NULL)
		evbuffer_add_printf(b, "<p class=\"hint\" "
		    "id=\"signoff-%s-hint\">%s</p>\n", name, hint);
	evbuffer_add_printf(b, "<%s id=\"signoff-%s\" name=\"%s\" %s",
	    area ? "textarea" : "input", name, name, attrs);
	if (hint != NULL || error != NULL) {
		evbuffer_add_printf(b, " aria-describedby=\"");
		if (hint != NULL)
			evbuffer_add_printf(b, "signoff-%s-hint", name);
		if (error != NULL)
			evbuffer_add_printf(b, "%ssignoff-%s-error",
			    hint != NULL ? " " : "", name);
		evbuffer_add_printf(b, "\"");
	}
	if (error != NULL)
		evbuffer_add_printf(b, " aria-invalid=\"true\"");
	if (area) {
		evbuffer_add_printf(b, ">");
		html_text(b, value);
		evbuffer_add_printf(b, "</textarea>\n");
	} else {
		evbuffer_add_printf(b, " value=\"");
		html_text(b, value);
		evbuffer_add_printf(b, "\">\n");
	}
	if (error != NULL) {
		evbuffer_add_printf(b, "<p class=\"field-error\" "
		    "id=\"signoff-%s-error\">", name);
		html_text(b, error);
		evbuffer_add_printf(b, "</p>\n");
	}
	evbuffer_add_printf(b, "</div>\n");
}

static void
portal_page_signoff(struct evbuffer *b, const json_t *view,
    const struct portal_form *f)
{
	const json_t *so = json_object_get(view, "signoff");
	const char *comment;

	evbuffer_add_printf(b, "<section id=\"signoff\" class=\"signoff\" "
	    "aria-labelledby=\"signoff-h\">\n");
	if (f->notice != NULL) {
		evbuffer_add_printf(b, "<div class=\"notice%s\" "
		    "role=\"%s\"><p>", f->alert ? " alert" : "",
		    f->alert ? "alert" : "status");
		html_text(b, f->notice);
		evbuffer_add_printf(b, "</p></div>\n");
	}
	if (json_is_object(so)) {
		evbuffer_add_printf(b, "<h2 id=\"signoff-h\">Signed off</h2>\n"
		    "<p class=\"signed\">Signed off by <strong>");
		html_text(b, portal_page_str(so, "signerName"));
		evbuffer_add_printf(b, "</strong> on ");
		portal_page_time(b, portal_page_str(so, "signedAt"));
		evbuffer_add_printf(b, ".</p>\n");
		if ((comment = portal_page_str(so, "comment")) != NULL) {
			evbuffer_add_printf(b, "<p class=\"kind\">Comment</p>\n"
			    "<p class=\"note\">");
			html_text(b, comment);
			evbuffer_add_printf(b, "</p>\n");
		}
		evbuffer_add_printf(b, "</section>\n");
		return;
	}
	evbuffer_add_printf(b, "<h2 id=\"signoff-h\">Sign off</h2>\n<p>When "
	    "everything you need is here, confirm the handover with your name "
	    "and the email address this pack was sent to.</p>\n"
	    "<form method=\"post\" class=\"signoff-form\">\n");
	portal_page_field(b, "name", "Your name", NULL, f->name, f->name_error,
	    "type=\"text\" autocomplete=\"name\" required maxlength=\"200\"");
	portal_page_field(b, "email", "Your email address", "The address this "
	    "pack was sent to.", f->email, f->email_error, "type=\"email\" "
	    "autocomplete=\"email\" required maxlength=\"254\" "
	    "spellcheck=\"false\"");
	portal_page_field(b, "comment", "Comment (optional)", NULL, f->comment,
	    f->comment_error, "rows=\"4\" maxlength=\"5000\"");
	evbuffer_add_printf(b, "<button type=\"submit\">Sign off</button>\n"
	    "</form>\n</section>\n");
}

static void
portal_page_body(struct evbuffer *b, const json_t *view,
    const struct portal_form *f)
{
	const json_t *project = json_object_get(view, "project");
	const char *agency = portal_page_str(json_object_get(view, "agency"),
	    "name");
	const char *msg = portal_page_str(view, "personalMessage");
	const char *sent = portal_page_str(view, "sentAt");

	evbuffer_add_printf(b, "<a class=\"skip\" href=\"#main\">Skip to the "
	    "pack</a>\n<header class=\"top\">\n<p class=\"agency\">");
	html_text(b, agency);
	evbuffer_add_printf(b, "</p>\n</header>\n<main id=\"main\" "
	    "class=\"pack-page\">\n<h1>");
	html_text(b, portal_page_str(project, "name"));
	evbuffer_add_printf(b, "</h1>\n<p class=\"lead\">Handover pack from "
	    "<strong>");
	html_text(b, agency);
	evbuffer_add_printf(b, "</strong>");
	if (sent != NULL) {
		evbuffer_add_printf(b, ", sent ");
		portal_page_time(b, sent);
	}
	evbuffer_add_printf(b, ".</p>\n");
	if (msg != NULL && *msg != '\0') {
		evbuffer_add_printf(b, "<section class=\"message\" "
		    "aria-labelledby=\"message-h\">\n<h2 id=\"message-h\">"
		    "A message from ");
		html_text(b, agency);
		evbuffer_add_printf(b, "</h2>\n<p class=\"note\">");
		html_text(b, msg);
		evbuffer_add_printf(b, "</p>\n</section>\n");
	}
	portal_page_sections(b, json_object_get(view, "sections"));
	portal_page_signoff(b, view, f);
	evbuffer_add_printf(b, "</main>\n<footer class=\"foot\"><p>This page "
	    "was made for you by ");
	html_text(b, agency);
	evbuffer_add_printf(b, ". Keep its link to yourself: whoever has it "
	    "can open the pack.</p></footer>\n</body>\n</html>\n");
}

/* Moves b's bytes into a new NUL-terminated string; NULL if out of
 * memory. */
static char *
portal_page_take(struct evbuffer *b, size_t *len)
{
	size_t n = evbuffer_get_length(b);
	char *s;

	if ((s = malloc(n + 1)) == NULL)
		return NULL;
	evbuffer_remove(b, s, n);
	s[n] = '\0';
	*len = n;
	return s;
}

char *
portal_page_render(const json_t *view, const struct portal_form *form,
    size_t *len)
{
	static const struct portal_form empty;
	struct evbuffer *b;
	char *s;

	if ((b = evbuffer_new()) == NULL)
		return NULL;
	portal_page_head(b, portal_page_str(json_object_get(view, "project"),
	    "name"), portal_page_str(json_object_get(view, "agency"), "name"));
	portal_page_body(b, view, form != NULL ? form : &empty);
	s = portal_page_take(b, len);
	evbuffer_free(b);
	return s;
}

void
portal_page_problem(struct rq *rq, int status, const char *message)
{
	struct evbuffer *b;
	size_t len = 0;
	char *s = NULL;

	if ((b = evbuffer_new()) != NULL) {
		portal_page_head(b, status == 404 ? "Link not found" :
		    "Handover pack", NULL);
		evbuffer_add_printf(b, "<main id=\"main\">\n<h1>%s</h1>\n"
		    "<p>", status == 404 ? "This link does not open a pack" :
		    "The pack cannot be shown");
		html_text(b, message);
		evbuffer_add_printf(b, "</p>\n</main>\n</body>\n</html>\n");
		s = portal_page_take(b, &len);
		evbuffer_free(b);
	}
	portal_page_headers(rq);
	if (s == NULL) {
		reply_raw(rq, 500, "text/plain; charset=utf-8",
		    "out of memory\n", 14);
		return;
	}
	reply_raw_take(rq, status, PORTAL_PAGE_HTML, s, len);
}

static void
portal_page_call_free(struct portal_page_call *c)
{
	free((char *)c->form.name);
	free((char *)c->form.email);
	free((char *)c->form.comment);
	free((char *)c->form.name_error);
	free((char *)c->form.email_error);
	free((char *)c->form.comment_error);
	free((char *)c->form.notice);
	free(c);
}

static void
portal_page_view_cb(struct store_res *res, void *arg)
{
	struct portal_page_call *c = arg;
	struct rq *rq = c->rq;
	size_t len;
	char *s;

	switch (res->err) {
	case 0:
		if ((s = portal_page_render(res->data, &c->form, &len)) ==
		    NULL) {
			portal_page_problem(rq, 500, "Out of memory; try "
			    "again.");
			break;
		}
		portal_page_headers(rq);
		reply_raw_take(rq, c->status, PORTAL_PAGE_HTML, s, len);
		break;
	case FZ_ENOTFOUND:
	case FZ_ENOTSUP:
		portal_page_problem(rq, 404, "Check that the whole link from "
		    "the email was used, or ask the sender for a new one.");
		break;
	case FZ_EUNAVAIL:
	case FZ_ETIMEOUT:
		portal_page_problem(rq, 503, "The pack cannot be read right "
		    "now. Try again in a moment.");
		break;
	default:
		portal_page_problem(rq, 500, "Something went wrong on our "
		    "side. Try again in a moment.");
		break;
	}
	json_decref(res->data);
	json_decref(res->details);
	portal_page_call_free(c);
}

/* strdup that keeps NULL; sets *oom when a copy fails. */
static const char *
portal_page_dup(const char *s, int *oom)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*oom = 1;
	return d;
}

static void
portal_page_read(struct rq *rq, const char *token, enum store_op op,
    int status, const struct portal_form *f)
{
	struct portal_page_call *c;
	struct store_req req = { 0 };
	int oom = 0;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		portal_page_problem(rq, 500, "Out of memory; try again.");
		return;
	}
	c->rq = rq;
	c->status = status;
	if (f != NULL) {
		c->form.name = portal_page_dup(f->name, &oom);
		c->form.email = portal_page_dup(f->email, &oom);
		c->form.comment = portal_page_dup(f->comment, &oom);
		c->form.name_error = portal_page_dup(f->name_error, &oom);
		c->form.email_error = portal_page_dup(f->email_error, &oom);
		c->form.comment_error = portal_page_dup(f->comment_error,
		    &oom);
		c->form.notice = portal_page_dup(f->notice, &oom);
		c->form.alert = f->alert;
	}
	req.op = op;
	req.id = token;
	req.request_id = rq->id;
	if (oom || store_submit(edge_store(rq->edge), &req, portal_page_view_cb,
	    c) != 0) {
		portal_page_call_free(c);
		portal_page_problem(rq, 500, "Out of memory; try again.");
	}
}

void
portal_page_serve(struct rq *rq, const char *token)
{
	portal_page_read(rq, token, STORE_OP_PORTAL_FETCH, 200, NULL);
}

void
portal_page_answer(struct rq *rq, const char *token, int status,
    const struct portal_form *form)
{
	portal_page_read(rq, token, STORE_OP_PORTAL_VIEW, status, form);
}

void
portal_page_asset(struct rq *rq)
{
	const struct asset *a;

	if ((a = asset_find(portal_assets, portal_nassets,
	    router_param(&rq->params, "file"))) == NULL) {
		reply_error(rq, API_NOT_FOUND, "no such file", NULL);
		return;
	}
	reply_header(rq, "Content-Security-Policy", PORTAL_PAGE_CSP);
	reply_header(rq, "X-Content-Type-Options", "nosniff");
	reply_header(rq, "Referrer-Policy", "no-referrer");
	reply_header(rq, "X-Robots-Tag", "noindex");
	reply_header(rq, "Cache-Control", "no-cache");
	reply_raw(rq, 200, a->ctype, a->body, a->len);
}
