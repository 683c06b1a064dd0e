#include <string.h>

#include "relay/asset.h"

const struct asset *
asset_find(const struct asset *table, size_t n, const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}
