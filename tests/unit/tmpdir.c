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

void *
tmpdir_fixture_new(size_t size, const char *name,
    const struct state_opts *opts)
{
	static const struct state_opts defaults = { 0, 0, 0 };
	struct tmpdir_fixture *t;

	if (size < sizeof(*t) || (t = calloc(1, size)) == NULL)
		return NULL;
	if ((size_t)snprintf(t->dir, sizeof(t->dir),
	    "/tmp/fzrelay-test-%s.XXXXXX", name) >= sizeof(t->dir) ||
	    mkdtemp(t->dir) == NULL) {
		free(t);
		return NULL;
	}
	if (state_open_opts(t->dir, opts != NULL ? opts : &defaults,
	    &t->st) != 0) {
		tmpdir_remove(t->dir);
		free(t);
		return NULL;
	}
	return t;
}

int
tmpdir_fixture_free(void **state)
{
	struct tmpdir_fixture *t = *state;

	if (t != NULL) {
		state_close(t->st);
		tmpdir_remove(t->dir);
		free(t);
	}
	*state = NULL;
	return 0;
}
