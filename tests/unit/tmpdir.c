#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
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

int
tmpdir_state_open(char *dir, const char *name, const struct state_opts *opts,
    struct state **st)
{
	static const struct state_opts defaults = { 0, 0, 0 };

	*st = NULL;
	if ((size_t)snprintf(dir, TMPDIR_SIZE, "/tmp/fzrelay-test-%s.XXXXXX",
	    name) >= TMPDIR_SIZE || mkdtemp(dir) == NULL)
		return -1;
	if (state_open_opts(dir, opts != NULL ? opts : &defaults, st) != 0) {
		tmpdir_remove(dir);
		return -1;
	}
	return 0;
}

void
tmpdir_state_close(const char *dir, struct state *st)
{
	state_close(st);
	tmpdir_remove(dir);
}
