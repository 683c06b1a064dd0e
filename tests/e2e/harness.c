/*
 * harness.c: runs the real fzrelay for the end-to-end tests.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "tests/e2e/harness.h"

#define FZH_MAX_ARGS	64
#define FZH_STEP_MS	10

static const char fzh_rfc3339_re[] =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$";

long long
fzh_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
fzh_nap(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

const char *
fzh_bin(void)
{
	const char *bin = getenv("FZRELAY_BIN");

	if (bin == NULL || *bin == '\0')
		fail_msg("FZRELAY_BIN is not set: point it at the built "
		    "fzrelay binary");
	return bin;
}

int
fzh_group_setup(void **state)
{
	const char *bin = getenv("FZRELAY_BIN");

	(void)state;
	if (bin == NULL || *bin == '\0') {
		fprintf(stderr, "# FZRELAY_BIN is not set: point it at the "
		    "built fzrelay binary\n");
		return -1;
	}
	if (access(bin, X_OK) != 0) {
		fprintf(stderr, "# FZRELAY_BIN=%s: %s\n", bin, strerror(errno));
		return -1;
	}
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

int
fzh_group_teardown(void **state)
{
	(void)state;
	curl_global_cleanup();
	return 0;
}

int
fzh_setup(void **state)
{
	struct fzd *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -1;
	fzh_init(d);
	*state = d;
	return 0;
}

int
fzh_teardown(void **state)
{
	struct fzd *d = *state;

	if (d != NULL) {
		fzh_cleanup(d);
		free(d);
	}
	*state = NULL;
	return 0;
}

static void	fzh_spawn(struct fzd *, const char *const *,
		    const char *const *);

int
fzh_http_mode(void)
{
	const char *m = getenv("FZH_STORE");

	return m != NULL && strcmp(m, "http") == 0;
}

const struct fzd *
fzh_portal(const struct fzd *d)
{
	return d->up != NULL ? d->up : d;
}

void
fzh_init(struct fzd *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/tmp/fzrelay-e2e.XXXXXX");
	if (mkdtemp(d->dir) == NULL)
		fail_msg("mkdtemp: %s", strerror(errno));
	snprintf(d->log, sizeof(d->log), "%s/daemon.stderr", d->dir);
	snprintf(d->out, sizeof(d->out), "%s/daemon.stdout", d->dir);
	if (!fzh_http_mode())
		return;
	if ((d->up = calloc(1, sizeof(*d->up))) == NULL)
		fail_msg("out of memory");
	snprintf(d->up->dir, sizeof(d->up->dir), "%.100s/upstream", d->dir);
	if (mkdir(d->up->dir, 0700) != 0)
		fail_msg("mkdir %s: %s", d->up->dir, strerror(errno));
	snprintf(d->up->log, sizeof(d->up->log), "%s/daemon.stderr",
	    d->up->dir);
	snprintf(d->up->out, sizeof(d->up->out), "%s/daemon.stdout",
	    d->up->dir);
}

/* Starts the upstream of an edge once, with a service key. */
static void
fzh_start_upstream(struct fzd *d)
{
	static const char *const up_args[] = { "--rate-limit-per-minute",
	    "1000000", NULL };
	char ws[64];

	if (d->up->pid != 0)
		return;
	if (d->service[0] == '\0') {
		fzh_workspace(d->up->dir, "Edge service", "agency", ws,
		    sizeof(ws));
		fzh_key(d->up->dir, ws, "service", "edge", d->service,
		    sizeof(d->service));
	}
	fzh_spawn(d->up, up_args, NULL);
}

void
fzh_start(struct fzd *d, const char *const *args, const char *const *env)
{
	const char *all[FZH_MAX_ARGS];
	char url[64];
	size_t n = 0;

	if (d->up == NULL) {
		fzh_spawn(d, args, env);
		return;
	}
	fzh_start_upstream(d);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", d->up->port);
	all[n++] = "--store";
	all[n++] = "http";
	all[n++] = "--upstream-url";
	all[n++] = url;
	all[n++] = "--upstream-token";
	all[n++] = d->service;
	for (; args != NULL && *args != NULL && n < FZH_MAX_ARGS - 1; args++)
		all[n++] = *args;
	all[n] = NULL;
	fzh_spawn(d, all, env);
}

char *
fzh_slurp(const char *path, size_t *lenp)
{
	char *buf = NULL, *nb;
	size_t len = 0, size = 0;
	ssize_t n;
	int fd;

	if (lenp != NULL)
		*lenp = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	for (;;) {
		if (size - len < 4096) {
			size = size ? size * 2 : 8192;
			if ((nb = realloc(buf, size)) == NULL) {
				free(buf);
				close(fd);
				return NULL;
			}
			buf = nb;
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

static const char *
fzh_find(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	if (n == 0)
		return hay;
	for (i = 0; i + n <= len; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, n) == 0)
			return hay + i;
	return NULL;
}

int
fzh_contains(const char *hay, size_t len, const char *needle)
{
	return fzh_find(hay, len, needle) != NULL;
}

int
fzh_match(const char *re, const char *s)
{
	regex_t rx;
	int rc;

	if (s == NULL)
		return 0;
	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
		fail_msg("bad regular expression %s", re);
	rc = regexec(&rx, s, 0, NULL, 0);
	regfree(&rx);
	return rc == 0;
}

static void
fzh_show_file(const char *what, const char *path)
{
	char *s, *line, *save = NULL;

	if ((s = fzh_slurp(path, NULL)) == NULL) {
		fprintf(stderr, "# (no %s at %s)\n", what, path);
		return;
	}
	fprintf(stderr, "# %s %s:\n", what, path);
	for (line = strtok_r(s, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		fprintf(stderr, "#   %s\n", line);
	free(s);
}

static void
fzh_show_log(const struct fzd *d)
{
	fzh_show_file("daemon log", d->log);
}

/* Drops what the test's own environment could leak into fzrelay (its
 * configuration, a service manager's notify socket), then applies
 * "NAME=value" / "NAME" entries. In the child only. */
static void
fzh_apply_env(const char *const *env)
{
	static const char *const drop[] = { "NOTIFY_SOCKET", "WATCHDOG_USEC",
	    "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID" };
	char name[256], *s;
	size_t i, n;

	for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		unsetenv(drop[i]);
	for (i = 0; environ[i] != NULL; ) {
		n = strcspn(environ[i], "=");
		if (strncmp(environ[i], "FZRELAY_", 8) != 0 ||
		    strncmp(environ[i], "FZRELAY_BIN=", 12) == 0 ||
		    environ[i][n] != '=' || n >= sizeof(name)) {
			i++;
			continue;
		}
		memcpy(name, environ[i], n);
		name[n] = '\0';
		unsetenv(name);		/* shifts environ: look at i again */
	}
	for (; env != NULL && *env != NULL; env++) {
		if (strchr(*env, '=') == NULL) {
			unsetenv(*env);
			continue;
		}
		if ((s = strdup(*env)) == NULL || putenv(s) != 0)
			_exit(126);
	}
}

static void
fzh_child(const char *bin, char *const *argv, const char *const *env,
    int outfd, int errfd)
{
	int nul;

#ifdef __linux__
	/* A test process that dies must not leave daemons behind. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	if ((nul = open("/dev/null", O_RDONLY)) >= 0) {
		dup2(nul, STDIN_FILENO);
		if (nul != STDIN_FILENO)
			close(nul);
	}
	if (outfd >= 0)
		dup2(outfd, STDOUT_FILENO);
	if (errfd >= 0)
		dup2(errfd, STDERR_FILENO);
	fzh_apply_env(env);
	execv(bin, argv);
	dprintf(STDERR_FILENO, "exec %s: %s\n", bin, strerror(errno));
	_exit(127);
}

static void
fzh_spawn(struct fzd *d, const char *const *args, const char *const *env)
{
	const char *bin = fzh_bin();
	char *argv[FZH_MAX_ARGS], *log, *p, *end;
	int outfd, errfd, n = 0, status;
	long long deadline;
	long port;
	pid_t pid;

	if (d->pid != 0)
		fail_msg("daemon already running (pid %d)", (int)d->pid);
	argv[n++] = (char *)bin;
	argv[n++] = (char *)"serve";
	argv[n++] = (char *)"--listen";
	argv[n++] = (char *)"127.0.0.1:0";
	argv[n++] = (char *)"--state-dir";
	argv[n++] = d->dir;
	for (; args != NULL && *args != NULL; args++) {
		if (n == FZH_MAX_ARGS - 1)
			fail_msg("too many daemon arguments");
		argv[n++] = (char *)*args;
	}
	argv[n] = NULL;
	outfd = open(d->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	errfd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (outfd < 0 || errfd < 0)
		fail_msg("cannot create the daemon's log files in %s: %s",
		    d->dir, strerror(errno));
	if ((pid = fork()) < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0)
		fzh_child(bin, argv, env, outfd, errfd);
	close(outfd);
	close(errfd);
	d->pid = pid;
	d->port = 0;

	deadline = fzh_now_ms() + FZH_WAIT_MS;
	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			d->pid = 0;
			fzh_show_log(d);
			fail_msg("fzrelay exited during start-up (status 0x%x)",
			    (unsigned)status);
		}
		if ((log = fzh_slurp(d->log, NULL)) != NULL &&
		    (p = strstr(log, "listening on 127.0.0.1:")) != NULL) {
			p += strlen("listening on 127.0.0.1:");
			errno = 0;
			port = strtol(p, &end, 10);
			if (end != p && errno == 0 && port > 0 &&
			    port < 65536 && (*end == ' ' || *end == '\n')) {
				free(log);
				d->port = (int)port;
				return;
			}
		}
		free(log);
		if (fzh_now_ms() > deadline) {
			fzh_show_log(d);
			fail_msg("fzrelay did not log \"listening on "
			    "127.0.0.1:PORT\" within %d ms", FZH_WAIT_MS);
		}
		fzh_nap(FZH_STEP_MS);
	}
}

int
fzh_wait_exit(struct fzd *d, int ms, int *status)
{
	long long deadline = fzh_now_ms() + ms;
	pid_t r;

	if (d->pid == 0)
		fail_msg("no daemon to wait for");
	for (;;) {
		r = waitpid(d->pid, status, WNOHANG);
		if (r == d->pid) {
			d->pid = 0;
			return 1;
		}
		if (r < 0 && errno != EINTR)
			fail_msg("waitpid: %s", strerror(errno));
		if (fzh_now_ms() > deadline)
			return 0;
		fzh_nap(FZH_STEP_MS);
	}
}

int
fzh_stop(struct fzd *d)
{
	int status = 0;

	if (d->pid == 0)
		fail_msg("no daemon to stop");
	if (kill(d->pid, SIGTERM) != 0)
		fail_msg("kill SIGTERM %d: %s", (int)d->pid, strerror(errno));
	if (fzh_wait_exit(d, FZH_WAIT_MS, &status))
		return status;
	fprintf(stderr, "# fzrelay ignored SIGTERM for %d ms; killing it\n",
	    FZH_WAIT_MS);
	kill(d->pid, SIGKILL);
	while (waitpid(d->pid, &status, 0) < 0 && errno == EINTR)
		;
	d->pid = 0;
	return status;
}

void
fzh_assert_exit0(const struct fzd *d, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	fzh_show_log(d);
	if (WIFSIGNALED(status))
		fail_msg("fzrelay died of signal %d", WTERMSIG(status));
	fail_msg("fzrelay exited with status %d (a leak under ASan, or a "
	    "failed shutdown)", WEXITSTATUS(status));
}

void
fzh_stop_ok(struct fzd *d)
{
	fzh_assert_exit0(d, fzh_stop(d));
}

static void
fzh_rmtree(const char *path)
{
	char sub[4096];
	struct dirent *de;
	struct stat sb;
	DIR *dir;

	if (lstat(path, &sb) != 0)
		return;
	if (!S_ISDIR(sb.st_mode)) {
		unlink(path);
		return;
	}
	if ((dir = opendir(path)) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			fzh_rmtree(sub);
		}
		closedir(dir);
	}
	rmdir(path);
}

void
fzh_cleanup(struct fzd *d)
{
	int status;

	if (d->up != NULL) {
		fzh_cleanup(d->up);
		free(d->up);
		d->up = NULL;
	}
	if (d->pid > 0) {
		kill(d->pid, SIGKILL);
		while (waitpid(d->pid, &status, 0) < 0 && errno == EINTR)
			;
		d->pid = 0;
	}
	if (d->dir[0] != '\0' && strncmp(d->dir, "/tmp/fzrelay-e2e.", 17) == 0)
		fzh_rmtree(d->dir);
	d->dir[0] = '\0';
}

static int
fzh_count_in(const char *path, const char *needle)
{
	const char *p, *end;
	size_t len;
	char *s;
	int n = 0;

	if ((s = fzh_slurp(path, &len)) == NULL)
		return 0;
	end = s + len;
	for (p = s; (p = fzh_find(p, (size_t)(end - p), needle)) != NULL;
	    p += strlen(needle))
		n++;
	free(s);
	return n;
}

int
fzh_log_count(const struct fzd *d, const char *needle)
{
	return fzh_count_in(d->log, needle);
}

int
fzh_log_wait(const struct fzd *d, const char *needle, int n, int ms)
{
	long long deadline = fzh_now_ms() + ms;

	for (;;) {
		if (fzh_count_in(d->log, needle) >= n)
			return 1;
		if (fzh_now_ms() > deadline)
			return 0;
		fzh_nap(FZH_STEP_MS);
	}
}

int
fzh_file_wait(const char *path, const char *needle, int ms)
{
	long long deadline = fzh_now_ms() + ms;

	for (;;) {
		if (fzh_count_in(path, needle) > 0)
			return 1;
		if (fzh_now_ms() > deadline)
			return 0;
		fzh_nap(FZH_STEP_MS);
	}
}

/* Returns an unlinked temporary file's descriptor. */
static int
fzh_tmpfile(void)
{
	char path[] = "/tmp/fzrelay-e2e-out.XXXXXX";
	int fd;

	if ((fd = mkostemp(path, O_CLOEXEC)) < 0)
		fail_msg("mkstemp: %s", strerror(errno));
	unlink(path);
	return fd;
}

static void
fzh_read_back(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	if (buf == NULL || size == 0)
		return;
	lseek(fd, 0, SEEK_SET);
	while (len + 1 < size) {
		n = read(fd, buf + len, size - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
}

int
fzh_run(const char *const *args, const char *const *env, const char *dir,
    char *out, size_t outsz, char *err, size_t errsz)
{
	const char *bin = fzh_bin();
	char *argv[FZH_MAX_ARGS];
	long long deadline;
	int outfd, errfd, n = 0, status = 0, rc;
	pid_t pid, r;

	argv[n++] = (char *)bin;
	for (; args != NULL && *args != NULL; args++) {
		if (n == FZH_MAX_ARGS - 3)
			fail_msg("too many CLI arguments");
		argv[n++] = (char *)*args;
	}
	if (dir != NULL) {
		argv[n++] = (char *)"--state-dir";
		argv[n++] = (char *)dir;
	}
	argv[n] = NULL;
	outfd = fzh_tmpfile();
	errfd = fzh_tmpfile();
	if ((pid = fork()) < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0)
		fzh_child(bin, argv, env, outfd, errfd);
	deadline = fzh_now_ms() + FZH_WAIT_MS;
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			fail_msg("waitpid: %s", strerror(errno));
		if (fzh_now_ms() > deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			status = -1;
			break;
		}
		fzh_nap(5);
	}
	fzh_read_back(outfd, out, outsz);
	fzh_read_back(errfd, err, errsz);
	close(outfd);
	close(errfd);
	if (status == -1)
		rc = -1;
	else if (WIFEXITED(status))
		rc = WEXITSTATUS(status);
	else
		rc = 128 + WTERMSIG(status);
	return rc;
}

int
fzh_cli(const char *dir, char *out, size_t outsz, ...)
{
	const char *args[FZH_MAX_ARGS];
	va_list ap;
	int n = 0;

	va_start(ap, outsz);
	while ((args[n] = va_arg(ap, const char *)) != NULL)
		if (++n == FZH_MAX_ARGS - 1)
			fail_msg("too many CLI arguments");
	va_end(ap);
	return fzh_run(args, NULL, dir, out, outsz, NULL, 0);
}

static void
fzh_trim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' ||
	    s[n - 1] == ' '))
		s[--n] = '\0';
}

/* In http mode the upstream store knows the workspace by the same id. */
static void
fzh_mirror_workspace(const char *dir, const char *id, const char *name,
    const char *plan)
{
	const char *args[] = { "workspace", "create", "--id", id, "--name",
	    name, "--plan", plan, NULL };
	char updir[192], out[128], err[1024];
	struct stat sb;
	int rc;

	snprintf(updir, sizeof(updir), "%s/upstream", dir);
	if (!fzh_http_mode() || stat(updir, &sb) != 0)
		return;
	rc = fzh_run(args, NULL, updir, out, sizeof(out), err, sizeof(err));
	if (rc != 0)
		fail_msg("upstream workspace create --id %s: exit %d: %s", id,
		    rc, err);
}

void
fzh_workspace(const char *dir, const char *name, const char *plan,
    char *out, size_t size)
{
	const char *args[] = { "workspace", "create", "--name", name,
	    "--plan", plan, NULL };
	char err[1024];
	int rc;

	rc = fzh_run(args, NULL, dir, out, size, err, sizeof(err));
	if (rc != 0)
		fail_msg("workspace create --plan %s: exit %d: %s", plan, rc,
		    err);
	fzh_trim(out);
	if (!fzh_match("^ws_[0-9A-Za-z]+$", out))
		fail_msg("workspace create printed \"%s\"", out);
	fzh_mirror_workspace(dir, out, name, plan);
}

void
fzh_key(const char *dir, const char *ws, const char *scopes,
    const char *name, char *out, size_t size)
{
	const char *args[] = { "key", "create", "--workspace", ws,
	    "--scopes", scopes, "--name", name, NULL };
	char err[1024];
	int rc;

	rc = fzh_run(args, NULL, dir, out, size, err, sizeof(err));
	if (rc != 0)
		fail_msg("key create --scopes %s: exit %d: %s", scopes, rc,
		    err);
	fzh_trim(out);
	if (!fzh_match("^fz_live_[0-9A-Za-z]+$", out))
		fail_msg("key create printed \"%s\"", out);
}

void
fzh_ws_key(const struct fzd *d, const char *name, const char *plan,
    const char *scopes, char *ws, char *tok)
{
	fzh_workspace(d->dir, name, plan, ws, 64);
	fzh_key(d->dir, ws, scopes, "e2e", tok, 64);
}

/*
 * Responses.
 */
void
fzh_res_free(struct fzh_res *res)
{
	size_t i;

	for (i = 0; i < res->nhdrs; i++)
		free(res->hdrs[i]);
	free(res->hdrs);
	free(res->body);
	json_decref(res->json);
	memset(res, 0, sizeof(*res));
}

static void
fzh_hdrs_clear(struct fzh_res *res)
{
	size_t i;

	for (i = 0; i < res->nhdrs; i++)
		free(res->hdrs[i]);
	free(res->hdrs);
	res->hdrs = NULL;
	res->nhdrs = 0;
}

static void
fzh_hdr_add(struct fzh_res *res, const char *line, size_t len)
{
	char **nh, *s;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	if ((nh = realloc(res->hdrs, (res->nhdrs + 1) * sizeof(*nh))) == NULL ||
	    (s = strndup(line, len)) == NULL)
		fail_msg("out of memory");
	res->hdrs = nh;
	res->hdrs[res->nhdrs++] = s;
}

const char *
fzh_header(const struct fzh_res *res, const char *name)
{
	size_t i, n = strlen(name);
	const char *v;

	for (i = 0; i < res->nhdrs; i++) {
		if (strncasecmp(res->hdrs[i], name, n) != 0 ||
		    res->hdrs[i][n] != ':')
			continue;
		for (v = res->hdrs[i] + n + 1; *v == ' ' || *v == '\t'; v++)
			;
		return v;
	}
	return NULL;
}

static void
fzh_set_body(struct fzh_res *res, const char *body, size_t len)
{
	free(res->body);
	json_decref(res->json);
	res->json = NULL;
	if ((res->body = malloc(len + 1)) == NULL)
		fail_msg("out of memory");
	if (len > 0)
		memcpy(res->body, body, len);
	res->body[len] = '\0';
	res->len = len;
	if (len > 0)
		res->json = json_loadb(body, len, 0, NULL);
}

json_t *
fzh_json_get(const struct fzh_res *res, const char *path)
{
	char name[128];
	const char *p = path, *dot;
	json_t *j = res->json;
	size_t n;

	while (j != NULL && *p != '\0') {
		dot = strchr(p, '.');
		n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(name))
			return NULL;
		memcpy(name, p, n);
		name[n] = '\0';
		j = json_is_object(j) ? json_object_get(j, name) : NULL;
		p += n + (dot != NULL);
	}
	return j;
}

void
fzh_copy_str(const struct fzh_res *res, const char *path, char *out,
    size_t size)
{
	const char *s = fzh_json_str(res, path);

	if (s == NULL)
		fail_msg("no %s in %s", path, res->body);
	if ((size_t)snprintf(out, size, "%s", s) >= size)
		fail_msg("%s too long: %s", path, s);
}

const char *
fzh_json_str(const struct fzh_res *res, const char *path)
{
	return json_string_value(fzh_json_get(res, path));
}

void
fzh_assert_envelope(const struct fzh_res *res, int status, const char *code)
{
	const char *rid, *xrid, *ts, *ctype, *got;
	json_t *meta = NULL, *error = NULL, *data = NULL;

	if (res->status != status)
		fail_msg("status %d, want %d; body: %s", res->status, status,
		    res->body ? res->body : "(none)");
	if (!json_is_object(res->json))
		fail_msg("body is not a JSON object: %s", res->body ?
		    res->body : "(none)");
	ctype = fzh_header(res, "Content-Type");
	if (ctype == NULL || strncasecmp(ctype, "application/json", 16) != 0)
		fail_msg("Content-Type %s, want application/json",
		    ctype ? ctype : "(none)");
	if (json_object_size(res->json) != 3 ||
	    (data = json_object_get(res->json, "data")) == NULL ||
	    (meta = json_object_get(res->json, "meta")) == NULL ||
	    (error = json_object_get(res->json, "error")) == NULL)
		fail_msg("want exactly data, meta, error: %s", res->body);
	if (!json_is_object(meta))
		fail_msg("meta is not an object: %s", res->body);
	rid = json_string_value(json_object_get(meta, "request_id"));
	ts = json_string_value(json_object_get(meta, "timestamp"));
	if (rid == NULL || *rid == '\0')
		fail_msg("no meta.request_id: %s", res->body);
	xrid = fzh_header(res, "X-Request-ID");
	if (xrid == NULL || strcmp(xrid, rid) != 0)
		fail_msg("X-Request-ID %s, meta.request_id %s",
		    xrid ? xrid : "(none)", rid);
	if (ts == NULL || !fzh_match(fzh_rfc3339_re, ts))
		fail_msg("meta.timestamp %s is not RFC 3339 with "
		    "milliseconds in UTC", ts ? ts : "(none)");
	if (code == NULL) {
		if (!json_is_null(error))
			fail_msg("error is not null: %s", res->body);
		return;
	}
	if (!json_is_null(data))
		fail_msg("data is not null on an error: %s", res->body);
	if (!json_is_object(error))
		fail_msg("error is not an object: %s", res->body);
	got = json_string_value(json_object_get(error, "code"));
	if (got == NULL || *got == '\0' ||
	    (strcmp(code, "*") != 0 && strcmp(got, code) != 0))
		fail_msg("error.code %s, want %s: %s", got ? got : "(none)",
		    code, res->body);
	got = json_string_value(json_object_get(error, "message"));
	if (got == NULL || *got == '\0')
		fail_msg("no error.message: %s", res->body);
}

/*
 * libcurl.
 */
struct fzh_buf {
	char	*p;
	size_t	 len, size;
};

static int
fzh_buf_add(struct fzh_buf *b, const char *data, size_t n)
{
	char *np;
	size_t size;

	if (b->len + n + 1 > b->size) {
		size = b->size ? b->size : 4096;
		while (size < b->len + n + 1)
			size *= 2;
		if ((np = realloc(b->p, size)) == NULL)
			return -1;
		b->p = np;
		b->size = size;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static size_t
fzh_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	return fzh_buf_add(arg, data, size * nmemb) == 0 ? size * nmemb : 0;
}

static size_t
fzh_header_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct fzh_res *res = arg;
	size_t n = size * nmemb;

	/* A new status line starts a new response (after a 100). */
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		fzh_hdrs_clear(res);
		return n;
	}
	if (n <= 2 || data[0] == '\r' || data[0] == '\n')
		return n;
	fzh_hdr_add(res, data, n);
	return n;
}

int
fzh_http(const struct fzd *d, const char *method, const char *path,
    const char *const *headers, const char *body, size_t len,
    struct fzh_res *res)
{
	struct curl_slist *sl = NULL, *nsl;
	struct fzh_buf b = { NULL, 0, 0 };
	char url[1024], errbuf[CURL_ERROR_SIZE] = "";
	CURLcode rc;
	CURL *h;
	long code = 0;

	memset(res, 0, sizeof(*res));
	if (d->port <= 0)
		fail_msg("the daemon is not listening");
	if ((h = curl_easy_init()) == NULL)
		fail_msg("curl_easy_init failed");
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", d->port, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)FZH_WAIT_MS);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fzh_write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, fzh_header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, res);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else {
		if (body != NULL) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)len);
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		}
		if (strcmp(method, body != NULL ? "POST" : "GET") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	}
	for (; headers != NULL && *headers != NULL; headers++) {
		if ((nsl = curl_slist_append(sl, *headers)) == NULL) {
			curl_slist_free_all(sl);
			curl_easy_cleanup(h);
			fail_msg("out of memory");
		}
		sl = nsl;
	}
	if (sl != NULL)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, sl);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(sl);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK) {
		free(b.p);
		fail_msg("%s %s: %s (%s)", method, path, curl_easy_strerror(rc),
		    errbuf);
	}
	res->status = (int)code;
	fzh_set_body(res, b.p != NULL ? b.p : "", b.len);
	free(b.p);
	return res->status;
}

int
fzh_get(const struct fzd *d, const char *path, const char *token,
    struct fzh_res *res)
{
	char auth[256];
	const char *hdrs[] = { auth, NULL };

	if (token == NULL)
		return fzh_http(d, "GET", path, NULL, NULL, 0, res);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	return fzh_http(d, "GET", path, hdrs, NULL, 0, res);
}

int
fzh_api(const struct fzd *d, const char *method, const char *path,
    const char *tok, const char *extra, const char *body,
    struct fzh_res *res)
{
	char auth[256];
	const char *hdrs[4];
	size_t n = 0;

	if (tok != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
		hdrs[n++] = auth;
	}
	if (body != NULL)
		hdrs[n++] = "Content-Type: application/json";
	if (extra != NULL)
		hdrs[n++] = extra;
	hdrs[n] = NULL;
	return fzh_http(d, method, path, hdrs, body, body != NULL ?
	    strlen(body) : 0, res);
}

/*
 * Raw connections.
 */
void
fzh_conn_open(struct fzh_conn *c, const struct fzd *d)
{
	struct sockaddr_in sin;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (d->port <= 0)
		fail_msg("the daemon is not listening");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)d->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		fail_msg("socket: %s", strerror(errno));
	if (connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		close(c->fd);
		c->fd = -1;
		fail_msg("connect 127.0.0.1:%d: %s", d->port, strerror(errno));
	}
}

int
fzh_conn_send(struct fzh_conn *c, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
fzh_conn_sends(struct fzh_conn *c, const char *s)
{
	return fzh_conn_send(c, s, strlen(s));
}

/* Reads what is there (waiting up to ms). Returns bytes read, 0 at EOF
 * or reset, -1 on timeout. */
static int
fzh_conn_fill(struct fzh_conn *c, int ms)
{
	struct pollfd pfd = { c->fd, POLLIN, 0 };
	char *nb;
	ssize_t n;
	int rc;

	if (c->eof)
		return 0;
	do
		rc = poll(&pfd, 1, ms < 0 ? 0 : ms);
	while (rc < 0 && errno == EINTR);
	if (rc <= 0)
		return -1;
	if (c->size - c->len < 65536) {
		if ((nb = realloc(c->buf, c->size + 65536)) == NULL)
			fail_msg("out of memory");
		c->buf = nb;
		c->size += 65536;
	}
	do
		n = recv(c->fd, c->buf + c->len, c->size - c->len, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		c->eof = 1;
		return 0;
	}
	c->len += (size_t)n;
	return (int)n;
}

/* Parses one response off the front of c's buffer. Returns 1 and fills
 * res (consuming it), or 0 if incomplete. */
static int
fzh_conn_parse(struct fzh_conn *c, struct fzh_res *res, int head_only)
{
	const char *end, *line, *nl, *cl;
	size_t headlen, bodylen = 0, total;
	char *e;
	unsigned long long v;
	int status;

	for (;;) {
		if ((end = fzh_find(c->buf, c->len, "\r\n\r\n")) == NULL)
			return 0;
		headlen = (size_t)(end - c->buf) + 4;
		if (c->len < 12 || strncmp(c->buf, "HTTP/1.", 7) != 0 ||
		    c->buf[8] != ' ')
			fail_msg("not an HTTP/1.x response: %.*s",
			    (int)(headlen < 200 ? headlen : 200), c->buf);
		status = atoi(c->buf + 9);
		if (status < 100 || status > 599)
			fail_msg("bad status line: %.40s", c->buf);
		if (status >= 200)
			break;
		/* An interim answer: drop it. */
		memmove(c->buf, c->buf + headlen, c->len - headlen);
		c->len -= headlen;
	}
	fzh_res_free(res);
	res->status = status;
	line = (const char *)memchr(c->buf, '\n', headlen) + 1;
	while (line < end) {
		nl = memchr(line, '\n', (size_t)(c->buf + headlen - line));
		fzh_hdr_add(res, line, (size_t)(nl - line));
		line = nl + 1;
	}
	if (!head_only && status != 204 && status != 304 &&
	    (cl = fzh_header(res, "Content-Length")) != NULL) {
		errno = 0;
		v = strtoull(cl, &e, 10);
		if (*e != '\0' || errno != 0 || v > (1u << 30))
			fail_msg("bad Content-Length %s", cl);
		bodylen = (size_t)v;
	}
	total = headlen + bodylen;
	if (c->len < total) {
		fzh_hdrs_clear(res);
		return 0;
	}
	fzh_set_body(res, c->buf + headlen, bodylen);
	memmove(c->buf, c->buf + total, c->len - total);
	c->len -= total;
	return 1;
}

int
fzh_conn_read(struct fzh_conn *c, struct fzh_res *res, int head_only,
    int ms)
{
	long long deadline = fzh_now_ms() + ms;
	int left;

	for (;;) {
		if (c->len > 0 && fzh_conn_parse(c, res, head_only))
			return 0;
		if (c->eof)
			return -1;
		left = (int)(deadline - fzh_now_ms());
		if (left <= 0)
			return -1;
		if (fzh_conn_fill(c, left) < 0)
			return -1;
	}
}

int
fzh_conn_wait(struct fzh_conn *c, int ms)
{
	if (c->len > 0 || c->eof)
		return 1;
	return fzh_conn_fill(c, ms) >= 0;
}

int
fzh_conn_closed(struct fzh_conn *c, int ms)
{
	long long deadline = fzh_now_ms() + ms;
	int left;

	for (;;) {
		c->len = 0;
		if (c->eof)
			return 1;
		left = (int)(deadline - fzh_now_ms());
		if (left <= 0)
			return 0;
		fzh_conn_fill(c, left);
	}
}

void
fzh_conn_close(struct fzh_conn *c)
{
	if (c->fd > 0)
		close(c->fd);
	free(c->buf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}
