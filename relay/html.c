#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#include "relay/html.h"

void
html_text(struct evbuffer *b, const char *s)
{
	size_t n;

	if (s == NULL)
		return;
	while (*s != '\0') {
		n = strcspn(s, "&<>\"'");
		evbuffer_add(b, s, n);
		s += n;
		switch (*s) {
		case '&':
			evbuffer_add(b, "&amp;", 5);
			break;
		case '<':
			evbuffer_add(b, "&lt;", 4);
			break;
		case '>':
			evbuffer_add(b, "&gt;", 4);
			break;
		case '"':
			evbuffer_add(b, "&quot;", 6);
			break;
		case '\'':
			evbuffer_add(b, "&#39;", 5);
			break;
		default:
			return;
		}
		s++;
	}
}

int
html_url_ok(const char *u)
{
	size_t skip, i;

	if (u == NULL)
		return 0;
	if (strncasecmp(u, "https://", 8) == 0)
		skip = 8;
	else if (strncasecmp(u, "http://", 7) == 0)
		skip = 7;
	else
		return 0;
	/* A host, not "https:///path" nor "https://?x". */
	if (u[skip] == '\0' || strchr("/?#", u[skip]) != NULL)
		return 0;
	for (i = 0; u[i] != '\0'; i++)
		if ((unsigned char)u[i] <= 0x20 || u[i] == 0x7f)
			return 0;
	return 1;
}

void
html_link(struct evbuffer *b, const char *url, const char *text)
{
	const char *show = text != NULL && *text != '\0' ? text : url;

	if (!html_url_ok(url)) {
		html_text(b, show);
		if (show != url && url != NULL && *url != '\0') {
			evbuffer_add(b, " (", 2);
			html_text(b, url);
			evbuffer_add(b, ")", 1);
		}
		return;
	}
	evbuffer_add_printf(b, "<a href=\"");
	html_text(b, url);
	evbuffer_add_printf(b, "\" target=\"_blank\" "
	    "rel=\"noopener noreferrer\">");
	html_text(b, show);
	evbuffer_add_printf(b, "</a>");
}
