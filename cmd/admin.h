/*
 * admin.h: the administration commands, run against the same state
 * directory as the daemon and safe while it runs (LMDB serialises the
 * writers): workspace create|list, key create|list|revoke, journal
 * stats|tail|backup.
 * Results go to stdout, errors to stderr with a non-zero exit status.
 */
#ifndef FZ_ADMIN_H
#define FZ_ADMIN_H

/* Runs "workspace ..." (argv[0] is "workspace"). Returns the exit
 * status: 0, 1 (failed) or 2 (usage). */
int	admin_workspace(int argc, char *argv[]);

/* Runs "key ..." (argv[0] is "key"). Returns as admin_workspace. */
int	admin_key(int argc, char *argv[]);

/* Runs "journal stats|tail [N]|backup DIR" (argv[0] is "journal").
 * backup writes a compacted, consistent copy of the whole state (and
 * its secret.key) into DIR while the daemon runs. Returns as
 * admin_workspace. */
int	admin_journal(int argc, char *argv[]);

#endif
