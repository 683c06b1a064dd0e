#include <stdio.h>
#include <string.h>

#include "common/fz.h"
#include "relay/reply.h"
#include "relay/validate.h"

void
validate_begin(struct vctx *v, const json_t *body)
{
	v->body = body;
	v->details = NULL;
}

void
validate_fail(struct vctx *v, const char *field, const char *msg)
{
	json_t *d;

	if ((d = reply_detail(v->details, field, msg)) != NULL)
		v->details = d;
}

/* Returns the field's value: NULL and *present 0 when absent or null. */
static json_t *
validate_get(struct vctx *v, const char *field, int required, int *present)
{
	json_t *j = json_object_get(v->body, field);

	*present = j != NULL && !json_is_null(j);
	if (!*present && required)
		validate_fail(v, field, "is required");
	return *present ? j : NULL;
}

const char *
validate_string(struct vctx *v, const char *field, int required, size_t max,
    int multiline)
{
	char msg[64];
	const char *s;
	size_t len;
	json_t *j;
	int present;

	if ((j = validate_get(v, field, required, &present)) == NULL)
		return NULL;
	if (!json_is_string(j)) {
		validate_fail(v, field, "must be a string");
		return NULL;
	}
	s = json_string_value(j);
	len = json_string_length(j);
	if (len == 0) {
		if (required)
			validate_fail(v, field, "must not be empty");
		return required ? NULL : s;
	}
	if (len > max) {
		snprintf(msg, sizeof(msg), "must be at most %zu bytes", max);
		validate_fail(v, field, msg);
		return NULL;
	}
	/* jansson has already refused invalid UTF-8 and NUL. */
	if (text_has_control(s, len, multiline)) {
		validate_fail(v, field, "must not contain control characters");
		return NULL;
	}
	return s;
}

const char *
validate_name(struct vctx *v, const char *field, int required, size_t max)
{
	const char *s = validate_string(v, field, required, max, 0);

	if (s != NULL && *s != '\0' && strspn(s, " ") == strlen(s)) {
		validate_fail(v, field, "must not be blank");
		return NULL;
	}
	return s;
}

const char *
validate_email(struct vctx *v, const char *field, int required, char *out)
{
	const char *s = validate_string(v, field, required,
	    TEXT_EMAIL_SIZE - 1, 0);

	if (s == NULL || (*s == '\0' && !required))
		return NULL;
	if (text_email_normalize(s, out) != 0) {
		validate_fail(v, field, "must be an email address such as "
		    "jane@example.com");
		return NULL;
	}
	return out;
}

const char *
validate_date(struct vctx *v, const char *field, int required)
{
	const char *s = validate_string(v, field, required, 10, 0);

	if (s == NULL || (*s == '\0' && !required))
		return NULL;
	if (!text_date_valid(s)) {
		validate_fail(v, field, "must be a real date as YYYY-MM-DD");
		return NULL;
	}
	return s;
}

int
validate_id_ok(const char *s, const char *prefix)
{
	size_t plen = strlen(prefix), len = strlen(s);

	return len > plen + 1 && len < FZ_ID_SIZE &&
	    strncmp(s, prefix, plen) == 0 && s[plen] == '_' &&
	    strspn(s + plen + 1, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz") == len - plen - 1;
}

const char *
validate_id(struct vctx *v, const char *field, const char *prefix,
    int required)
{
	char msg[64];
	const char *s = validate_string(v, field, required, FZ_ID_SIZE, 0);

	if (s == NULL || (*s == '\0' && !required))
		return NULL;
	if (!validate_id_ok(s, prefix)) {
		snprintf(msg, sizeof(msg), "must be an id like %s_...", prefix);
		validate_fail(v, field, msg);
		return NULL;
	}
	return s;
}

int
validate_end(struct vctx *v, struct rq *rq)
{
	char msg[256];
	json_t *d;
	size_t i, n;
	int len;

	if (v->details == NULL)
		return 0;
	len = snprintf(msg, sizeof(msg), "invalid fields:");
	n = json_array_size(v->details);
	for (i = 0; i < n && len > 0 && (size_t)len < sizeof(msg); i++) {
		d = json_array_get(v->details, i);
		len += snprintf(msg + len, sizeof(msg) - (size_t)len, "%s %s",
		    i ? "," : "", json_string_value(json_object_get(d,
		    "field")));
	}
	reply_error(rq, API_VALIDATION_ERROR, msg, v->details);
	v->details = NULL;
	return -1;
}
