/*
 * cfg.h: the daemon's configuration.
 *
 * Sources, later ones winning: built-in defaults, the "key = value" file,
 * environment variables (listen -> FZRELAY_LISTEN), then command-line
 * flags (--listen VALUE, --listen=VALUE; '_' and '-' are interchangeable
 * in flag names). Every key is parsed and validated, including keys whose
 * feature is not in use, and every mistake is reported, each naming where
 * it stands ("fzrelay.conf:12: ...", "FZRELAY_LISTEN: ...", "--listen: ...").
 */
#ifndef FZ_CFG_H
#define FZ_CFG_H

#include <stddef.h>
#include <stdint.h>

#include "common/cidr.h"
#include "common/log.h"

#define CFG_RETRY_MAX	20
#define CFG_PROXIES_MAX	32

enum cfg_store {
	CFG_STORE_EMBEDDED,
	CFG_STORE_HTTP,
};

struct cfg {
	char		*listen;		/* "host:port", port 0 = any */
	char		*state_dir;
	enum cfg_store	 store;
	char		*upstream_url;		/* NULL unless set */
	char		*upstream_token;	/* NULL unless set; secret */
	uint32_t	 upstream_timeout_ms;
	char		*ingest_secret;		/* NULL unless set; secret */
	char		*report_url;		/* NULL unless set */
	char		*report_secret;		/* NULL unless set; secret */
	uint32_t	 max_body_bytes;
	uint32_t	 max_body_memory_bytes;	/* 0: sized for the machine */
	uint32_t	 rate_limit_per_minute;
	uint32_t	 auth_fail_limit_per_minute;
	/* Peers whose X-Forwarded-For names the client (relay/peer.h). */
	struct cidr	 trusted_proxies[CFG_PROXIES_MAX];
	size_t		 trusted_proxies_count;
	int		 allow_private_targets;
	char		*public_url;
	uint64_t	 retry_schedule_ms[CFG_RETRY_MAX];
	size_t		 retry_count;
	uint32_t	 delivery_timeout_ms;
	uint32_t	 journal_retention_days;	/* 0 keeps events forever */
	enum log_level	 log_level;
	char		*credentials_key_file;	/* NULL: state_dir/secret.key */
	uint32_t	 header_timeout_ms;
	uint32_t	 request_timeout_ms;
	uint32_t	 idle_timeout_ms;
	uint32_t	 max_connections;
	uint32_t	 max_connections_per_address;	/* 0: no cap */
	uint32_t	 shutdown_timeout_ms;
};

/*
 * Builds a configuration from defaults, the file at path (NULL: none),
 * the environment and flags (argv[0..argc-1], config flags only).
 * Returns 0 and sets *out (caller frees with cfg_free), or FZ_EINVAL and
 * sets *errors to the newline-separated messages (caller frees with
 * free()), or FZ_ENOMEM. Loop thread only (reads the environment).
 */
int	cfg_load(const char *path, int argc, char *const argv[],
	    struct cfg **out, char **errors);

/* Frees c; NULL is fine. */
void	cfg_free(struct cfg *c);

/*
 * Splits "host:port" or "[v6]:port" into host (hostsz bytes, brackets
 * removed) and *port. Returns 0 or FZ_EINVAL. Any thread.
 */
int	cfg_listen_split(const char *s, char *host, size_t hostsz,
	    uint16_t *port);

#endif
