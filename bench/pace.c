/*
 * pace.c: signed ingest at a fixed rate, open loop, for the mixed run of
 * bench/run (the poll measured while ingest runs at a given rate). wrk
 * paces only by delaying each connection after its answer, so its rate
 * falls when answers slow down, and signing in Lua cost the core the
 * poll's own wrk shares a third of its time at 10,000 events/s. This
 * sends each event when it is due, whatever the answers do, each request
 * as bench/ingest.lua builds it (a fresh id, signed per Standard
 * Webhooks with a plain ingest_secret), over keep-alive connections
 * with one request in flight each. Not part of the default build:
 * bench/run compiles it with the build's CC and flags:
 *
 *   gcc -O2 -Wall -Wextra -Werror bench/pace.c -o build/bench/pace -lcrypto
 *
 *   pace PORT RATE SECONDS CONNECTIONS
 *
 * Environment: FZ_INGEST_SECRET, FZ_BENCH_WS, FZ_BENCH_RUN, as for
 * bench/ingest.lua. At the end it prints one line:
 *
 *   pace: sent N, 201 N, other N, N/s over S s, late N, reconnected N,
 *         p50 X ms, p99 Y ms
 *
 * "late" counts events that found every connection busy when due and
 * went out when one was free; latency is from the due time to the end
 * of the answer. Exits 1 on any answer but 201. Linux only (epoll).
 */
#define _GNU_SOURCE	/* memmem */

#include <sys/epoll.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#define PACE_CONNS_MAX	1000
#define PACE_BUF	4096
#define PACE_HIST_MS	1000		/* latency histogram: 10 us steps */
#define PACE_HIST	(PACE_HIST_MS * 100)

struct pace_conn {
	int	 fd;
	int	 busy;
	double	 due;			/* of the request in flight */
	char	 in[PACE_BUF];
	size_t	 in_len;
};

static const char *secret, *ws, *run;
static uint64_t serial, n_ok, n_other, n_late, n_reconnects;
static uint32_t hist[PACE_HIST + 1];

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	fprintf(stderr, "pace: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Builds the next signed request into buf. Returns its length. */
static size_t
pace_request(char *buf, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE], sig[4 * EVP_MAX_MD_SIZE / 3 + 4];
	char id[128], body[1024], msg[1400], date[32];
	unsigned int mdlen;
	time_t t = time(NULL);
	struct tm tm;
	uint64_t n = ++serial;
	int blen, mlen, len;

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(id, sizeof(id), "bench-%s-pace-%llu", run,
	    (unsigned long long)n);
	blen = snprintf(body, sizeof(body), "{\"id\":\"%s\",\"type\":"
	    "\"pack.viewed\",\"workspace_id\":\"%s\",\"data\":{\"project_id\":"
	    "\"prj_bench%llu\",\"project_name\":\"Website relaunch %llu\","
	    "\"client_email\":\"owner%llu@client.example.com\","
	    "\"viewed_at\":\"%s\"}}", id, ws, (unsigned long long)(n % 1000),
	    (unsigned long long)(n % 1000), (unsigned long long)(n % 1000),
	    date);
	mlen = snprintf(msg, sizeof(msg), "%s.%lld.%s", id, (long long)t,
	    body);
	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    (unsigned char *)msg, (size_t)mlen, md, &mdlen) == NULL) {
		fprintf(stderr, "pace: HMAC failed\n");
		exit(2);
	}
	EVP_EncodeBlock(sig, md, (int)mdlen);
	len = snprintf(buf, size, "POST /internal/events HTTP/1.1\r\n"
	    "Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
	    "webhook-id: %s\r\nwebhook-timestamp: %lld\r\n"
	    "webhook-signature: v1,%s\r\nContent-Length: %d\r\n\r\n%s",
	    id, (long long)t, sig, blen, body);
	return (size_t)len;
}

static void
pace_connect(struct pace_conn *c, int ep, int port)
{
	struct sockaddr_in sin;
	struct epoll_event ev;
	int one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		die("socket");
	if (connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		die("connect");
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(c->fd, F_SETFL, O_NONBLOCK);
	ev.events = EPOLLIN;
	ev.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) != 0)
		die("epoll_ctl");
	c->busy = 0;
	c->in_len = 0;
}

static void
pace_send(struct pace_conn *c, double due)
{
	char buf[PACE_BUF];
	size_t len = pace_request(buf, sizeof(buf)), off = 0;
	ssize_t n;

	/* One small request on an idle connection: the socket's buffer
	 * takes it whole; a short write only means a moment's wait. */
	while (off < len) {
		if ((n = write(c->fd, buf + off, len - off)) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("write");
		}
		off += (size_t)n;
	}
	c->busy = 1;
	c->due = due;
}

/* Takes the answers in c's buffer; returns 1 once one is complete. */
static int
pace_answer(struct pace_conn *c)
{
	char *end, *cl;
	size_t head, body = 0, i;
	double ms;

	if ((end = memmem(c->in, c->in_len, "\r\n\r\n", 4)) == NULL)
		return 0;
	head = (size_t)(end - c->in) + 4;
	if ((cl = memmem(c->in, head, "Content-Length:", 15)) != NULL ||
	    (cl = memmem(c->in, head, "content-length:", 15)) != NULL)
		body = strtoul(cl + 15, NULL, 10);
	if (c->in_len < head + body)
		return 0;
	if (c->in_len >= 12 && memcmp(c->in + 9, "201", 3) == 0)
		n_ok++;
	else {
		if (n_other++ == 0)
			fprintf(stderr, "pace: first answer not 201: %.*s\n",
			    (int)(head + body > 300 ? 300 : head + body),
			    c->in);
	}
	ms = (now_s() - c->due) * 1000;
	i = ms < 0 ? 0 : (size_t)(ms * 100);
	hist[i > PACE_HIST ? PACE_HIST : i]++;
	memmove(c->in, c->in + head + body, c->in_len - head - body);
	c->in_len -= head + body;
	c->busy = 0;
	return 1;
}

static double
pace_quantile(double q)
{
	uint64_t total = n_ok + n_other, seen = 0;
	size_t i;

	for (i = 0; i <= PACE_HIST; i++)
		if ((seen += hist[i]) >= q * (double)total && total > 0)
			return (double)i / 100;
	return 0;
}

int
main(int argc, char **argv)
{
	static struct pace_conn conns[PACE_CONNS_MAX];
	struct epoll_event evs[64];
	double rate, secs, start, due, t, until;
	uint64_t sent = 0;
	int port, nconns, ep, i, n, next = 0;
	ssize_t r;

	if (argc != 5 || (port = atoi(argv[1])) <= 0 ||
	    (rate = atof(argv[2])) <= 0 || (secs = atof(argv[3])) <= 0 ||
	    (nconns = atoi(argv[4])) <= 0 || nconns > PACE_CONNS_MAX) {
		fprintf(stderr, "usage: pace PORT RATE SECONDS CONNECTIONS\n");
		return 2;
	}
	secret = getenv("FZ_INGEST_SECRET");
	ws = getenv("FZ_BENCH_WS");
	run = getenv("FZ_BENCH_RUN");
	if (secret == NULL || strlen(secret) < 16 || ws == NULL ||
	    run == NULL) {
		fprintf(stderr, "pace: set FZ_INGEST_SECRET (16+ characters), "
		    "FZ_BENCH_WS and FZ_BENCH_RUN\n");
		return 2;
	}
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		die("epoll_create1");
	for (i = 0; i < nconns; i++)
		pace_connect(&conns[i], ep, port);
	start = now_s();
	until = start + secs;
	for (;;) {
		t = now_s();
		/* Every event due by now goes out on a free connection. */
		while (t < until && (due = start + (double)sent / rate) <= t) {
			/* Round the connections, so that none sits idle long
			 * enough for the server to close it. */
			for (i = 0; i < nconns && conns[next].busy; i++)
				next = (next + 1) % nconns;
			if (i == nconns)
				break;
			if (t - due > 0.001)
				n_late++;
			pace_send(&conns[next], due);
			next = (next + 1) % nconns;
			sent++;
		}
		for (i = 0; i < nconns && !conns[i].busy; i++)
			;
		if (t >= until && (i == nconns || t >= until + 5))
			break;
		/* A millisecond's events go out together: waking for each
		 * would spin this process on the core the poll's wrk uses. */
		n = epoll_wait(ep, evs, 64, t >= until ? 100 : 1);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (i = 0; i < n; i++) {
			struct pace_conn *c = evs[i].data.ptr;

			r = read(c->fd, c->in + c->in_len,
			    sizeof(c->in) - c->in_len);
			if (r == 0) {
				/* Closed while idle (the server's keep-alive
				 * timeout): a new one. With a request in
				 * flight: that request failed. */
				if (c->busy && n_other++ == 0)
					fprintf(stderr, "pace: the server "
					    "closed a connection with a request "
					    "in flight\n");
				close(c->fd);
				n_reconnects++;
				pace_connect(c, ep, port);
				continue;
			}
			if (r < 0) {
				if (errno == EAGAIN || errno == EINTR)
					continue;
				die("read");
			}
			c->in_len += (size_t)r;
			while (pace_answer(c))
				;
		}
	}
	t = now_s() - start;
	printf("pace: sent %llu, 201 %llu, other %llu, %.0f/s over %.1f s, "
	    "late %llu, reconnected %llu, p50 %.2f ms, p99 %.2f ms\n",
	    (unsigned long long)sent, (unsigned long long)n_ok,
	    (unsigned long long)n_other, (double)sent / secs, t,
	    (unsigned long long)n_late, (unsigned long long)n_reconnects,
	    pace_quantile(0.5), pace_quantile(0.99));
	return n_other > 0 || n_ok < sent ? 1 : 0;
}
