/*
 * demo.h: the demo workspace "fzrelay serve --demo" sets up, so a new
 * user can call the API at once.
 */
#ifndef FZ_DEMO_H
#define FZ_DEMO_H

#include "common/secure.h"

struct state;

/*
 * Makes sure the demo workspace (agency plan) exists, revokes the demo
 * keys of any earlier run and creates a new write-scoped one for the API
 * and an admin one for the workspace console, writing their tokens into
 * token and admin_token (SECURE_TOKEN_SIZE bytes each). A token is shown
 * once: only its hash is kept, hence fresh keys per run. Returns 0 or
 * FZ_E*.
 */
int	demo_setup(struct state *st, char *token, char *admin_token);

#endif
