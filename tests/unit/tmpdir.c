#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

#include "tests/unit/tmpdir.h"

int
tmpdir_remove(const char *dir)
{
	char path[512];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	return rmdir(dir);
}
