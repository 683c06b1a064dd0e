#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/text.h"

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

int64_t
clock_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Writes v as exactly n decimal digits, zero-padded. */
static void
clock_digits(char *p, int v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

char *
clock_rfc3339(int64_t ms, char *buf)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	if (ms < 0 || gmtime_r(&secs, &tm) == NULL || tm.tm_year > 8099) {
		secs = 0;
		ms = 0;
		gmtime_r(&secs, &tm);
	}
	/* Digit by digit: stdio's formatting was a visible share of every
	 * answer's cost. */
	clock_digits(buf, tm.tm_year + 1900, 4);
	buf[4] = '-';
	clock_digits(buf + 5, tm.tm_mon + 1, 2);
	buf[7] = '-';
	clock_digits(buf + 8, tm.tm_mday, 2);
	buf[10] = 'T';
	clock_digits(buf + 11, tm.tm_hour, 2);
	buf[13] = ':';
	clock_digits(buf + 14, tm.tm_min, 2);
	buf[16] = ':';
	clock_digits(buf + 17, tm.tm_sec, 2);
	buf[19] = '.';
	clock_digits(buf + 20, (int)(ms % 1000), 3);
	buf[23] = 'Z';
	buf[CLOCK_RFC3339_SIZE - 1] = '\0';
	return buf;
}

/* Reads n digits at s. Returns the value, or -1. */
static int
clock_num(const char *s, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
clock_days(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
clock_parse_rfc3339(const char *s, int64_t *ms)
{
	char date[11];
	int y, mo, d, h, mi, sec, frac = 0, digits = 0, off = 0, oh, om;
	const char *p;

	if (strlen(s) < 20 || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (!text_date_valid(date))
		return -1;
	y = clock_num(s, 4);
	mo = clock_num(s + 5, 2);
	d = clock_num(s + 8, 2);
	h = clock_num(s + 11, 2);
	mi = clock_num(s + 14, 2);
	sec = clock_num(s + 17, 2);
	/* A leap second is the last millisecond of its minute. */
	if (y < 1970 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 ||
	    sec > 60)
		return -1;
	p = s + 19;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 3)
				frac = frac * 10 + (*p - '0');
		if (digits == 0 || digits > 9)
			return -1;
		for (; digits < 3; digits++)
			frac *= 10;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		off = 0;
	else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
	    (oh = clock_num(p + 1, 2)) >= 0 && oh <= 23 &&
	    (om = clock_num(p + 4, 2)) >= 0 && om <= 59)
		off = (*p == '+' ? 1 : -1) * (oh * 60 + om);
	else
		return -1;
	if (sec == 60) {
		sec = 59;
		frac = 999;
	}
	*ms = ((clock_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	    (int64_t)off * 60) * 1000) + frac;
	return 0;
}
