/*
 * peer.h: the address a request comes from, as rate limits and evidence
 * should see it.
 *
 * That is the socket's peer, unless the peer is one of trusted_proxies:
 * then X-Forwarded-For is read from its right end, where the proxy
 * appended what it saw, leftwards past every address that is itself a
 * trusted proxy. Anything to the left of the first untrusted address was
 * written by the client and is ignored, so a client cannot pick the
 * address it is counted under. Without trusted_proxies the header is
 * never read.
 */
#ifndef FZ_PEER_H
#define FZ_PEER_H

#include <stddef.h>

#include <arpa/inet.h>

struct cfg;
struct http_req;

#define PEER_ADDR_SIZE	INET6_ADDRSTRLEN

/* Writes the client's numeric address into buf (PEER_ADDR_SIZE bytes)
 * and returns buf. Loop thread. */
const char	*peer_client(const struct cfg *cfg, const struct http_req *req,
		    char *buf);

#endif
