#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cidr.h"
#include "common/fz.h"

static const unsigned char cidr_v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* Reads a numeric address into buf; returns its family or 0. A mapped
 * IPv6 address comes back as the IPv4 one it carries. */
static int
cidr_addr(const char *s, unsigned char buf[16])
{
	unsigned char v6[16];

	if (inet_pton(AF_INET, s, buf) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, v6) != 1)
		return 0;
	if (memcmp(v6, cidr_v4mapped, sizeof(cidr_v4mapped)) == 0) {
		memcpy(buf, v6 + 12, 4);
		return AF_INET;
	}
	memcpy(buf, v6, 16);
	return AF_INET6;
}

/* Returns 1 if the first bits of a and b agree. */
static int
cidr_prefix_eq(const unsigned char *a, const unsigned char *b,
    unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (memcmp(a, b, whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[whole] & mask) == (b[whole] & mask);
}

/* Returns 1 if the bits of a from bits to max are all zero. */
static int
cidr_host_bits_zero(const unsigned char *a, unsigned bits, unsigned max)
{
	unsigned i;

	for (i = bits; i < max; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return 0;
	return 1;
}

int
cidr_parse(const char *s, struct cidr *out)
{
	char buf[64], *slash, *end;
	unsigned long bits;
	unsigned max;

	if (strlen(s) >= sizeof(buf))
		return FZ_EINVAL;
	strcpy(buf, s);
	memset(out, 0, sizeof(*out));
	if ((slash = strchr(buf, '/')) != NULL)
		*slash = '\0';
	if ((out->family = cidr_addr(buf, out->addr)) == 0)
		return FZ_EINVAL;
	max = out->family == AF_INET ? 32 : 128;
	out->bits = max;
	if (slash == NULL)
		return 0;
	if (slash[1] < '0' || slash[1] > '9' || strlen(slash + 1) > 3)
		return FZ_EINVAL;
	bits = strtoul(slash + 1, &end, 10);
	/* "::ffff:10.0.0.0/104" names 10.0.0.0/8. */
	if (out->family == AF_INET && strchr(buf, ':') != NULL) {
		if (bits < 96)
			return FZ_EINVAL;
		bits -= 96;
	}
	if (*end != '\0' || bits > max)
		return FZ_EINVAL;
	out->bits = (unsigned)bits;
	/* Host bits set: the addresses matched would not be the ones
	 * meant. */
	return cidr_host_bits_zero(out->addr, out->bits, max) ? 0 : FZ_EINVAL;
}

int
cidr_any(const struct cidr *nets, size_t n, const char *addr)
{
	unsigned char a[16];
	int family;
	size_t i;

	if ((family = cidr_addr(addr, a)) == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (nets[i].family == family &&
		    cidr_prefix_eq(nets[i].addr, a, nets[i].bits))
			return 1;
	return 0;
}

int
cidr_is_addr(const char *s)
{
	unsigned char a[16];

	return cidr_addr(s, a) != 0;
}
