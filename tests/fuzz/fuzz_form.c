/*
 * fuzz_form.c: relay/form.h on the bodies an HTML form posts to the
 * portal (anyone holding a link can post any bytes).
 *
 * form_parse must refuse or give an object of strings, each valid UTF-8
 * without NUL, and a refusal leaves nothing behind. What it gives must
 * survive a round trip: every name and value percent-encoded back
 * parses to the same object.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/fz.h"
#include "common/text.h"
#include "relay/form.h"
#include "tests/fuzz/fuzz.h"

/* Appends s percent-encoded, every byte as %XX; returns the new end. */
static char *
fuzz_encode(char *p, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		*p++ = '%';
		*p++ = hex[(unsigned char)*s >> 4];
		*p++ = hex[(unsigned char)*s & 15];
	}
	return p;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *out = NULL, *again = NULL, *v;
	const char *k;
	char *body, *p;
	size_t len = 0;
	int err;

	err = form_parse((const char *)data, size, &out);
	FUZZ_CHECK(err == 0 || err == FZ_EINVAL || err == FZ_ENOMEM);
	if (err != 0) {
		FUZZ_CHECK(out == NULL);
		return 0;
	}
	FUZZ_CHECK(json_is_object(out));
	json_object_foreach(out, k, v) {
		FUZZ_CHECK(json_is_string(v));
		FUZZ_CHECK(text_utf8_valid(k, strlen(k)));
		FUZZ_CHECK(text_utf8_valid(json_string_value(v),
		    json_string_length(v)));
		FUZZ_CHECK(strlen(json_string_value(v)) ==
		    json_string_length(v));
		len += 3 * (strlen(k) + json_string_length(v)) + 2;
	}
	if ((body = malloc(len + 1)) == NULL)
		goto out;
	p = body;
	json_object_foreach(out, k, v) {
		if (p != body)
			*p++ = '&';
		p = fuzz_encode(p, k);
		*p++ = '=';
		p = fuzz_encode(p, json_string_value(v));
	}
	*p = '\0';
	FUZZ_CHECK(form_parse(body, (size_t)(p - body), &again) == 0);
	FUZZ_CHECK(json_equal(out, again));
	free(body);
out:
	json_decref(again);
	json_decref(out);
	return 0;
}
