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

/*
 * One pass, each byte moved at most once: a poll's page holds fifty
 * members to drop, and closing each gap by moving the rest of the page
 * cost more than building the page.
 */
size_t
redact_share_text(char *text, size_t len)
{
	const size_t mlen = sizeof(REDACT_MEMBER) - 1;
	char *end = text + len, *rd = text, *wr = text, *p, *v, *after;
	size_t n;

	while ((p = memmem(rd, (size_t)(end - rd), REDACT_MEMBER,
	    mlen)) != NULL) {
		v = p + mlen;
		if (v < end && *v == '"')
			after = redact_string_end(v, end);
		else if ((size_t)(end - v) >= 4 && memcmp(v, "null", 4) == 0)
			after = v + 4;
		else
			after = NULL;
		/* Not a member this removes: kept, the search goes on past. */
		n = (size_t)((after == NULL ? v : p) - rd);
		memmove(wr, rd, n);
		wr += n;
		rd = after == NULL ? v : after;
	}
	n = (size_t)(end - rd);
	memmove(wr, rd, n);
	wr += n;
	if (wr < end)
		*wr = '\0';
	return (size_t)(wr - text);
}

json_t *
redact_share_json(const json_t *data)
{
	json_t *copy = json_deep_copy(data);

	if (copy != NULL)
		json_object_del(copy, "share_url");
	return copy;
}
