/*
 * fuzz_cursor.c: common/cursor.h on client-supplied cursors.
 *
 * The input is what a client sends as ?cursor= or "after": cursor_decode
 * under a fixed key and the scope GET /events uses. A cursor that decodes
 * must be the very text cursor_encode writes for its position (one text
 * per position). Then the round trip: the input's first 8 bytes as a
 * position and the rest as a scope encode to a cursor that decodes to
 * that position under that scope only, and not once a character of it
 * is changed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cursor.h"
#include "common/fz.h"
#include "tests/fuzz/fuzz.h"

/* tests/fuzz/corpus/fuzz_cursor/ holds cursors made with this key. */
static const unsigned char key[CURSOR_KEY_SIZE] = {
	'f', 'z', 'r', 'e', 'l', 'a', 'y', '-', 'f', 'u', 'z', 'z',
};
static const char scope[] = "ws_fuzz:events";

static void
fuzz_round_trip(const uint8_t *data, size_t size)
{
	char c[CURSOR_SIZE], *sc;
	uint64_t pos = 0, got = 0;
	size_t i;
	int err;

	for (i = 0; i < 8 && i < size; i++)
		pos = pos << 8 | data[i];
	data += i;
	size -= i;
	if ((sc = malloc(size + 1)) == NULL)
		return;
	memcpy(sc, data, size);
	sc[size] = '\0';
	err = cursor_encode(key, sc, pos, c);
	if (err != 0) {
		/* Only an over-long scope is refused. */
		FUZZ_CHECK(err == FZ_EINVAL && strlen(sc) > 256);
		free(sc);
		return;
	}
	FUZZ_CHECK(strlen(c) == CURSOR_SIZE - 1);
	FUZZ_CHECK(cursor_decode(key, sc, c, &got) == 0 && got == pos);
	if (strcmp(sc, scope) != 0)
		FUZZ_CHECK(cursor_decode(key, scope, c, &got) == FZ_EINVAL);
	/* Any one character changed (to another base64url one) breaks it. */
	i = pos % (CURSOR_SIZE - 1);
	c[i] = c[i] == 'A' ? 'B' : 'A';
	FUZZ_CHECK(cursor_decode(key, sc, c, &got) == FZ_EINVAL);
	free(sc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char again[CURSOR_SIZE], *s;
	uint64_t pos = 0;

	/* The edge hands the decoder a NUL-terminated string. */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (cursor_decode(key, scope, s, &pos) == 0) {
		FUZZ_CHECK(cursor_encode(key, scope, pos, again) == 0);
		FUZZ_CHECK(strcmp(again, s) == 0);
	}
	free(s);
	fuzz_round_trip(data, size);
	return 0;
}
