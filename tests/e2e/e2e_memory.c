/*
 * e2e_memory.c: the daemon's resident memory (VmRSS, and VmHWM for the
 * peak, from /proc/PID/status) before, under and after 200 connections
 * that each send a body of about 1 MB at once: without a key (refused
 * from the head, so no body is held), and with one (held within
 * max_body_memory_bytes, the rest refused with 503). Every body but its
 * last byte is sent and read by the daemon before the peak is taken,
 * so a daemon that buffered them would hold them all at that moment.
 *
 * The same bounds hold in the sanitizer build: there the daemon runs
 * without AddressSanitizer's quarantine, which otherwise keeps up to
 * 256 MB of freed memory resident by design (leaks are still found).
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/e2e/harness.h"

#define LOAD_CONNS	200
#define LOAD_BODY	1000000
#define LOAD_MS		30000		/* bound on each phase of the load */

/* The daemon's environment: see above. */
static const char *const asan_env[] = { "ASAN_OPTIONS=detect_leaks=1:"
    "abort_on_error=0:quarantine_size_mb=0:"
    "allocator_release_to_os_interval_ms=0", NULL };

struct load_conn {
	struct fzh_conn	 c;
	size_t		 sent;
	int		 wdone;		/* sent what it may, or cannot send */
	int		 rdone;		/* the peer closed */
	char		 line[12];	/* "HTTP/1.1 NNN" of the answer */
	size_t		 got;
	int		 status;	/* of the answer, once its line is in */
};

/* Returns the value in kB of field ("VmRSS", "VmHWM") of pid. */
static long
proc_kb(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t n = strlen(field);
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot read %s", path);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, n) == 0 && line[n] == ':')
			kb = strtol(line + n + 1, NULL, 10);
	fclose(f);
	if (kb < 0)
		fail_msg("no %s in %s", field, path);
	return kb;
}

/* Returns the bytes queued on TCP connections of port: received and
 * not yet read by the daemon, or sent to it and not yet taken. */
static unsigned long
tcp_queued(int port)
{
	char line[512];
	unsigned lport, rport;
	unsigned long tx, rx, sum = 0;
	FILE *f;

	if ((f = fopen("/proc/net/tcp", "r")) == NULL)
		fail_msg("cannot read /proc/net/tcp");
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, " %*u: %*x:%x %*x:%x %*x %lx:%lx", &lport,
		    &rport, &tx, &rx) != 4)
			continue;
		if ((int)lport == port)
			sum += rx;
		if ((int)rport == port)
			sum += tx;
	}
	fclose(f);
	return sum;
}

/* Waits (bounded) until the daemon has read every byte sent to it. */
static void
wait_drained(const struct fzd *d)
{
	long long deadline = fzh_now_ms() + LOAD_MS;

	while (tcp_queued(d->port) > 0 && fzh_now_ms() < deadline)
		poll(NULL, 0, 20);
}

/* Waits (bounded) until the daemon holds no connection but the one
 * asking (fzrelay_connections in /metrics). */
static void
wait_closed(const struct fzd *d)
{
	long long deadline = fzh_now_ms() + LOAD_MS;
	struct fzh_res res;
	const char *g;

	for (;;) {
		fzh_get(d, "/metrics", NULL, &res);
		g = strstr(res.body, "\nfzrelay_connections ");
		if ((g != NULL && strtol(g + 22, NULL, 10) <= 1) ||
		    fzh_now_ms() > deadline) {
			fzh_res_free(&res);
			return;
		}
		fzh_res_free(&res);
		poll(NULL, 0, 20);
	}
}

/* Reads what conn l has; notes its status and whether it closed. */
static void
load_read(struct load_conn *l)
{
	char buf[65536];
	size_t take;
	ssize_t n;

	while ((n = recv(l->c.fd, buf, sizeof(buf), 0)) > 0) {
		take = sizeof(l->line) - l->got;
		if (take > (size_t)n)
			take = (size_t)n;
		memcpy(l->line + l->got, buf, take);
		l->got += take;
		if (l->status == 0 && l->got == sizeof(l->line)) {
			if (strncmp(l->line, "HTTP/1.1 ", 9) != 0)
				fail_msg("not an answer: %.12s", l->line);
			l->status = (l->line[9] - '0') * 100 +
			    (l->line[10] - '0') * 10 + (l->line[11] - '0');
		}
	}
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
		l->rdone = 1;
		l->wdone = 1;
	}
}

/* Sends on every connection the first upto bytes of req, and reads what
 * comes back, until each has sent them or cannot. */
static void
load_run(struct load_conn *l, const char *req, size_t upto)
{
	struct pollfd pfd[LOAD_CONNS];
	long long deadline = fzh_now_ms() + LOAD_MS;
	size_t i, busy;
	ssize_t n;

	for (;;) {
		busy = 0;
		for (i = 0; i < LOAD_CONNS; i++) {
			pfd[i].fd = l[i].rdone ? -1 : l[i].c.fd;
			pfd[i].events = POLLIN;
			if (!l[i].wdone && l[i].sent < upto) {
				pfd[i].events |= POLLOUT;
				busy++;
			}
		}
		if (busy == 0)
			return;
		if (fzh_now_ms() > deadline)
			fail_msg("%zu connections still sending", busy);
		if (poll(pfd, LOAD_CONNS, 100) < 0 && errno != EINTR)
			fail_msg("poll: %s", strerror(errno));
		for (i = 0; i < LOAD_CONNS; i++) {
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				load_read(&l[i]);
			if (l[i].wdone || !(pfd[i].revents & POLLOUT))
				continue;
			n = send(l[i].c.fd, req + l[i].sent, upto - l[i].sent,
			    MSG_NOSIGNAL);
			if (n > 0)
				l[i].sent += (size_t)n;
			else if (n < 0 && errno != EAGAIN &&
			    errno != EWOULDBLOCK)
				l[i].wdone = 1;	/* answered and closed */
		}
	}
}

/* Waits until every connection has its answer or is closed. */
static void
load_answers(struct load_conn *l)
{
	long long deadline = fzh_now_ms() + LOAD_MS;
	size_t i, waiting;

	for (;;) {
		waiting = 0;
		for (i = 0; i < LOAD_CONNS; i++) {
			if (!l[i].rdone && l[i].status == 0)
				load_read(&l[i]);
			if (!l[i].rdone && l[i].status == 0)
				waiting++;
		}
		if (waiting == 0)
			return;
		if (fzh_now_ms() > deadline)
			fail_msg("%zu connections unanswered", waiting);
		poll(NULL, 0, 10);
	}
}

struct load_result {
	long	start_kb, peak_kb, end_kb;
	int	counts[600];	/* answers by status */
};

/*
 * Runs the load with head (a request head announcing LOAD_BODY bytes)
 * against d and measures the daemon's memory.
 */
static void
load(const struct fzd *d, const char *head, struct load_result *out)
{
	struct load_conn *l;
	struct fzh_res res;
	size_t hlen = strlen(head), len = hlen + LOAD_BODY, i;
	char *req;

	memset(out, 0, sizeof(*out));
	l = calloc(LOAD_CONNS, sizeof(*l));
	req = malloc(len);
	assert_true(l != NULL && req != NULL);
	memcpy(req, head, hlen);
	memset(req + hlen, ' ', LOAD_BODY);
	req[hlen] = '{';
	req[len - 1] = '}';
	fzh_get(d, "/healthz", NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	out->start_kb = proc_kb(d->pid, "VmRSS");

	for (i = 0; i < LOAD_CONNS; i++) {
		fzh_conn_open(&l[i].c, d);
		fcntl(l[i].c.fd, F_SETFL, fcntl(l[i].c.fd, F_GETFL) |
		    O_NONBLOCK);
	}
	/* All of every body but its last byte: nothing is complete yet. */
	load_run(l, req, len - 1);
	wait_drained(d);
	out->peak_kb = proc_kb(d->pid, "VmHWM");
	load_run(l, req, len);
	load_answers(l);
	for (i = 0; i < LOAD_CONNS; i++) {
		if (l[i].status > 0 && l[i].status < 600)
			out->counts[l[i].status]++;
		fzh_conn_close(&l[i].c);
	}
	wait_closed(d);
	/* The daemon is idle again: one request, then the measure. */
	fzh_get(d, "/healthz", NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	out->end_kb = proc_kb(d->pid, "VmRSS");
	print_message("# RSS start %ld kB, peak %ld kB, after %ld kB\n",
	    out->start_kb, out->peak_kb, out->end_kb);
	free(req);
	free(l);
}

static void
test_memory_unauthenticated(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--max-connections-per-address", "1000", NULL };
	struct load_result r;

	fzh_start(d, args, asan_env);
	load(d, "POST /api/v1/clients HTTP/1.1\r\nHost: t\r\n"
	    "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n",
	    &r);
	/* Every one refused from its head. */
	assert_int_equal(r.counts[401], LOAD_CONNS);
	if (r.peak_kb - r.start_kb > 24 * 1024)
		fail_msg("200 unauthenticated bodies took RSS from %ld kB to "
		    "%ld kB", r.start_kb, r.peak_kb);
	if (r.end_kb - r.start_kb > 8 * 1024)
		fail_msg("RSS %ld kB after the load, %ld kB before",
		    r.end_kb, r.start_kb);
	fzh_stop_ok(d);
}

static void
test_memory_bounded(void **state)
{
	struct fzd *d = *state;
	const char *args[] = { "--max-connections-per-address", "1000",
	    "--max-body-memory-bytes", "33554432", NULL };
	struct load_result r;
	char ws[64], tok[64], head[512];
	int held;

	fzh_workspace(d->dir, "Memory Agency", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read,write", "memory", tok, sizeof(tok));
	fzh_start(d, args, asan_env);
	snprintf(head, sizeof(head), "POST /api/v1/clients HTTP/1.1\r\n"
	    "Host: t\r\nAuthorization: Bearer %s\r\n"
	    "Content-Type: application/json\r\nContent-Length: 1000000\r\n"
	    "\r\n", tok);
	load(d, head, &r);
	/* 32 MiB holds 33 bodies of 1 MB at once; they are read and judged
	 * (a client needs a name), the others told to come back. */
	held = r.counts[400];
	print_message("# %d bodies held, %d refused with 503\n", held,
	    r.counts[503]);
	assert_int_equal(held + r.counts[503], LOAD_CONNS);
	assert_true(held >= 1 && held <= 33);
	if (r.peak_kb - r.start_kb > (32 + 24) * 1024)
		fail_msg("bodies bounded to 32 MiB took RSS from %ld kB to "
		    "%ld kB", r.start_kb, r.peak_kb);
	if (r.end_kb - r.start_kb > 8 * 1024)
		fail_msg("RSS %ld kB after the load, %ld kB before",
		    r.end_kb, r.start_kb);
	fzh_stop_ok(d);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fzh_setup, fzh_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_memory_unauthenticated),
		T(test_memory_bounded),
	};

	return cmocka_run_group_tests_name("e2e_memory", tests,
	    fzh_group_setup, fzh_group_teardown);
}
