/*
 * harness.h: helpers for the end-to-end tests.
 *
 * They run the real fzrelay named by $FZRELAY_BIN: as a daemon listening
 * on 127.0.0.1 with port 0 (the bound port is read from its log), and as
 * the admin CLI. They speak HTTP to it with libcurl, or over a plain
 * socket for requests curl would not send. Every failure inside a helper
 * fails the running cmocka test, so callers need not check for it.
 *
 * Include <stdarg.h>, <stddef.h>, <setjmp.h>, <stdint.h> and <cmocka.h>
 * before this header. Thread: the test's, like cmocka itself.
 */
#ifndef FZ_E2E_HARNESS_H
#define FZ_E2E_HARNESS_H

#include <sys/types.h>

#include <stddef.h>

#include <jansson.h>

/* Bound on every wait: start-up, shutdown, a CLI run, a response. */
#define FZH_WAIT_MS	10000

/*
 * A daemon, running or not, and its temporary state directory.
 *
 * With FZH_STORE=http in the environment every daemon a test starts is an
 * edge on store = http, proxying core records to an upstream fzrelay (on
 * the embedded store, in dir/upstream) that the harness starts beside it,
 * with a service key; workspaces made with fzh_workspace exist on both.
 * The same tests then prove both modes.
 */
struct fzd {
	pid_t	pid;		/* 0: not running */
	int	port;		/* bound port, once started */
	char	dir[128];	/* state dir, made by fzh_init */
	char	log[192];	/* the daemon's stderr, inside dir */
	char	out[192];	/* the daemon's stdout, inside dir */
	struct fzd *up;		/* FZH_STORE=http: the upstream store */
	char	service[64];	/* its service key */
};

/* Returns 1 when the tests run against an edge on store = http. */
int	fzh_http_mode(void);

/* Returns the daemon serving d's client portal: d, or in http mode its
 * upstream store (share links point there). */
const struct fzd	*fzh_portal(const struct fzd *d);

/* A response, from libcurl or read off a socket. Free with fzh_res_free. */
struct fzh_res {
	int	 status;
	char	**hdrs;		/* "Name: value" lines of the final response */
	size_t	 nhdrs;
	char	*body;		/* NUL-terminated; may be empty, never NULL */
	size_t	 len;
	json_t	*json;		/* the parsed body, or NULL */
};

/* A raw client connection to a daemon with its unread input. */
struct fzh_conn {
	int	 fd;
	char	*buf;
	size_t	 len, size;
	int	 eof;
};

/* cmocka group fixtures: check $FZRELAY_BIN and set libcurl up/down. */
int	fzh_group_setup(void **state);
int	fzh_group_teardown(void **state);

/* cmocka test fixtures: *state becomes a struct fzd with a fresh state
 * dir (fzh_init); teardown kills a daemon left running and removes the
 * dir (fzh_cleanup), so a failing test leaves nothing behind. */
int	fzh_setup(void **state);
int	fzh_teardown(void **state);

/* Returns $FZRELAY_BIN; fails the test if it is unset. */
const char	*fzh_bin(void);

/* Makes d's state dir (mkdtemp under /tmp); the daemon is not started. */
void	fzh_init(struct fzd *d);

/*
 * Starts `fzrelay serve --listen 127.0.0.1:0 --state-dir DIR args...`
 * with stdout and stderr in d->out and d->log (truncated), and waits for
 * "listening on 127.0.0.1:PORT" in the log. args and env are
 * NULL-terminated and may be NULL. The child's environment is the
 * test's without FZRELAY_* (but FZRELAY_BIN), NOTIFY_SOCKET, WATCHDOG_*
 * and LISTEN_*; then an env entry "NAME=value" sets a variable, "NAME"
 * removes it. Fails the test, showing the log, if the daemon exits or
 * does not listen within FZH_WAIT_MS.
 */
void	fzh_start(struct fzd *d, const char *const *args,
	    const char *const *env);

/* Sends SIGTERM and waits (FZH_WAIT_MS, then SIGKILL). Returns the wait
 * status; d->pid becomes 0. */
int	fzh_stop(struct fzd *d);

/* fzh_stop, then fails the test (showing the log) unless the daemon
 * exited with status 0: a crash, or a leak under ASan, fails. */
void	fzh_stop_ok(struct fzd *d);

/* Waits up to ms for the daemon to exit on its own. Returns 1 and the
 * wait status in *status (d->pid becomes 0), or 0 if it still runs. */
int	fzh_wait_exit(struct fzd *d, int ms, int *status);

/* Fails the test unless status is a normal exit with code 0. */
void	fzh_assert_exit0(const struct fzd *d, int status);

/* Kills a daemon still running and removes d->dir with its contents. */
void	fzh_cleanup(struct fzd *d);

/* Returns how many times needle occurs in the daemon's log. */
int	fzh_log_count(const struct fzd *d, const char *needle);

/* Waits up to ms until needle occurs at least n times in the log.
 * Returns 1, or 0 on timeout. */
int	fzh_log_wait(const struct fzd *d, const char *needle, int n, int ms);

/* Waits up to ms until needle occurs in file path. Returns 1 or 0. */
int	fzh_file_wait(const char *path, const char *needle, int ms);

/*
 * Runs `fzrelay argv... --state-dir DIR` (no --state-dir when dir is
 * NULL) with env changes as for fzh_start, capturing stdout into out and
 * stderr into err (either may be NULL; truncated, NUL-terminated).
 * Returns the exit status, 128+signal if killed, or -1 if it did not
 * finish within FZH_WAIT_MS (it is then killed).
 */
int	fzh_run(const char *const *argv, const char *const *env,
	    const char *dir, char *out, size_t outsz, char *err,
	    size_t errsz);

/* fzh_run with the NULL-terminated arguments after outsz; no env, no
 * stderr capture. */
int	fzh_cli(const char *dir, char *out, size_t outsz, ...);

/* Creates a workspace / a key with the CLI, asserting success, and
 * writes the id / the token (trimmed) into out (at least 64 bytes). */
void	fzh_workspace(const char *dir, const char *name, const char *plan,
	    char *out, size_t size);
void	fzh_key(const char *dir, const char *ws, const char *scopes,
	    const char *name, char *out, size_t size);

/* Makes a workspace on plan with a key of scopes (named "e2e") in d's
 * state directory; ws and tok get at least 64 bytes. */
void	fzh_ws_key(const struct fzd *d, const char *name, const char *plan,
	    const char *scopes, char *ws, char *tok);

/*
 * Sends method path to the daemon with libcurl: headers (NULL-terminated
 * "Name: value" lines, may be NULL) and body (may be NULL; len bytes;
 * then POSTed as is). "HEAD" asks for headers only. Returns res->status;
 * fails the test on a transport error.
 */
int	fzh_http(const struct fzd *d, const char *method, const char *path,
	    const char *const *headers, const char *body, size_t len,
	    struct fzh_res *res);

/* GET path, with "Authorization: Bearer token" unless token is NULL. */
int	fzh_get(const struct fzd *d, const char *path, const char *token,
	    struct fzh_res *res);

/* Sends method path with "Authorization: Bearer tok" (tok NULL: none), a
 * JSON body (NULL: none) and one extra header line (NULL: none). Returns
 * res->status. */
int	fzh_api(const struct fzd *d, const char *method, const char *path,
	    const char *tok, const char *extra, const char *body,
	    struct fzh_res *res);

/* Returns the value of the response header name (case-insensitive), or
 * NULL. Borrowed from res. */
const char	*fzh_header(const struct fzh_res *res, const char *name);

/* Frees what res holds and zeroes it; a zeroed res is fine. */
void	fzh_res_free(struct fzh_res *res);

/*
 * Asserts res is an API envelope with the given status: an object with
 * exactly data, meta and error; meta.request_id a non-empty string equal
 * to the X-Request-ID header; meta.timestamp RFC 3339 UTC with
 * milliseconds; Content-Type application/json. code NULL: error is
 * null. Otherwise data is null and error.code equals code ("*": any
 * non-empty code), with a non-empty string message.
 */
void	fzh_assert_envelope(const struct fzh_res *res, int status,
	    const char *code);

/* Returns the string at a dotted path of res->json ("data.key.id"), or
 * NULL. Borrowed from res. */
const char	*fzh_json_str(const struct fzh_res *res, const char *path);
json_t		*fzh_json_get(const struct fzh_res *res, const char *path);

/* Copies the string at path of res->json into out (size bytes), failing
 * the test if it is absent or does not fit. */
void	fzh_copy_str(const struct fzh_res *res, const char *path, char *out,
	    size_t size);

/* assert_string_equal that fails, rather than crashes, on NULL. */
#define fzh_assert_str(a, b) do {					\
	const char *fzh_a_ = (a);					\
									\
	if (fzh_a_ == NULL)						\
		fail_msg("%s is NULL, want \"%s\"", #a, (b));		\
	assert_string_equal(fzh_a_, (b));				\
} while (0)

/* Returns 1 if s (NULL: never) matches the POSIX extended regular
 * expression re. */
int	fzh_match(const char *re, const char *s);

/* Returns 1 if hay[0..len-1] contains needle. */
int	fzh_contains(const char *hay, size_t len, const char *needle);

/* Returns the contents of path, NUL-terminated, and its length in *len
 * (may be NULL); NULL if it cannot be read. Caller frees. */
char	*fzh_slurp(const char *path, size_t *len);

/* Opens a blocking TCP connection to the daemon's port on 127.0.0.1. */
void	fzh_conn_open(struct fzh_conn *c, const struct fzd *d);

/* Writes all of buf. Returns 0, or -1 if the peer is gone. */
int	fzh_conn_send(struct fzh_conn *c, const char *buf, size_t len);
int	fzh_conn_sends(struct fzh_conn *c, const char *s);

/* Waits up to ms for the next complete response and parses it into res
 * (head_only: the request was HEAD, so there is no body). Returns 0, or
 * -1 if the connection closed or ms passed first. */
int	fzh_conn_read(struct fzh_conn *c, struct fzh_res *res, int head_only,
	    int ms);

/* Waits up to ms for input or end of file. Returns 1 if something is
 * buffered or the peer closed, 0 on timeout. */
int	fzh_conn_wait(struct fzh_conn *c, int ms);

/* Waits up to ms for the peer to close, discarding input. Returns 1 if
 * it closed (EOF or reset), 0 on timeout. */
int	fzh_conn_closed(struct fzh_conn *c, int ms);

/* Closes the connection; a closed or zeroed one is fine. */
void	fzh_conn_close(struct fzh_conn *c);

/* Monotonic milliseconds, for bounding loops. */
long long	fzh_now_ms(void);

#endif
