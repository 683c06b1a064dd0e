/*
 * console_assets.h: the workspace console's files, compiled into the
 * daemon from relay/console/ (relay/embed.sh writes the table).
 */
#ifndef FZ_CONSOLE_ASSETS_H
#define FZ_CONSOLE_ASSETS_H

#include "relay/asset.h"

extern const struct asset	console_assets[];
extern const size_t		console_nassets;

#endif
