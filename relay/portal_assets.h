/*
 * portal_assets.h: the client portal page's script, style and icon,
 * compiled into the daemon from relay/portal/ (relay/embed.sh writes the
 * table).
 */
#ifndef FZ_PORTAL_ASSETS_H
#define FZ_PORTAL_ASSETS_H

#include "relay/asset.h"

extern const struct asset	portal_assets[];
extern const size_t		portal_nassets;

#endif
