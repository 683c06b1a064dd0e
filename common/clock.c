#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"

static int64_t
clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
clock_now_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

int64_t
clock_mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

char *
clock_rfc3339(int64_t ms, char *buf)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	char tmp[64];

	if (ms < 0 || gmtime_r(&secs, &tm) == NULL || tm.tm_year > 8099) {
		secs = 0;
		ms = 0;
		gmtime_r(&secs, &tm);
	}
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	memcpy(buf, tmp, CLOCK_RFC3339_SIZE - 1);
	buf[CLOCK_RFC3339_SIZE - 1] = '\0';
	return buf;
}
