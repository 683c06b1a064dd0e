/*
 * html.h: writing HTML from text nobody checked, for the pages the
 * daemon renders itself (the client portal). Everything that reaches a
 * page through these functions is inert: text is escaped for element
 * content and quoted attributes alike, and only an http(s) URL becomes
 * a link.
 */
#ifndef FZ_HTML_H
#define FZ_HTML_H

struct evbuffer;

/* Appends s with &, <, >, " and ' escaped; NULL appends nothing. */
void	html_text(struct evbuffer *b, const char *s);

/* Returns 1 if u may be a link's href: "http://" or "https://" (any
 * case) and a host after it, with no whitespace or control character
 * anywhere; else 0 (javascript:, data:, relative and malformed URLs). */
int	html_url_ok(const char *u);

/* Appends a link to url showing text (url itself when text is NULL or
 * empty), opening in a new tab that gets neither this page nor its
 * address; when url is not html_url_ok, text (and url) as plain text. */
void	html_link(struct evbuffer *b, const char *url, const char *text);

#endif
