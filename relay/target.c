#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "common/fz.h"
#include "common/hmap.h"
#include "common/log.h"
#include "relay/target.h"

#define TARGET_HOSTS		"/etc/hosts"
#define TARGET_NAME_MAX		253	/* DNS, without the root's dot */

#define TARGET_PRIVATE	"targets a private address (allow_private_targets " \
	"is off)"

/* Names the hosts file maps to an address that is not public, as of the
 * file's last change. */
static struct {
	const char	*path;		/* NULL: TARGET_HOSTS */
	struct hmap	*names;		/* a set: normalized name -> nothing */
	struct stat	 seen;		/* the file names was read from */
	int		 loaded;
} target_hosts;

static int
target_v4_public(const unsigned char *a)
{
	return !(a[0] == 0 ||					/* this net */
	    a[0] == 10 || a[0] == 127 ||
	    (a[0] == 100 && (a[1] & 0xc0) == 64) ||		/* CGNAT */
	    (a[0] == 169 && a[1] == 254) ||
	    (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	    (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2)) ||
	    (a[0] == 192 && a[1] == 88 && a[2] == 99) ||	/* 6to4 relay */
	    (a[0] == 192 && a[1] == 168) ||
	    (a[0] == 198 && (a[1] & 0xfe) == 18) ||		/* benchmarks */
	    (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
	    (a[0] == 203 && a[1] == 0 && a[2] == 113) ||
	    a[0] >= 224);		/* multicast, reserved, broadcast */
}

static int
target_v6_public(const unsigned char *a)
{
	static const unsigned char zero[12];
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const unsigned char nat64[12] = { 0x00, 0x64, 0xff, 0x9b };

	/* Compatible (with :: and ::1), mapped and NAT64 carry the IPv4
	 * address in their last 32 bits, 6to4 in bits 16 to 47. */
	if (memcmp(a, zero, 12) == 0 || memcmp(a, mapped, 12) == 0 ||
	    memcmp(a, nat64, 12) == 0)
		return target_v4_public(a + 12);
	if (a[0] == 0x20 && a[1] == 0x02)
		return target_v4_public(a + 2);
	/* Only 2000::/3 is global unicast; inside it, the IETF protocol
	 * block (Teredo, benchmarking, ORCHID) and documentation. */
	return (a[0] & 0xe0) == 0x20 &&
	    !(a[0] == 0x20 && a[1] == 0x01 && (a[2] & 0xfe) == 0x00) &&
	    !(a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) &&
	    !(a[0] == 0x3f && a[1] == 0xff && (a[2] & 0xf0) == 0x00);
}

int
target_addr_public(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return target_v4_public((const unsigned char *)
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr);
	if (sa->sa_family == AF_INET6)
		return target_v6_public(((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr.s6_addr);
	return 0;
}

/*
 * Reads s as inet_aton does: one to four parts separated by dots, each
 * decimal, octal (a leading 0) or hexadecimal (0x), the last filling the
 * bytes left, so 127.1, 2130706433 and 0x7f.0.0.1 are all 127.0.0.1.
 * Returns 0 with the address in a, or -1.
 */
static int
target_inet_aton(const char *s, unsigned char *a)
{
	uint32_t part[4], v;
	uint64_t n;
	unsigned base, d, i, nparts = 0;

	for (;;) {
		if (*s < '0' || *s > '9')
			return -1;
		base = 10;
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
			base = 16;
			s += 2;
		} else if (s[0] == '0')
			base = 8;
		/* "0x" alone is 0, as browsers read it: taken for an address,
		 * it is judged rather than let through as a name. */
		n = 0;
		for (;; s++) {
			if (*s >= '0' && *s <= '9')
				d = (unsigned)(*s - '0');
			else if (base == 16 && *s >= 'a' && *s <= 'f')
				d = (unsigned)(*s - 'a' + 10);
			else if (base == 16 && *s >= 'A' && *s <= 'F')
				d = (unsigned)(*s - 'A' + 10);
			else
				break;
			if (d >= base || (n = n * base + d) > UINT32_MAX)
				return -1;
		}
		if (nparts == 4)
			return -1;
		part[nparts++] = (uint32_t)n;
		if (*s == '\0')
			break;
		if (*s++ != '.')
			return -1;
	}
	/* Each part but the last is one byte; the last fills the rest. */
	for (i = 0; i + 1 < nparts; i++)
		if (part[i] > 0xff)
			return -1;
	v = part[nparts - 1];
	if (nparts > 1 && v >> (8 * (5 - nparts)) != 0)
		return -1;
	for (i = 0; i + 1 < nparts; i++)
		v |= part[i] << (24 - 8 * i);
	a[0] = (unsigned char)(v >> 24);
	a[1] = (unsigned char)(v >> 16);
	a[2] = (unsigned char)(v >> 8);
	a[3] = (unsigned char)v;
	return 0;
}

/*
 * Copies host (len bytes) into out (TARGET_NAME_MAX + 1 bytes) as
 * resolvers compare names: lower-cased, one trailing dot dropped.
 * Returns 0, or -1 unless it is ASCII letters, digits, '-' and '_' in
 * non-empty labels of at most TARGET_NAME_MAX bytes in all.
 */
static int
target_name_norm(const char *host, size_t len, char *out)
{
	size_t i;
	char c;

	if (len > 0 && host[len - 1] == '.')
		len--;
	if (len == 0 || len > TARGET_NAME_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		c = host[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (c == '.') {
			if (i == 0 || out[i - 1] == '.')
				return -1;
		} else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_'))
			return -1;
		out[i] = c;
	}
	out[len] = '\0';
	return 0;
}

/* Adds the names of one hosts-file line to names when its address is
 * not public. Returns 0, or -1 out of memory. */
static int
target_hosts_line(struct hmap *names, char *line)
{
	char name[TARGET_NAME_MAX + 1], *tok, *save = NULL;
	unsigned char a[16];
	int created, public;

	line[strcspn(line, "#")] = '\0';
	if ((tok = strtok_r(line, " \t\r\n", &save)) == NULL)
		return 0;
	tok[strcspn(tok, "%")] = '\0';		/* an IPv6 zone */
	if (inet_pton(AF_INET6, tok, a) == 1)
		public = target_v6_public(a);
	else if (target_inet_aton(tok, a) == 0)
		public = target_v4_public(a);
	else
		return 0;
	if (public)
		return 0;
	while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL)
		if (target_name_norm(tok, strlen(tok), name) == 0 &&
		    hmap_put(names, name, &created) == NULL)
			return -1;
	return 0;
}

static int
target_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * Returns the names the hosts file maps to addresses that are not
 * public (borrowed until the next call), reading the file again only
 * when it changed: a stat per subscription, a parse per edit. A file
 * that is missing or unreadable maps nothing, as for the resolver.
 * Returns NULL when it could not be read for want of memory.
 */
static struct hmap *
target_hosts_names(void)
{
	const char *path = target_hosts.path != NULL ? target_hosts.path :
	    TARGET_HOSTS;
	struct hmap *names = NULL;
	struct stat sb;
	FILE *f = NULL;
	char *line = NULL;
	size_t size = 0;

	if (stat(path, &sb) != 0)
		memset(&sb, 0, sizeof(sb));
	if (target_hosts.loaded && target_same_file(&sb, &target_hosts.seen))
		return target_hosts.names;
	if ((names = hmap_new(1)) == NULL)
		goto out;
	memset(&sb, 0, sizeof(sb));
	if ((f = fopen(path, "re")) != NULL && fstat(fileno(f), &sb) != 0)
		memset(&sb, 0, sizeof(sb));
	while (f != NULL && getline(&line, &size, f) >= 0)
		if (target_hosts_line(names, line) != 0) {
			hmap_free(names);
			names = NULL;
			goto out;
		}
	if (f != NULL && ferror(f))
		log_warn("%s: %s; names past it are not checked", path,
		    strerror(errno));
	hmap_free(target_hosts.names);
	target_hosts.names = names;
	target_hosts.seen = sb;
	target_hosts.loaded = 1;
out:
	free(line);
	if (f != NULL)
		fclose(f);
	return names;
}

void
target_hosts_file(const char *path)
{
	target_hosts.path = path;
	target_hosts.loaded = 0;
}

/* Returns 1 if label is a number as URL parsers read one: decimal
 * digits, or 0x and hexadecimal digits. */
static int
target_numeric(const char *label)
{
	if (label[0] == '0' && (label[1] == 'x' || label[1] == 'X'))
		return strspn(label + 2, "0123456789abcdefABCDEF") ==
		    strlen(label + 2);
	return strspn(label, "0123456789") == strlen(label);
}

/* A name under one of these (or one of them) is never public: RFC 6761
 * loopback, RFC 6762 multicast DNS, ICANN's private-use TLD (cloud
 * metadata services live there), RFC 8375 home networks. */
static int
target_private_zone(const char *name)
{
	static const char *const zones[] = {
		"localhost", "local", "internal", "home.arpa",
	};
	size_t i, n = strlen(name), z;

	for (i = 0; i < FZ_NELEM(zones); i++) {
		z = strlen(zones[i]);
		if (strcmp(name, zones[i]) == 0 || (n > z &&
		    name[n - z - 1] == '.' && strcmp(name + n - z, zones[i]) ==
		    0))
			return 1;
	}
	return 0;
}

/* Judges the host as libcurl gave it (IPv6 in brackets, its zone id
 * apart, percent-escapes decoded, IPv4 forms it knows normalized). */
static const char *
target_host_problem(const char *host, int zoned, int allow_private)
{
	char name[TARGET_NAME_MAX + 1];
	unsigned char a[16];
	const char *last;
	struct hmap *names;
	size_t n = strlen(host);

	if (host[0] == '[') {
		if (n < 3 || n - 2 > TARGET_NAME_MAX || host[n - 1] != ']')
			return "must name a host";
		memcpy(name, host + 1, n - 2);
		name[n - 2] = '\0';
		if (inet_pton(AF_INET6, name, a) != 1)
			return "must name a host";
		/* A zone id only means something for a local address. */
		return allow_private || (!zoned && target_v6_public(a)) ?
		    NULL : TARGET_PRIVATE;
	}
	if (target_name_norm(host, n, name) != 0)
		return "must name a host in ASCII (an international name in "
		    "its xn-- form) or an IP address";
	last = strrchr(name, '.');
	if (target_numeric(last != NULL ? last + 1 : name)) {
		/* Resolvers take it for an address or fail: judge it as one,
		 * or refuse what only some would take. */
		if (target_inet_aton(name, a) != 0)
			return "must name a host: it ends in a number but is "
			    "not an IPv4 address";
		return allow_private || target_v4_public(a) ? NULL :
		    TARGET_PRIVATE;
	}
	if (allow_private)
		return NULL;
	if (target_private_zone(name))
		return TARGET_PRIVATE;
	if (last == NULL)
		return "must be a fully qualified name: one without a dot is "
		    "looked up in the local search domains";
	if ((names = target_hosts_names()) == NULL)
		return "could not be checked (out of memory); try again";
	return hmap_get(names, name) != NULL ? TARGET_PRIVATE : NULL;
}

const char *
target_url_problem(const char *url, int allow_private)
{
	CURLU *u;
	char *scheme = NULL, *part = NULL, *host = NULL, *zone = NULL;
	const char *why = NULL;

	/* No flags: a scheme is required, as it is stored; delivery parses
	 * the same text with the same parser. */
	if ((u = curl_url()) == NULL)
		return "could not be checked (out of memory); try again";
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
		why = "must be an http:// or https:// URL";
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_OPTIONS, &part, 0) == CURLUE_OK) {
		why = "must be a plain URL without credentials";
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    *host == '\0') {
		why = "must name a host";
		goto out;
	}
	why = target_host_problem(host, curl_url_get(u, CURLUPART_ZONEID,
	    &zone, 0) == CURLUE_OK, allow_private);
out:
	curl_free(scheme);
	curl_free(part);
	curl_free(host);
	curl_free(zone);
	curl_url_cleanup(u);
	return why;
}
