#include <string.h>

#include "relay/redact.h"
#include "relay/reply.h"
#include "state/apikey.h"

#define REDACT_MEMBER	",\"share_url\":"

int
redact_share_hidden(const struct rq *rq)
{
	return rq->authed && rq->key.scope < SCOPE_WRITE;
}

/* Returns the end of the JSON string starting at s (its opening quote),
 * just past the closing quote, or NULL if it does not end before end. */
static char *
redact_string_end(char *s, const char *end)
{
	for (s++; s < end; s++) {
		if (*s == '\\')
			s++;
		else if (*s == '"')
			return s + 1;
	}
	return NULL;
}

/* Returns the first place at or after p where the member starts, or
 * NULL. */
static char *
redact_find(char *p, const char *end)
{
	const size_t mlen = sizeof(REDACT_MEMBER) - 1;

	while ((p = memchr(p, ',', (size_t)(end - p))) != NULL) {
		if ((size_t)(end - p) >= mlen &&
		    memcmp(p, REDACT_MEMBER, mlen) == 0)
			return p;
		p++;
	}
	return NULL;
}

size_t
redact_share_text(char *text, size_t len)
{
	const size_t mlen = sizeof(REDACT_MEMBER) - 1;
	char *end = text + len, *p = text, *v, *after;

	while ((p = redact_find(p, end)) != NULL) {
		v = p + mlen;
		if (v < end && *v == '"')
			after = redact_string_end(v, end);
		else if ((size_t)(end - v) >= 4 && memcmp(v, "null", 4) == 0)
			after = v + 4;
		else
			after = NULL;
		if (after == NULL) {
			p = v;
			continue;
		}
		memmove(p, after, (size_t)(end - after));
		end -= after - p;
	}
	if ((size_t)(end - text) < len)
		*end = '\0';
	return (size_t)(end - text);
}

json_t *
redact_share_json(const json_t *data)
{
	json_t *copy = json_deep_copy(data);

	if (copy != NULL)
		json_object_del(copy, "share_url");
	return copy;
}
