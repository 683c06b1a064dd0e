#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

static enum log_level log_max = LOG_LVL_INFO;

void
log_set_level(enum log_level lvl)
{
	log_max = lvl;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	static const struct {
		const char	*name;
		enum log_level	 lvl;
	} names[] = {
		{ "error", LOG_LVL_ERR },
		{ "warn", LOG_LVL_WARN },
		{ "info", LOG_LVL_INFO },
		{ "debug", LOG_LVL_DEBUG },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i].name) == 0) {
			*out = names[i].lvl;
			return 0;
		}
	}
	return -1;
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n, i;

	if (lvl > log_max)
		return;
	n = snprintf(line, sizeof(line), "<%d>", (int)lvl);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	for (i = n; line[i] != '\0'; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[i++] = '\n';
	/* One write keeps concurrent lines (CLI and daemon) unmixed. */
	if (write(STDERR_FILENO, line, (size_t)i) < 0)
		return;
}
