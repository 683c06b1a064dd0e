/*
 * secret.h: the daemon's master secret, 32 random bytes in a file of
 * mode 0600 (state_dir/secret.key unless credentials_key_file names
 * another). It is created on first start and never logged. Purpose keys
 * (credential encryption, cursor MACs) are derived from it, so one file
 * is all an operator backs up besides the LMDB environment.
 */
#ifndef FZ_SECRET_H
#define FZ_SECRET_H

#define SECRET_SIZE	32

/*
 * Reads the secret at path, creating it (O_EXCL, mode 0600) from
 * RAND_bytes if it does not exist. Refuses a file of the wrong size or
 * one readable by group or others. Returns 0, FZ_ESYS (errno set),
 * FZ_EINVAL (bad file; logged) or FZ_ECRYPTO.
 */
int	secret_load(const char *path, unsigned char *out);

/* Derives the key for purpose ("credentials", "cursor") into out
 * (SECRET_SIZE bytes). Returns 0 or FZ_ECRYPTO. */
int	secret_derive(const unsigned char *secret, const char *purpose,
	    unsigned char *out);

#endif
