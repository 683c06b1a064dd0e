/*
 * fuzz_sign.c: common/sign.h, the Standard Webhooks verifier that guards
 * POST /internal/events.
 *
 * The input is split at its first four newlines into secret, webhook-id,
 * webhook-timestamp and webhook-signature; the rest is the body (which
 * may hold anything, NULs included). sign_verify runs on it as
 * actions/ingest.c calls it. Whenever the secret is well-formed, the
 * signature sign_webhook makes must verify, alone or among others, and
 * must stop verifying once one character of it changes; a malformed
 * secret verifies nothing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fz.h"
#include "common/sign.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *f[4], *p, *nl, *end, *both = NULL, want[SIGN_SIZE];
	const char *body;
	size_t i, blen, n;
	long long ts;
	int ok, err;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	/* Split on the bytes, not the strings: the body may hold NULs. */
	p = buf;
	for (i = 0; i < 4; i++) {
		f[i] = p;
		nl = memchr(p, '\n', (size_t)(buf + size - p));
		if (nl == NULL) {
			p = buf + size;
			for (i++; i < 4; i++)
				f[i] = p;
			break;
		}
		*nl = '\0';
		p = nl + 1;
	}
	body = p;
	blen = (size_t)(buf + size - p);
	ts = strtoll(f[2], &end, 10);

	ok = sign_verify(f[0], f[1], ts, body, blen, f[3]);
	FUZZ_CHECK(ok == 0 || ok == 1);
	err = sign_webhook(f[0], f[1], ts, body, blen, want);
	if (err != 0) {
		FUZZ_CHECK(err == FZ_EINVAL && ok == 0);
		goto out;
	}
	FUZZ_CHECK(strlen(want) == SIGN_SIZE - 1 &&
	    strncmp(want, "v1,", 3) == 0);
	FUZZ_CHECK(sign_verify(f[0], f[1], ts, body, blen, want) == 1);
	/* During a rotation the header carries several signatures. */
	n = strlen(f[3]) + 1 + strlen(want) + 1;
	if ((both = malloc(n)) == NULL)
		goto out;
	snprintf(both, n, "%s %s", f[3], want);
	FUZZ_CHECK(sign_verify(f[0], f[1], ts, body, blen, both) == 1);
	i = (size_t)(ts < 0 ? -(ts + 1) : ts) % (SIGN_SIZE - 1 - 3) + 3;
	want[i] = want[i] == 'A' ? 'B' : 'A';
	FUZZ_CHECK(sign_verify(f[0], f[1], ts, body, blen, want) == 0);
out:
	free(both);
	free(buf);
	return 0;
}
