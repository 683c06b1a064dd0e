/*
 * prefetch.h: telling a program that fetches links ahead of a person
 * (mail link scanners, chat unfurlers, crawlers) from the person's
 * browser, by its User-Agent. The client portal counts no view from one,
 * whatever it requests. The list is in prefetch.c, and in the README.
 */
#ifndef FZ_PREFETCH_H
#define FZ_PREFETCH_H

/* Returns 1 if ua (a User-Agent header, or NULL) names a known
 * prefetcher or a bot of any kind, else 0. Any thread. */
int	prefetch_agent(const char *ua);

#endif
