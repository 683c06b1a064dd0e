/*
 * fuzz.h: what every libFuzzer target here shares: the entry point's
 * prototype and FUZZ_CHECK, which aborts (so libFuzzer keeps the input
 * as a reproducer) when a property the target checks does not hold.
 */
#ifndef FZ_TESTS_FUZZ_H
#define FZ_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
		    __LINE__, #c);					\
		abort();						\
	}								\
} while (0)

#endif
