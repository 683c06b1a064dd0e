#include <string.h>

#include "common/jscan.h"
#include "common/text.h"

/* The integers jansson holds exactly (json_int_t is 64-bit). */
#define JSCAN_DIGITS	18

struct jscan {
	const char	*p, *end;
	char		*o;		/* next byte of out; never ahead of p */
	int		 depth;
};

static int	jscan_value(struct jscan *s, enum jscan_type *t);

static void
jscan_blank(struct jscan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' ||
	    *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

/* Copies len bytes at s->p to s->o; out may overlap in. */
static void
jscan_copy(struct jscan *s, size_t len)
{
	if (s->o != s->p)
		memmove(s->o, s->p, len);
	s->o += len;
	s->p += len;
}

/* A string at s->p (its opening quote). */
static int
jscan_string(struct jscan *s)
{
	const unsigned char *q = (const unsigned char *)s->p + 1;
	const unsigned char *end = (const unsigned char *)s->end;
	unsigned char high = 0;

	for (; q < end && *q != '"'; q++) {
		if (*q == '\\' || *q < 0x20)
			return -1;
		high |= *q;
	}
	if (q == end)
		return -1;
	if ((high & 0x80) && !text_utf8_valid(s->p + 1,
	    (size_t)((const char *)q - s->p - 1)))
		return -1;
	jscan_copy(s, (size_t)((const char *)q - s->p) + 1);
	return 0;
}

static int
jscan_number(struct jscan *s)
{
	const char *q = s->p;
	size_t digits;

	if (*q == '-')
		q++;
	if (q == s->end || *q < '0' || *q > '9')
		return -1;
	/* jansson reads "-0" as the integer 0 and writes "0". */
	if (*q == '0') {
		if (q != s->p)
			return -1;
		q++;
	} else
		while (q < s->end && *q >= '0' && *q <= '9')
			q++;
	digits = (size_t)(q - s->p) - (*s->p == '-');
	if (digits > JSCAN_DIGITS)
		return -1;
	/* A fraction or exponent makes a real, which jansson rewrites. */
	if (q < s->end && ((*q >= '0' && *q <= '9') || *q == '.' ||
	    *q == 'e' || *q == 'E'))
		return -1;
	jscan_copy(s, (size_t)(q - s->p));
	return 0;
}

static int
jscan_literal(struct jscan *s, const char *word)
{
	size_t len = strlen(word);

	if ((size_t)(s->end - s->p) < len || memcmp(s->p, word, len) != 0)
		return -1;
	jscan_copy(s, len);
	return 0;
}

/* Writes one byte of punctuation and steps over it. */
static void
jscan_punct(struct jscan *s)
{
	*s->o++ = *s->p++;
}

/* Opens the object or array at s->p. Returns 1 if it is empty (and
 * closed by close), 0 if an element follows, -1 if it is too deep. */
static int
jscan_open(struct jscan *s, char close)
{
	if (++s->depth > JSCAN_DEPTH)
		return -1;
	jscan_punct(s);
	jscan_blank(s);
	if (s->p < s->end && *s->p == close) {
		jscan_punct(s);
		s->depth--;
		return 1;
	}
	return 0;
}

/* After an element: returns 1 when close ends the container, 0 when a
 * comma leads to another element, -1 otherwise. */
static int
jscan_next(struct jscan *s, char close)
{
	jscan_blank(s);
	if (s->p == s->end)
		return -1;
	if (*s->p == close) {
		jscan_punct(s);
		s->depth--;
		return 1;
	}
	if (*s->p != ',')
		return -1;
	jscan_punct(s);
	jscan_blank(s);
	return 0;
}

/* An object at s->p; its members go to m when m is not NULL. */
static int
jscan_members(struct jscan *s, struct jscan_member *m, size_t max,
    size_t *n)
{
	struct {
		const char	*k;
		size_t		 len;
	} keys[JSCAN_KEYS];
	size_t nk = 0, i;
	enum jscan_type t;
	char *k, *v;
	int rc;

	if ((rc = jscan_open(s, '}')) != 0)
		return rc < 0 ? -1 : 0;
	for (;;) {
		if (s->p == s->end || *s->p != '"' || nk == JSCAN_KEYS)
			return -1;
		k = s->o;
		if (jscan_string(s) != 0)
			return -1;
		keys[nk].k = k + 1;
		keys[nk].len = (size_t)(s->o - k) - 2;
		for (i = 0; i < nk; i++)
			if (keys[i].len == keys[nk].len &&
			    memcmp(keys[i].k, keys[nk].k, keys[nk].len) == 0)
				return -1;
		jscan_blank(s);
		if (s->p == s->end || *s->p != ':')
			return -1;
		jscan_punct(s);
		jscan_blank(s);
		v = s->o;
		if (jscan_value(s, &t) != 0)
			return -1;
		if (m != NULL && *n < max) {
			m[*n].key = keys[nk].k;
			m[*n].klen = keys[nk].len;
			m[*n].val = t == JSCAN_STRING ? v + 1 : v;
			m[*n].vlen = (size_t)(s->o - v) -
			    (t == JSCAN_STRING ? 2 : 0);
			m[*n].type = t;
		}
		if (m != NULL && ++*n > max)
			return -1;
		nk++;
		if ((rc = jscan_next(s, '}')) != 0)
			return rc < 0 ? -1 : 0;
	}
}

static int
jscan_array(struct jscan *s)
{
	enum jscan_type t;
	int rc;

	if ((rc = jscan_open(s, ']')) != 0)
		return rc < 0 ? -1 : 0;
	for (;;) {
		if (jscan_value(s, &t) != 0)
			return -1;
		if ((rc = jscan_next(s, ']')) != 0)
			return rc < 0 ? -1 : 0;
	}
}

static int
jscan_value(struct jscan *s, enum jscan_type *t)
{
	if (s->p == s->end)
		return -1;
	switch (*s->p) {
	case '"':
		*t = JSCAN_STRING;
		return jscan_string(s);
	case '{':
		*t = JSCAN_OBJECT;
		return jscan_members(s, NULL, 0, NULL);
	case '[':
		*t = JSCAN_ARRAY;
		return jscan_array(s);
	case 't':
		*t = JSCAN_TRUE;
		return jscan_literal(s, "true");
	case 'f':
		*t = JSCAN_FALSE;
		return jscan_literal(s, "false");
	case 'n':
		*t = JSCAN_NULL;
		return jscan_literal(s, "null");
	default:
		*t = JSCAN_NUMBER;
		return jscan_number(s);
	}
}

int
jscan_object(const char *in, size_t len, char *out, size_t *outlen,
    struct jscan_member *m, size_t max, size_t *n)
{
	struct jscan s;

	s.p = in;
	s.end = in + len;
	s.o = out;
	s.depth = 0;
	*n = 0;
	jscan_blank(&s);
	if (s.p == s.end || *s.p != '{' || jscan_members(&s, m, max, n) != 0)
		return -1;
	jscan_blank(&s);
	if (s.p != s.end)
		return -1;
	*s.o = '\0';
	*outlen = (size_t)(s.o - out);
	return 0;
}
