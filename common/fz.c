#include "common/fz.h"

const char *
fz_strerror(int err)
{
	switch (err) {
	case FZ_OK:		return "ok";
	case FZ_ENOMEM:		return "out of memory";
	case FZ_EINVAL:		return "invalid value";
	case FZ_ENOTFOUND:	return "not found";
	case FZ_EEXIST:		return "already exists";
	case FZ_ESTORE:		return "storage failure";
	case FZ_ETOOBIG:	return "value too large";
	case FZ_ESYS:		return "system call failed";
	case FZ_ECRYPTO:	return "cryptography failure";
	case FZ_ENOTSUP:	return "not supported";
	case FZ_ECONFLICT:	return "conflicting state";
	case FZ_EUPSTREAM:	return "upstream error";
	case FZ_EUNAVAIL:	return "upstream unavailable";
	case FZ_ETIMEOUT:	return "upstream timeout";
	case FZ_EBADGW:		return "bad upstream answer";
	case FZ_EDENIED:	return "not allowed";
	case FZ_ELIMIT:		return "rate limited";
	}
	return "unknown error";
}
