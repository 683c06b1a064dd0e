/*
 * jscan.h: a fast reader for the plain JSON objects most request bodies
 * are. It knows a subset of JSON: strings without escapes or control
 * bytes, integers of up to 18 digits (no fraction, no exponent, no "-0"),
 * true, false, null, and objects and arrays nested at most JSCAN_DEPTH
 * deep, with at most JSCAN_KEYS keys per object and no key twice in one.
 * What it accepts, jansson (JSON_REJECT_DUPLICATES) accepts too and
 * serialises compactly to the very bytes jscan writes. Anything else is
 * "not plain": the caller parses it in full, which accepts or explains.
 */
#ifndef FZ_JSCAN_H
#define FZ_JSCAN_H

#include <stddef.h>

#define JSCAN_DEPTH	16
#define JSCAN_KEYS	64

enum jscan_type {
	JSCAN_STRING,
	JSCAN_NUMBER,
	JSCAN_OBJECT,
	JSCAN_ARRAY,
	JSCAN_TRUE,
	JSCAN_FALSE,
	JSCAN_NULL,
};

/* One member of the top-level object. key and val point into the
 * compact text; a string's val is its content, without the quotes
 * (nothing to unescape), any other val is the value's compact text. */
struct jscan_member {
	const char	*key;
	size_t		 klen;
	const char	*val;
	size_t		 vlen;
	enum jscan_type	 type;
};

/*
 * Reads in[0..len-1] as one plain JSON object (whitespace around tokens
 * allowed) and writes its compact form to out, NUL-terminated, setting
 * *outlen; out holds len + 1 bytes and may be in itself (compacted in
 * place). Fills m[0..*n-1] with the object's members, in order; an
 * object of more than max members counts as not plain. Returns 0, or -1
 * when the text is not plain (out's contents are then unspecified). Any
 * thread.
 */
int	jscan_object(const char *in, size_t len, char *out, size_t *outlen,
	    struct jscan_member *m, size_t max, size_t *n);

#endif
