#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/fz.h"
#include "common/text.h"
#include "relay/form.h"
#include "relay/http/http.h"
#include "relay/reply.h"

int
form_is_form(struct rq *rq)
{
	const char *ct = http_req_header(rq->http, "Content-Type");
	size_t n = strlen("application/x-www-form-urlencoded");

	if (ct == NULL || strncasecmp(ct, "application/x-www-form-urlencoded",
	    n) != 0)
		return 0;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

static int
form_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..n-1] into out (n + 1 bytes), NUL-terminated. Returns its
 * length, or -1 for a malformed escape, a NUL or bytes that are not
 * UTF-8. */
static long
form_decode(const char *s, size_t n, char *out)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] != '%')
			out[o++] = s[i];
		else if (i + 2 < n && (hi = form_hex(s[i + 1])) >= 0 &&
		    (lo = form_hex(s[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			return -1;
	}
	out[o] = '\0';
	if (memchr(out, '\0', o) != NULL || !text_utf8_valid(out, o))
		return -1;
	return (long)o;
}

int
form_parse(const char *body, size_t len, json_t **out)
{
	const char *p = body, *end = body + len, *amp, *eq;
	char *name = NULL, *value = NULL;
	json_t *obj;
	int err = FZ_EINVAL;

	*out = NULL;
	if ((obj = json_object()) == NULL)
		return FZ_ENOMEM;
	for (; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p)
			continue;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		if ((name = malloc((size_t)(eq - p) + 1)) == NULL ||
		    (value = malloc((size_t)(amp - eq) + 1)) == NULL) {
			err = FZ_ENOMEM;
			goto out;
		}
		if (form_decode(p, (size_t)(eq - p), name) < 0 ||
		    form_decode(eq + (eq < amp), (size_t)(amp - eq) -
		    (eq < amp), value) < 0 ||
		    json_object_get(obj, name) != NULL)
			goto out;
		if (json_object_set_new(obj, name, json_string(value)) != 0) {
			err = FZ_ENOMEM;
			goto out;
		}
		free(name);
		free(value);
		name = value = NULL;
		if (amp == end)
			break;
	}
	*out = obj;
	obj = NULL;
	err = 0;
out:
	free(name);
	free(value);
	json_decref(obj);
	return err;
}
