/*
 * tmpdir.h: temporary directories for the unit tests that open a state.
 */
#ifndef FZ_TESTS_TMPDIR_H
#define FZ_TESTS_TMPDIR_H

/* Removes the files directly in dir, then dir. Returns 0 or -1. */
int	tmpdir_remove(const char *dir);

#endif
