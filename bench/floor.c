/*
 * floor.c: the least work any HTTP server can do to send a given answer,
 * for the benchmarks. It reads FILE once, builds one response from it, and
 * answers every request head that arrives on a keep-alive connection with
 * those bytes, written straight from memory: no parsing beyond finding
 * "\r\n\r\n", no routing, no fields but Content-Type and Content-Length.
 * What it reaches on one core bounds what fzrelay, or any server, can
 * reach sending the same bytes on that core. Not part of the default
 * build: bench/run compiles it with the build's CC and flags:
 *
 *   gcc -O2 -Wall -Wextra -Werror bench/floor.c -o build/bench/floor
 *
 *   floor FILE PORT        (PORT 0: an ephemeral port)
 *
 * It prints "listening on 127.0.0.1:N" once bound, as fzrelay does, and
 * runs until killed. Request bodies are not read as bodies, and a peer
 * that half-closes loses the answers it is owed: it serves wrk's GETs,
 * nothing else. Linux only (epoll).
 */
#define _GNU_SOURCE	/* accept4, memmem */

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FLOOR_MAX_FD	65536
#define FLOOR_HEAD_MAX	8192	/* an unfinished head longer than this: close */
#define FLOOR_BODY_MAX	(16 << 20)
#define FLOOR_EVENTS	256

struct floor_conn {
	char	 head[FLOOR_HEAD_MAX];
	size_t	 head_len;	/* bytes of an unfinished request head */
	uint64_t owed;		/* answers not yet fully written */
	size_t	 sent;		/* bytes of the first owed answer written */
	int	 want_out;	/* EPOLLOUT is armed */
};

static char		 *floor_resp;
static size_t		  floor_resp_len;
static struct floor_conn *floor_conns[FLOOR_MAX_FD];

static int
floor_load(const char *path)
{
	struct stat sb;
	char head[128];
	int fd, n, rc = -1;
	size_t got = 0;
	ssize_t r;

	if ((fd = open(path, O_RDONLY)) < 0 || fstat(fd, &sb) != 0)
		goto out;
	if (sb.st_size < 0 || sb.st_size > FLOOR_BODY_MAX) {
		errno = EFBIG;
		goto out;
	}
	n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: "
	    "application/json\r\nContent-Length: %lld\r\n\r\n",
	    (long long)sb.st_size);
	floor_resp_len = (size_t)n + (size_t)sb.st_size;
	if ((floor_resp = malloc(floor_resp_len)) == NULL)
		goto out;
	memcpy(floor_resp, head, (size_t)n);
	while (got < (size_t)sb.st_size) {
		r = read(fd, floor_resp + n + got, (size_t)sb.st_size - got);
		if (r <= 0) {
			if (r == 0)
				errno = EIO;	/* the file shrank under us */
			goto out;
		}
		got += (size_t)r;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

static void
floor_close(int ep, int fd)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	free(floor_conns[fd]);
	floor_conns[fd] = NULL;
}

static void
floor_want_out(int ep, int fd, struct floor_conn *c, int on)
{
	struct epoll_event ev;

	if (c->want_out == on)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | (on ? EPOLLOUT : 0);
	ev.data.fd = fd;
	if (epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) == 0)
		c->want_out = on;
}

/* Writes what is owed. Returns 0, or -1 when the connection is dead. */
static int
floor_write(int ep, int fd, struct floor_conn *c)
{
	ssize_t w;

	while (c->owed > 0) {
		w = write(fd, floor_resp + c->sent, floor_resp_len - c->sent);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			floor_want_out(ep, fd, c, 1);
			return 0;
		}
		if ((c->sent += (size_t)w) == floor_resp_len) {
			c->sent = 0;
			c->owed--;
		}
	}
	floor_want_out(ep, fd, c, 0);
	return 0;
}

/* Counts the request heads completed by what arrived; an unfinished head
 * waits in c->head for the rest. Returns 0, or -1 when the peer closed or
 * sent a head too long. */
static int
floor_read(int fd, struct floor_conn *c)
{
	char *p, *hit;
	size_t from, room;
	ssize_t r;

	for (;;) {
		if ((room = sizeof(c->head) - c->head_len) == 0)
			return -1;
		r = read(fd, c->head + c->head_len, room);
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR ? 0 : -1;
		if (r == 0)
			return -1;
		/* The terminator may straddle the old and the new bytes. */
		from = c->head_len > 3 ? c->head_len - 3 : 0;
		c->head_len += (size_t)r;
		p = c->head + from;
		while ((hit = memmem(p, c->head_len - (size_t)(p - c->head),
		    "\r\n\r\n", 4)) != NULL) {
			c->owed++;
			p = hit + 4;
		}
		if (p != c->head + from) {
			c->head_len -= (size_t)(p - c->head);
			memmove(c->head, p, c->head_len);
		}
		if ((size_t)r < room)
			return 0;
	}
}

static void
floor_accept(int ep, int ls)
{
	struct epoll_event ev;
	int fd, one = 1;

	while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >=
	    0) {
		if (fd >= FLOOR_MAX_FD ||
		    (floor_conns[fd] = calloc(1, sizeof(**floor_conns))) ==
		    NULL) {
			close(fd);
			continue;
		}
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.fd = fd;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			close(fd);
			free(floor_conns[fd]);
			floor_conns[fd] = NULL;
		}
	}
}

int
main(int argc, char *argv[])
{
	struct epoll_event ev, evs[FLOOR_EVENTS];
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	struct floor_conn *c;
	char *end;
	long port;
	int ls, ep, n, i, fd, one = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: floor FILE PORT\n");
		return 2;
	}
	port = strtol(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0' || port < 0 || port > 65535) {
		fprintf(stderr, "floor: bad port %s\n", argv[2]);
		return 2;
	}
	if (floor_load(argv[1]) != 0) {
		fprintf(stderr, "floor: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) < 0 ||
	    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(ls, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(ls, 1024) != 0 ||
	    getsockname(ls, (struct sockaddr *)&sin, &slen) != 0 ||
	    (ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		fprintf(stderr, "floor: listen: %s\n", strerror(errno));
		return 1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = ls;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev) != 0) {
		fprintf(stderr, "floor: epoll: %s\n", strerror(errno));
		return 1;
	}
	fprintf(stderr, "floor: listening on 127.0.0.1:%u\n",
	    (unsigned)ntohs(sin.sin_port));
	for (;;) {
		if ((n = epoll_wait(ep, evs, FLOOR_EVENTS, -1)) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "floor: epoll_wait: %s\n",
			    strerror(errno));
			return 1;
		}
		for (i = 0; i < n; i++) {
			if ((fd = evs[i].data.fd) == ls) {
				floor_accept(ep, ls);
				continue;
			}
			if ((c = floor_conns[fd]) == NULL)
				continue;
			if (((evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) &&
			    floor_read(fd, c) != 0) ||
			    floor_write(ep, fd, c) != 0)
				floor_close(ep, fd);
		}
	}
}
