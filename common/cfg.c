#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfg.h"
#include "common/fz.h"

enum cfg_type {
	CFG_T_STR,		/* any non-empty printable string */
	CFG_T_SECRET,		/* like STR; never echoed in messages */
	CFG_T_URL,		/* http:// or https:// URL */
	CFG_T_LISTEN,		/* host:port */
	CFG_T_U32,
	CFG_T_BOOL,
	CFG_T_LEVEL,
	CFG_T_STORE,
	CFG_T_SCHEDULE,
	CFG_T_NETS,		/* comma-separated addresses or networks */
};

struct cfg_key {
	const char	*name;
	enum cfg_type	 type;
	size_t		 off;
	uint32_t	 lo, hi;
	const char	*def;		/* NULL: unset */
};

/* retry_schedule has no single field: its entry's offset is unused. */
#define retry_schedule	retry_count
#define trusted_proxies	trusted_proxies_count
#define K(n, t, lo, hi, d) { #n, t, offsetof(struct cfg, n), lo, hi, d }
static const struct cfg_key cfg_keys[] = {
	K(listen, CFG_T_LISTEN, 0, 0, "127.0.0.1:8080"),
	K(state_dir, CFG_T_STR, 0, 0, "./fzrelay-data"),
	K(store, CFG_T_STORE, 0, 0, "embedded"),
	K(upstream_url, CFG_T_URL, 0, 0, NULL),
	K(upstream_token, CFG_T_SECRET, 0, 0, NULL),
	K(upstream_timeout_ms, CFG_T_U32, 100, 120000, "10000"),
	K(ingest_secret, CFG_T_SECRET, 0, 0, NULL),
	K(report_url, CFG_T_URL, 0, 0, NULL),
	K(report_secret, CFG_T_SECRET, 0, 0, NULL),
	K(max_body_bytes, CFG_T_U32, 1024, 64u << 20, "1048576"),
	K(max_body_memory_bytes, CFG_T_U32, 0, UINT32_MAX, "0"),
	K(rate_limit_per_minute, CFG_T_U32, 1, 1000000, "600"),
	K(auth_fail_limit_per_minute, CFG_T_U32, 1, 100000, "30"),
	K(trusted_proxies, CFG_T_NETS, 0, 0, ""),
	K(allow_private_targets, CFG_T_BOOL, 0, 0, "false"),
	K(public_url, CFG_T_URL, 0, 0, NULL),
	K(retry_schedule, CFG_T_SCHEDULE, 0, 0, "0,5s,5m,30m,2h,5h,10h,10h"),
	K(delivery_timeout_ms, CFG_T_U32, 100, 120000, "15000"),
	K(journal_retention_days, CFG_T_U32, 0, 36500, "0"),
	K(log_level, CFG_T_LEVEL, 0, 0, "info"),
	K(credentials_key_file, CFG_T_STR, 0, 0, NULL),
	K(header_timeout_ms, CFG_T_U32, 100, 600000, "10000"),
	K(request_timeout_ms, CFG_T_U32, 100, 3600000, "30000"),
	K(idle_timeout_ms, CFG_T_U32, 100, 3600000, "60000"),
	K(max_connections, CFG_T_U32, 1, 1000000, "4096"),
	K(max_connections_per_address, CFG_T_U32, 0, 1000000, "256"),
	K(shutdown_timeout_ms, CFG_T_U32, 0, 600000, "10000"),
};
#undef K
#undef retry_schedule
#undef trusted_proxies

struct cfg_parser {
	char		 where[512];	/* "file:line", "FZRELAY_X", "--x" */
	char		*errs;
	size_t		 errlen;
	int		 count;
	int		 nomem;
};

static int	cfg_error(struct cfg_parser *p, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

static int
cfg_error(struct cfg_parser *p, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;
	char *e;

	n = snprintf(msg, sizeof(msg), "%s: ", p->where);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	p->count++;
	n = (int)strlen(msg);
	if ((e = realloc(p->errs, p->errlen + (size_t)n + 2)) == NULL) {
		p->nomem = 1;
		return -1;
	}
	p->errs = e;
	if (p->errlen > 0)
		p->errs[p->errlen++] = '\n';
	memcpy(p->errs + p->errlen, msg, (size_t)n + 1);
	p->errlen += (size_t)n;
	return -1;
}

/* Keys match with '-' and '_' alike so flags can be written either way. */
static const struct cfg_key *
cfg_find(const char *name, size_t len)
{
	size_t i, j;

	for (i = 0; i < FZ_NELEM(cfg_keys); i++) {
		const char *k = cfg_keys[i].name;

		if (strlen(k) != len)
			continue;
		for (j = 0; j < len; j++) {
			char c = name[j] == '-' ? '_' : name[j];

			if (c != k[j])
				break;
		}
		if (j == len)
			return &cfg_keys[i];
	}
	return NULL;
}

static int
cfg_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int
cfg_u32(struct cfg_parser *p, const struct cfg_key *k, const char *s,
    uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end != '\0' || errno != 0 ||
	    v < k->lo || v > k->hi)
		return cfg_error(p, "%s: want a whole number %u..%u, got \"%s\"",
		    k->name, k->lo, k->hi, s);
	*out = (uint32_t)v;
	return 0;
}

static int
cfg_bool(struct cfg_parser *p, const struct cfg_key *k, const char *s,
    int *out)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 ||
	    strcmp(s, "1") == 0 || strcmp(s, "on") == 0)
		*out = 1;
	else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 ||
	    strcmp(s, "0") == 0 || strcmp(s, "off") == 0)
		*out = 0;
	else
		return cfg_error(p, "%s: want true or false, got \"%s\"",
		    k->name, s);
	return 0;
}

int
cfg_listen_split(const char *s, char *host, size_t hostsz, uint16_t *port)
{
	const char *colon, *h = s;
	size_t hlen;
	char *end;
	unsigned long v;

	if ((colon = strrchr(s, ':')) == NULL)
		return FZ_EINVAL;
	hlen = (size_t)(colon - s);
	if (s[0] == '[') {
		if (hlen < 3 || s[hlen - 1] != ']')
			return FZ_EINVAL;
		h = s + 1;
		hlen -= 2;
	} else if (memchr(s, ':', hlen) != NULL)
		return FZ_EINVAL;	/* bare IPv6 needs brackets */
	if (hlen == 0 || hlen >= hostsz)
		return FZ_EINVAL;
	errno = 0;
	v = strtoul(colon + 1, &end, 10);
	if (!isdigit((unsigned char)colon[1]) || *end != '\0' || errno != 0 ||
	    v > 65535)
		return FZ_EINVAL;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (strspn(host, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") != hlen)
		return FZ_EINVAL;
	*port = (uint16_t)v;
	return 0;
}

static int
cfg_url_ok(const char *s)
{
	const char *host;

	if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else
		return 0;
	if (*host == '\0' || *host == '/' || strlen(s) > 2048)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* "0", "250ms", "5s", "5m", "2h", "1d"; a bare number other than 0 is
 * refused because its unit would be a guess. */
static int
cfg_duration(const char *s, uint64_t *ms)
{
	char *end;
	unsigned long long v, mul;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end == '\0')
		mul = v == 0 ? 1 : 0;
	else if (strcmp(end, "ms") == 0)
		mul = 1;
	else if (strcmp(end, "s") == 0)
		mul = 1000;
	else if (strcmp(end, "m") == 0)
		mul = 60 * 1000;
	else if (strcmp(end, "h") == 0)
		mul = 3600 * 1000;
	else if (strcmp(end, "d") == 0)
		mul = 86400 * 1000;
	else
		mul = 0;
	if (mul == 0 || v > 7ULL * 86400 * 1000 / mul)
		return -1;
	*ms = v * mul;
	return 0;
}

static int
cfg_schedule(struct cfg_parser *p, struct cfg *c, const char *s)
{
	char buf[512], *tok, *save = NULL;
	size_t n = 0;

	if (strlen(s) >= sizeof(buf))
		return cfg_error(p, "retry_schedule: too long");
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		tok[strcspn(tok, " ")] = '\0';
		if (n == CFG_RETRY_MAX)
			return cfg_error(p, "retry_schedule: at most %d delays",
			    CFG_RETRY_MAX);
		if (cfg_duration(tok, &c->retry_schedule_ms[n]) != 0)
			return cfg_error(p, "retry_schedule: \"%s\" is not a "
			    "delay such as 0, 500ms, 5s, 5m, 2h or 1d (at most "
			    "7d)", tok);
		n++;
	}
	if (n == 0)
		return cfg_error(p, "retry_schedule: want at least one delay");
	c->retry_count = n;
	return 0;
}

static int
cfg_nets(struct cfg_parser *p, struct cfg *c, const char *s)
{
	char buf[2048], *tok, *save = NULL;
	size_t n = 0;

	if (strlen(s) >= sizeof(buf))
		return cfg_error(p, "trusted_proxies: too long");
	strcpy(buf, s);
	for (tok = strtok_r(buf, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		if (n == CFG_PROXIES_MAX)
			return cfg_error(p, "trusted_proxies: at most %d "
			    "addresses or networks", CFG_PROXIES_MAX);
		if (cidr_parse(tok, &c->trusted_proxies[n]) != 0)
			return cfg_error(p, "trusted_proxies: \"%s\" is not an "
			    "address or network such as 10.0.0.1, "
			    "10.0.0.0/8 or fd00::/8", tok);
		n++;
	}
	c->trusted_proxies_count = n;
	return 0;
}

static int
cfg_strdup(struct cfg_parser *p, char **field, const char *s)
{
	char *d;

	if ((d = strdup(s)) == NULL) {
		p->nomem = 1;
		return -1;
	}
	free(*field);
	*field = d;
	return 0;
}

static int
cfg_set(struct cfg_parser *p, struct cfg *c, const struct cfg_key *k,
    const char *v)
{
	void *field = (char *)c + k->off;
	char host[256];
	uint16_t port;
	enum log_level lvl;

	switch (k->type) {
	case CFG_T_STR:
	case CFG_T_SECRET:
		if (*v == '\0' || !cfg_printable(v) || strlen(v) > 4096)
			return cfg_error(p, "%s: want a non-empty printable "
			    "value", k->name);
		return cfg_strdup(p, field, v);
	case CFG_T_URL:
		if (!cfg_url_ok(v))
			return cfg_error(p, "%s: want an http:// or https:// "
			    "URL, got \"%s\"", k->name, v);
		return cfg_strdup(p, field, v);
	case CFG_T_LISTEN:
		if (cfg_listen_split(v, host, sizeof(host), &port) != 0)
			return cfg_error(p, "%s: want host:port (e.g. "
			    "127.0.0.1:8080, [::1]:8080, port 0 for any free "
			    "port), got \"%s\"", k->name, v);
		return cfg_strdup(p, field, v);
	case CFG_T_U32:
		return cfg_u32(p, k, v, field);
	case CFG_T_BOOL:
		return cfg_bool(p, k, v, field);
	case CFG_T_LEVEL:
		if (log_level_parse(v, &lvl) != 0)
			return cfg_error(p, "%s: want error, warn, info or "
			    "debug, got \"%s\"", k->name, v);
		c->log_level = lvl;
		return 0;
	case CFG_T_STORE:
		if (strcmp(v, "embedded") == 0)
			c->store = CFG_STORE_EMBEDDED;
		else if (strcmp(v, "http") == 0)
			c->store = CFG_STORE_HTTP;
		else
			return cfg_error(p, "%s: want embedded or http, got "
			    "\"%s\"", k->name, v);
		return 0;
	case CFG_T_SCHEDULE:
		return cfg_schedule(p, c, v);
	case CFG_T_NETS:
		return cfg_nets(p, c, v);
	}
	return -1;
}

static char *
cfg_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	/* A value may be quoted to keep leading or trailing blanks. */
	if (e - s >= 2 && ((s[0] == '"' && e[-1] == '"') ||
	    (s[0] == '\'' && e[-1] == '\''))) {
		e[-1] = '\0';
		s++;
	}
	return s;
}

static void
cfg_read_file(struct cfg_parser *p, struct cfg *c, const char *path)
{
	char line[4096 + 2], *key, *val, *eq;
	unsigned char seen[FZ_NELEM(cfg_keys)] = { 0 };
	const struct cfg_key *k;
	unsigned lineno = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(p->where, sizeof(p->where), "%s", path);
		cfg_error(p, "cannot open: %s", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		snprintf(p->where, sizeof(p->where), "%s:%u", path, lineno);
		if (strchr(line, '\n') == NULL && !feof(f)) {
			cfg_error(p, "line longer than 4096 bytes");
			while (fgets(line, sizeof(line), f) != NULL &&
			    strchr(line, '\n') == NULL)
				;
			continue;
		}
		key = cfg_trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			cfg_error(p, "want \"key = value\"");
			continue;
		}
		*eq = '\0';
		val = cfg_trim(eq + 1);
		key = cfg_trim(key);
		if ((k = cfg_find(key, strlen(key))) == NULL) {
			cfg_error(p, "unknown key \"%s\"", key);
			continue;
		}
		if (seen[k - cfg_keys]++) {
			cfg_error(p, "%s is set twice", k->name);
			continue;
		}
		cfg_set(p, c, k, val);
	}
	if (ferror(f)) {
		snprintf(p->where, sizeof(p->where), "%s", path);
		cfg_error(p, "read error: %s", strerror(errno));
	}
	fclose(f);
}

static void
cfg_read_env(struct cfg_parser *p, struct cfg *c)
{
	char name[64];
	const char *v;
	size_t i, j;

	for (i = 0; i < FZ_NELEM(cfg_keys); i++) {
		j = (size_t)snprintf(name, sizeof(name), "FZRELAY_");
		for (const char *s = cfg_keys[i].name; *s != '\0'; s++)
			name[j++] = (char)toupper((unsigned char)*s);
		name[j] = '\0';
		if ((v = getenv(name)) == NULL)
			continue;
		snprintf(p->where, sizeof(p->where), "%s", name);
		cfg_set(p, c, &cfg_keys[i], v);
	}
}

static void
cfg_read_flags(struct cfg_parser *p, struct cfg *c, int argc,
    char *const argv[])
{
	const struct cfg_key *k;
	const char *name, *eq, *val;
	size_t nlen;
	int i;

	for (i = 0; i < argc; i++) {
		snprintf(p->where, sizeof(p->where), "%s", argv[i]);
		if (strncmp(argv[i], "--", 2) != 0) {
			cfg_error(p, "unexpected argument");
			continue;
		}
		name = argv[i] + 2;
		eq = strchr(name, '=');
		nlen = eq != NULL ? (size_t)(eq - name) : strlen(name);
		snprintf(p->where, sizeof(p->where), "--%.*s", (int)nlen, name);
		if ((k = cfg_find(name, nlen)) == NULL) {
			cfg_error(p, "unknown option");
			continue;
		}
		if (eq != NULL)
			val = eq + 1;
		else if (k->type == CFG_T_BOOL &&
		    (i + 1 == argc || strncmp(argv[i + 1], "--", 2) == 0))
			val = "true";
		else if (i + 1 < argc)
			val = argv[++i];
		else {
			cfg_error(p, "needs a value");
			continue;
		}
		cfg_set(p, c, k, val);
	}
}

static void
cfg_validate(struct cfg_parser *p, struct cfg *c)
{
	snprintf(p->where, sizeof(p->where), "configuration");
	if (c->store == CFG_STORE_HTTP && c->upstream_url == NULL)
		cfg_error(p, "store = http needs upstream_url");
	if (c->store == CFG_STORE_HTTP && c->upstream_token == NULL)
		cfg_error(p, "store = http needs upstream_token");
	if (c->ingest_secret != NULL && strlen(c->ingest_secret) < 16)
		cfg_error(p, "ingest_secret: want at least 16 characters");
	if ((c->report_url == NULL) != (c->report_secret == NULL))
		cfg_error(p, "report_url and report_secret go together");
	if (c->report_secret != NULL && strlen(c->report_secret) < 16)
		cfg_error(p, "report_secret: want at least 16 characters");
	if (c->report_url != NULL && c->store == CFG_STORE_HTTP)
		cfg_error(p, "report_url: only a store = embedded daemon reports "
		    "its events upstream's way");
	if (c->max_body_memory_bytes != 0 &&
	    c->max_body_memory_bytes < c->max_body_bytes)
		cfg_error(p, "max_body_memory_bytes (%u) is below "
		    "max_body_bytes (%u): no body that size could be read",
		    c->max_body_memory_bytes, c->max_body_bytes);
	if (c->header_timeout_ms > c->request_timeout_ms)
		cfg_error(p, "header_timeout_ms (%u) exceeds "
		    "request_timeout_ms (%u)", c->header_timeout_ms,
		    c->request_timeout_ms);
}

int
cfg_load(const char *path, int argc, char *const argv[], struct cfg **out,
    char **errors)
{
	struct cfg_parser p;
	struct cfg *c;
	size_t i;

	*out = NULL;
	*errors = NULL;
	memset(&p, 0, sizeof(p));
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return FZ_ENOMEM;
	snprintf(p.where, sizeof(p.where), "default");
	for (i = 0; i < FZ_NELEM(cfg_keys); i++)
		if (cfg_keys[i].def != NULL)
			cfg_set(&p, c, &cfg_keys[i], cfg_keys[i].def);
	if (path != NULL)
		cfg_read_file(&p, c, path);
	cfg_read_env(&p, c);
	cfg_read_flags(&p, c, argc, argv);
	if (p.count == 0)
		cfg_validate(&p, c);
	if (p.nomem) {
		free(p.errs);
		cfg_free(c);
		return FZ_ENOMEM;
	}
	if (p.count > 0) {
		*errors = p.errs;
		cfg_free(c);
		return FZ_EINVAL;
	}
	*out = c;
	return 0;
}

void
cfg_free(struct cfg *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < FZ_NELEM(cfg_keys); i++) {
		switch (cfg_keys[i].type) {
		case CFG_T_STR:
		case CFG_T_SECRET:
		case CFG_T_URL:
		case CFG_T_LISTEN:
			free(*(char **)(void *)((char *)c + cfg_keys[i].off));
			break;
		default:
			break;
		}
	}
	free(c);
}
