/*
 * fz.h: status codes and limits shared by every fzrelay module.
 *
 * Functions return 0 on success or one of the negative FZ_E* codes below;
 * results travel through out-parameters. The HTTP edge maps a status to an
 * API error (relay/reply.h); nothing below it knows about HTTP.
 */
#ifndef FZ_H
#define FZ_H

#include <stddef.h>

#define FZ_OK		0
#define FZ_ENOMEM	(-1)	/* allocation failed */
#define FZ_EINVAL	(-2)	/* caller passed a malformed value */
#define FZ_ENOTFOUND	(-3)	/* no such record */
#define FZ_EEXIST	(-4)	/* record already exists */
#define FZ_ESTORE	(-5)	/* LMDB or file-system failure */
#define FZ_ETOOBIG	(-6)	/* value over its size limit */
#define FZ_ESYS		(-7)	/* system call failed; errno is set */
#define FZ_ECRYPTO	(-8)	/* OpenSSL failed (randomness, digest) */
#define FZ_ENOTSUP	(-9)	/* the backend does not offer this operation */
#define FZ_ECONFLICT	(-10)	/* state does not allow the change */
#define FZ_EUPSTREAM	(-11)	/* the upstream store answered an error */
#define FZ_EUNAVAIL	(-12)	/* the upstream store cannot be reached */
#define FZ_ETIMEOUT	(-13)	/* the upstream store did not answer in time */
#define FZ_EBADGW	(-14)	/* the upstream store answered nonsense */
#define FZ_EDENIED	(-15)	/* the caller may not do this to the record */
#define FZ_ELIMIT	(-16)	/* over a rate the record allows; try later */

/* Longest human-readable name (workspace, key) in bytes of UTF-8. */
#define FZ_NAME_MAX	100
/* Buffer size for any record id: prefix, '_', up to 24 base62, NUL. */
#define FZ_ID_SIZE	40
/* Random base62 characters in a generated record id. */
#define FZ_ID_RANDOM	20

#define FZ_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Returns a static, human-readable name for an FZ_E* code. Any thread. */
const char	*fz_strerror(int err);

#endif
