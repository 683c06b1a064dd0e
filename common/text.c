#include <string.h>

#include "common/fz.h"
#include "common/text.h"

int
text_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned char c = *p;
		unsigned int cp;
		size_t n, i;

		if (c == 0)
			return 0;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else
			return 0;
		if ((size_t)(end - p) <= n)
			return 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		/* Overlong three- and four-byte forms, surrogates, > U+10FFFF. */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		p += n + 1;
	}
	return 1;
}

int
text_has_control(const char *s, size_t len, int multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] < 0x20 && !(multiline && (p[i] == '\n' ||
		    p[i] == '\t' || p[i] == '\r')))
			return 1;
		if (p[i] == 0x7f)
			return 1;
		/* U+0080..U+009F encode as C2 80..C2 9F. */
		if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9f)
			return 1;
	}
	return 0;
}

int
text_name_valid(const char *s, size_t max)
{
	size_t len = strlen(s);

	if (len == 0 || len > max || !text_utf8_valid(s, len) ||
	    text_has_control(s, len, 0))
		return 0;
	return strspn(s, " ") != len;
}

int
text_date_valid(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d, i, leap;

	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return 0;
		} else if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	if (s[10] != '\0')
		return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

int
text_email_normalize(const char *s, char *out)
{
	const char *e, *at, *dot;
	size_t len, i;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	len = (size_t)(e - s);
	if (len < 3 || len >= TEXT_EMAIL_SIZE || !text_utf8_valid(s, len))
		return FZ_EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' ||
		    c == ',' || c == ';' || c == '"' || c == '(' || c == ')')
			return FZ_EINVAL;
		out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	out[len] = '\0';
	at = strchr(out, '@');
	if (at == NULL || at == out || strchr(at + 1, '@') != NULL)
		return FZ_EINVAL;
	dot = strrchr(at + 1, '.');
	if (dot == NULL || dot == at + 1 || dot[1] == '\0' ||
	    strstr(at + 1, "..") != NULL)
		return FZ_EINVAL;
	return 0;
}

/* The lower case of cp (U+0080..U+07FF) when it lies in the same range,
 * else cp: two bytes of UTF-8 either way. */
static unsigned int
text_lower2(unsigned int cp)
{
	if ((cp >= 0xc0 && cp <= 0xde && cp != 0xd7) ||
	    (cp >= 0x391 && cp <= 0x3ab && cp != 0x3a2) ||
	    (cp >= 0x410 && cp <= 0x42f))
		return cp + 0x20;
	if (cp >= 0x400 && cp <= 0x40f)
		return cp + 0x50;
	if (cp == 0x178)
		return 0xff;
	/* Latin Extended-A pairs: upper case even here (U+0130, dotted I,
	 * lower-cases to ASCII and stays), odd in the two runs below. */
	if ((cp >= 0x100 && cp <= 0x137 && cp != 0x130) ||
	    (cp >= 0x14a && cp <= 0x177))
		return cp | 1;
	if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e))
		return (cp & 1) ? cp + 1 : cp;
	return cp;
}

void
text_fold(const char *s, size_t len, char *out)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned int cp;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] >= 'A' && p[i] <= 'Z') {
			out[i] = (char)(p[i] + 32);
		} else if (p[i] >= 0xc2 && p[i] <= 0xdf && i + 1 < len &&
		    (p[i + 1] & 0xc0) == 0x80) {
			cp = text_lower2((unsigned int)(p[i] & 0x1f) << 6 |
			    (p[i + 1] & 0x3f));
			out[i] = (char)(0xc0 | cp >> 6);
			out[i + 1] = (char)(0x80 | (cp & 0x3f));
			i++;
		} else
			out[i] = (char)p[i];
	}
	out[len] = '\0';
}

size_t
text_u64(char *buf, uint64_t v)
{
	char tmp[TEXT_U64_SIZE];
	size_t i = sizeof(tmp), n;

	do
		tmp[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	n = sizeof(tmp) - i;
	memcpy(buf, tmp + i, n);
	buf[n] = '\0';
	return n;
}
