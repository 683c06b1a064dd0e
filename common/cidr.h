/*
 * cidr.h: IP networks ("10.0.0.0/8", "2001:db8::/32", or one address)
 * and whether a numeric address falls in one.
 *
 * Only the forms inet_pton accepts are addresses here: this is for
 * configuration and for addresses the kernel or a proxy wrote, not for
 * hosts a user typed. An IPv4-mapped IPv6 address (::ffff:a.b.c.d)
 * matches as the IPv4 address it carries, so a dual-stack listener sees
 * the same networks as an IPv4 one.
 */
#ifndef FZ_CIDR_H
#define FZ_CIDR_H

#include <stddef.h>

struct cidr {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned char	addr[16];	/* network bytes, host bits zero */
	unsigned	bits;		/* prefix length */
};

/* Parses "address" or "address/bits" into *out. Returns 0 or FZ_EINVAL
 * (also when host bits are set: "10.0.0.1/8" is a typo, not a net). */
int	cidr_parse(const char *s, struct cidr *out);

/* Returns 1 if the numeric address addr (no brackets, no port) is in
 * one of nets[0..n-1], 0 if not or if addr is not an address. */
int	cidr_any(const struct cidr *nets, size_t n, const char *addr);

/* Returns 1 if s is a numeric IPv4 or IPv6 address as inet_pton takes
 * it. */
int	cidr_is_addr(const char *s);

#endif
