#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "common/fz.h"
#include "common/log.h"
#include "common/secure.h"
#include "state/secret.h"

static int
secret_create(const char *path, unsigned char *out)
{
	ssize_t n;
	int fd, err = 0;

	if (RAND_bytes(out, SECRET_SIZE) != 1)
		return FZ_ECRYPTO;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) < 0)
		return FZ_ESYS;
	n = write(fd, out, SECRET_SIZE);
	if (n != SECRET_SIZE || fsync(fd) != 0)
		err = FZ_ESYS;
	if (close(fd) != 0 && err == 0)
		err = FZ_ESYS;
	if (err != 0)
		unlink(path);
	else
		log_info("created secret %s", path);
	return err;
}

int
secret_load(const char *path, unsigned char *out)
{
	unsigned char buf[SECRET_SIZE + 1];
	struct stat sb;
	ssize_t n;
	int fd, err;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno != ENOENT)
			return FZ_ESYS;
		err = secret_create(path, out);
		/* Another process may have won the race to create it. */
		if (err != FZ_ESYS || errno != EEXIST)
			return err;
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return FZ_ESYS;
	}
	err = FZ_EINVAL;
	if (fstat(fd, &sb) != 0) {
		err = FZ_ESYS;
		goto out;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		log_err("%s: readable by others; chmod 600 it", path);
		goto out;
	}
	n = read(fd, buf, sizeof(buf));
	if (n != SECRET_SIZE) {
		log_err("%s: want exactly %d bytes", path, SECRET_SIZE);
		goto out;
	}
	memcpy(out, buf, SECRET_SIZE);
	err = 0;
out:
	memset(buf, 0, sizeof(buf));
	close(fd);
	return err;
}

int
secret_derive(const unsigned char *secret, const char *purpose,
    unsigned char *out)
{
	struct secure_part part = { purpose, strlen(purpose) };

	return secure_hmac_sha256(secret, SECRET_SIZE, &part, 1, out);
}
