/*
 * fzrelay: the API and Zapier edge of Finalizo.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/admin.h"
#include "cmd/serve.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: fzrelay serve [-c FILE] [--demo] [--KEY VALUE ...]\n"
	    "       fzrelay workspace create|set-plan|list ...\n"
	    "       fzrelay key create|list|revoke ...\n"
	    "       fzrelay journal stats|tail [N]|backup DIR\n"
	    "       fzrelay --version\n");
}

int
main(int argc, char *argv[])
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "serve") == 0)
		return serve_main(argc - 2, argv + 2);
	if (strcmp(argv[1], "workspace") == 0)
		return admin_workspace(argc - 1, argv + 1);
	if (strcmp(argv[1], "key") == 0)
		return admin_key(argc - 1, argv + 1);
	if (strcmp(argv[1], "journal") == 0)
		return admin_journal(argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("fzrelay %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
