#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/fz.h"
#include "common/log.h"
#include "state/spacing.h"

/* Reads the thread's run time in ns. Returns 0, or FZ_ESYS. */
static int
spacing_read(int fd, uint64_t *run_ns)
{
	char buf[128];
	unsigned long long run;
	ssize_t n;

	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return FZ_ESYS;
	buf[n] = '\0';
	if (sscanf(buf, "%llu", &run) != 1)
		return FZ_ESYS;
	*run_ns = (uint64_t)run;
	return 0;
}

int
spacing_open(struct spacing *s)
{
	memset(s, 0, sizeof(*s));
	/* Bound to this thread at open: later reads from the timer, on
	 * the same thread, need no path. */
	if ((s->fd = open("/proc/thread-self/schedstat",
	    O_RDONLY | O_CLOEXEC)) < 0 || spacing_read(s->fd,
	    &s->run_ns) != 0) {
		log_info("state: no schedstat; commits are never spaced");
		spacing_close(s);
		return FZ_ESYS;
	}
	s->at_us = -1;
	return 0;
}

int
spacing_busy(int on, uint64_t run_ns, int64_t wall_us)
{
	uint64_t pct;

	if (wall_us <= 0)
		return on;
	pct = run_ns / 10 / (uint64_t)wall_us;
	if (pct >= SPACING_ON)
		return 1;
	if (pct < SPACING_OFF)
		return 0;
	return on;
}

int
spacing_sample(struct spacing *s, int64_t now_us, uint64_t reads,
    uint64_t writes)
{
	uint64_t run;

	if (s->fd < 0 || spacing_read(s->fd, &run) != 0)
		return s->on = 0;
	/* The first sample only sets the baseline. */
	if (s->at_us >= 0 && run >= s->run_ns)
		s->on = spacing_busy(s->on, run - s->run_ns,
		    now_us - s->at_us) &&
		    reads - s->reads >= writes - s->writes;
	s->run_ns = run;
	s->at_us = now_us;
	s->reads = reads;
	s->writes = writes;
	return s->on;
}

void
spacing_close(struct spacing *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->on = 0;
}

int64_t
spacing_hold_us(int on, size_t queued, size_t prompt, size_t last_n,
    int64_t since_us)
{
	if (!on || queued >= SPACING_FILL || prompt > 0 || last_n < 2 ||
	    since_us >= SPACING_GAP_US || since_us < 0)
		return 0;
	return SPACING_GAP_US - since_us;
}
