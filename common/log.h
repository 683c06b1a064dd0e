/*
 * log.h: leveled logging to stderr with syslog priority prefixes.
 *
 * Every line starts with "<N>" (3 error, 4 warning, 6 info, 7 debug) so
 * journald under systemd files it at the right priority; run by hand the
 * prefix is harmless. Lines never contain a newline from the message: CR
 * and LF are replaced so a logged value cannot forge a log line.
 * Callers must never pass a token or a password.
 */
#ifndef FZ_LOG_H
#define FZ_LOG_H

enum log_level {
	LOG_LVL_ERR = 3,
	LOG_LVL_WARN = 4,
	LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7,
};

/* Messages above lvl are dropped. Loop thread only. */
void	log_set_level(enum log_level lvl);

/* Returns 0 and sets *out for "error", "warn", "info" or "debug",
 * else -1. Any thread. */
int	log_level_parse(const char *s, enum log_level *out);

/* Writes one line at lvl. Any thread (one write(2) per line). */
void	log_msg(enum log_level lvl, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#define log_err(...)	log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
