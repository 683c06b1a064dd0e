/*
 * target.h: where a webhook may send, the SSRF guard's one judgement.
 *
 * The guard has two halves that share this classification, so they
 * cannot disagree: a subscription's URL is checked when it is made
 * (actions/hooks.c), and every address a delivery is about to connect
 * to is checked again (triggers/deliver.c), which is what stops a name
 * whose DNS answer is private. Public means global unicast: not
 * loopback, private, shared (CGNAT), link-local, benchmarking,
 * documentation, multicast, reserved, unspecified, IPv6 unique-local or
 * site-local, nor any other IANA special-purpose block; an IPv4 address
 * carried in IPv6 (mapped, compatible, NAT64 64:ff9b::/96, 6to4) is
 * judged as that IPv4 address.
 */
#ifndef FZ_TARGET_H
#define FZ_TARGET_H

struct sockaddr;

/* What an attempt the guard stopped records, the same whether the name
 * did not resolve or resolved to a refused address: the record must not
 * tell anyone what an internal name resolves to. */
#define TARGET_NOT_ALLOWED	"target not allowed"

/* Returns 1 if sa (AF_INET or AF_INET6) is a public address, else 0
 * (every other family too). Any thread. */
int	target_addr_public(const struct sockaddr *sa);

/*
 * Checks url as a webhook target. It is parsed by libcurl, as the
 * delivery will parse it, so both see the same host; that host is then
 * read the way resolvers read one: every IPv4 form inet_aton takes
 * (127.1, 2130706433, 0x7f000001, 0177.0.0.1, a trailing dot), bracketed
 * IPv6 (a zone id is refused), and names. A name is refused when it is
 * localhost or under .localhost, .local, .internal or .home.arpa, or
 * when the hosts file maps it to an address that is not public; a host
 * whose last label is a number must be an IPv4 address. Nothing is
 * resolved: no network I/O. allow_private skips the address and name
 * checks, not those of the URL's form.
 * Returns NULL when url may be stored, else why not (static text, for a
 * validation detail). Loop thread only: the hosts file is read again
 * when it has changed.
 */
const char	*target_url_problem(const char *url, int allow_private);

/* Reads names from path (borrowed for as long as it is in use) instead
 * of /etc/hosts; for tests. Loop thread only. */
void	target_hosts_file(const char *path);

#endif
