/*
 * asset.h: the files of a web page the daemon serves from memory,
 * compiled in from the source tree by relay/embed.sh (the console's
 * from relay/console/, the client portal's from relay/portal/).
 */
#ifndef FZ_ASSET_H
#define FZ_ASSET_H

#include <stddef.h>

struct asset {
	const char	*name;		/* "index.html", "portal.js", ... */
	const char	*ctype;
	const char	*body;
	size_t		 len;
};

/* Returns the asset called name among table[0..n-1], or NULL. */
const struct asset	*asset_find(const struct asset *table, size_t n,
			    const char *name);

#endif
