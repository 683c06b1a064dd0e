/*
 * console_assets.h: the workspace console's files, compiled into the
 * daemon from relay/console/ (relay/console/embed.sh writes the table).
 */
#ifndef FZ_CONSOLE_ASSETS_H
#define FZ_CONSOLE_ASSETS_H

#include <stddef.h>

struct console_asset {
	const char	*name;		/* "index.html", "console.js", ... */
	const char	*ctype;
	const char	*body;
	size_t		 len;
};

extern const struct console_asset	console_assets[];
extern const size_t			console_nassets;

#endif
