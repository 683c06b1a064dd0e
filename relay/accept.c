#include <string.h>
#include <strings.h>

#include "relay/accept.h"

/* How a media range matched a type: not at all, or more specifically. */
enum accept_spec {
	ACCEPT_NONE = -1,
	ACCEPT_ANY,		/* the full wildcard */
	ACCEPT_FAMILY,		/* the type's family, any subtype */
	ACCEPT_EXACT,
};

struct accept_pick {
	enum accept_spec	spec;
	int			q;	/* thousandths */
};

/* Reads a quality value "0", "0.5", "1.000" into thousandths; -1 if it
 * is not one. */
static int
accept_q(const char *s, size_t n)
{
	int q, scale = 100;
	size_t i;

	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = (s[0] - '0') * 1000;
	if (n == 1)
		return q;
	if (s[1] != '.' || n > 5)
		return -1;
	for (i = 2; i < n; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q <= 1000 ? q : -1;
}

/* How the range r (n bytes, "type/subtype") matches type. */
static enum accept_spec
accept_match(const char *r, size_t n, const char *type)
{
	const char *slash = strchr(type, '/');
	size_t fam = (size_t)(slash - type);

	if (n == 3 && memcmp(r, "*/*", 3) == 0)
		return ACCEPT_ANY;
	if (n == fam + 2 && strncasecmp(r, type, fam + 1) == 0 &&
	    r[fam + 1] == '*')
		return ACCEPT_FAMILY;
	if (n == strlen(type) && strncasecmp(r, type, n) == 0)
		return ACCEPT_EXACT;
	return ACCEPT_NONE;
}

/* Reads one element "range;param;q=x" (n bytes) and updates the picks
 * for json and html. */
static void
accept_element(const char *e, size_t n, struct accept_pick *json,
    struct accept_pick *html)
{
	const char *p, *end = e + n;
	size_t rn, pn;
	enum accept_spec s;
	int q = 1000;

	while (e < end && (*e == ' ' || *e == '\t'))
		e++;
	rn = strcspn(e, ";, \t");
	if (e + rn > end)
		rn = (size_t)(end - e);
	for (p = e + rn; p < end; p += pn) {
		p += strspn(p, "; \t");
		if (p >= end)
			break;
		pn = strcspn(p, ";,");
		if (p + pn > end)
			pn = (size_t)(end - p);
		if (pn >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
			size_t vn = pn - 2;

			while (vn > 0 && (p[2 + vn - 1] == ' ' ||
			    p[2 + vn - 1] == '\t'))
				vn--;
			/* A malformed quality makes the element nothing. */
			if ((q = accept_q(p + 2, vn)) < 0)
				return;
		}
	}
	if ((s = accept_match(e, rn, "application/json")) > json->spec ||
	    (s == json->spec && s != ACCEPT_NONE && q > json->q)) {
		json->spec = s;
		json->q = q;
	}
	if ((s = accept_match(e, rn, "text/html")) > html->spec ||
	    (s == html->spec && s != ACCEPT_NONE && q > html->q)) {
		html->spec = s;
		html->q = q;
	}
}

int
accept_wants_json(const char *accept)
{
	struct accept_pick json = { ACCEPT_NONE, 0 }, html = { ACCEPT_NONE, 0 };
	size_t n;

	if (accept == NULL)
		return 0;
	for (; *accept != '\0'; accept += n + (accept[n] == ',')) {
		n = strcspn(accept, ",");
		accept_element(accept, n, &json, &html);
	}
	if (json.spec == ACCEPT_NONE || json.q == 0)
		return 0;
	if (html.spec == ACCEPT_NONE)
		return 1;
	return json.q > html.q || (json.q == html.q && json.spec > html.spec);
}
