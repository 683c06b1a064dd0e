#include <stdio.h>
#include <string.h>

#include "common/cfg.h"
#include "common/cidr.h"
#include "relay/http/http.h"
#include "relay/peer.h"

/* A proxy chain longer than this is not one we were told about. */
#define PEER_HOPS_MAX	32
#define PEER_LINES_MAX	8

/*
 * Copies the element of an X-Forwarded-For line that ends at end (after
 * the one to its right was taken) into hop, trimmed, and returns where
 * the element begins. hop becomes "" if the element cannot be an
 * address.
 */
static const char *
peer_element(const char *line, const char *end, char *hop)
{
	const char *start = end, *a, *b;

	while (start > line && start[-1] != ',')
		start--;
	for (a = start; a < end && (*a == ' ' || *a == '\t'); a++)
		;
	for (b = end; b > a && (b[-1] == ' ' || b[-1] == '\t'); b--)
		;
	if ((size_t)(b - a) >= PEER_ADDR_SIZE)
		a = b;
	memcpy(hop, a, (size_t)(b - a));
	hop[b - a] = '\0';
	return start;
}

const char *
peer_client(const struct cfg *cfg, const struct http_req *req, char *buf)
{
	const struct cidr *nets = cfg->trusted_proxies;
	size_t nnets = cfg->trusted_proxies_count;
	const char *line[PEER_LINES_MAX], *v, *end;
	char hop[PEER_ADDR_SIZE];
	int pos = 0, nl = 0, hops = 0;

	snprintf(buf, PEER_ADDR_SIZE, "%s", http_req_peer(req));
	if (nnets == 0 || !cidr_any(nets, nnets, buf))
		return buf;
	/* Keep the last lines: the proxy's own is the last one. */
	while ((v = http_req_header_next(req, "X-Forwarded-For", &pos)) !=
	    NULL) {
		if (nl == PEER_LINES_MAX) {
			memmove(line, line + 1, (PEER_LINES_MAX - 1) *
			    sizeof(*line));
			nl--;
		}
		line[nl++] = v;
	}
	while (nl-- > 0) {
		end = line[nl] + strlen(line[nl]);
		for (;;) {
			/* Not an address, or too far: the hop that wrote
			 * it is the last one we can name. */
			if (++hops > PEER_HOPS_MAX)
				return buf;
			end = peer_element(line[nl], end, hop);
			if (!cidr_is_addr(hop))
				return buf;
			snprintf(buf, PEER_ADDR_SIZE, "%s", hop);
			if (!cidr_any(nets, nnets, buf))
				return buf;
			if (end == line[nl])
				break;
			end--;		/* past the comma */
		}
	}
	return buf;
}
