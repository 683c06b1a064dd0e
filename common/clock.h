/*
 * clock.h: wall and monotonic time, and the RFC 3339 form of the API.
 */
#ifndef FZ_CLOCK_H
#define FZ_CLOCK_H

#include <stdint.h>

/* "2026-05-27T12:00:00.000Z" plus NUL. */
#define CLOCK_RFC3339_SIZE	25

/* Returns milliseconds since the Unix epoch (CLOCK_REALTIME). Any thread. */
int64_t	clock_now_ms(void);

/* Returns milliseconds from an arbitrary origin that never goes back
 * (CLOCK_MONOTONIC): use it for timeouts and rate limits. Any thread. */
int64_t	clock_mono_ms(void);

/* As clock_mono_ms, in microseconds: for what takes less than one. */
int64_t	clock_mono_us(void);

/* Writes ms as RFC 3339 UTC with milliseconds into buf, which holds
 * CLOCK_RFC3339_SIZE bytes. Returns buf. Any thread. */
char	*clock_rfc3339(int64_t ms, char *buf);

/*
 * Reads an RFC 3339 time, "2026-05-27T12:00:00Z" with an optional
 * fraction (1 to 9 digits, kept to the millisecond) and "Z" or an offset
 * ("+02:00"), into milliseconds since the epoch. Every field is range
 * checked, the day against its month, and years run 1970 to 9999, so no
 * input overflows. Returns 0 or -1. Any thread.
 */
int	clock_parse_rfc3339(const char *s, int64_t *ms);

#endif
