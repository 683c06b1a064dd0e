/*
 * accept.h: content negotiation for routes that answer a person with a
 * web page and a program with JSON (the client portal).
 *
 * Each of application/json and text/html takes the quality of the most
 * specific range in Accept that matches it: the exact type first, then
 * a wildcard subtype of its family, then the full wildcard (RFC 9110,
 * 12.5.1). JSON wins when its quality is higher, or equal and above zero
 * but matched more specifically than HTML's (a program that names
 * application/json beside the full wildcard is asking for JSON); every
 * other case, no Accept header included, is the page. Browsers name
 * text/html first and give everything else a lower quality.
 */
#ifndef FZ_ACCEPT_H
#define FZ_ACCEPT_H

/* Returns 1 if accept (an Accept header, or NULL) prefers
 * application/json over text/html by the rule above, else 0. Any
 * thread. */
int	accept_wants_json(const char *accept);

#endif
