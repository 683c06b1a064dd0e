/*
 * spacing.h: how far apart the writer's commits start; for
 * state/writer.c only.
 *
 * Every commit costs the core a fixed amount whatever it carries (on a
 * VM, some 300 us of CPU between the writer's system calls, its I/O
 * wake-ups and the loop's answers). When the loop has idle time that is
 * free, and each commit starts as soon as the one before it ends: the
 * lowest latency for every write. When the loop wants the core all the
 * time (reads at full speed beside a stream of writes), the same
 * commits take CPU the reads need; then commits start at least
 * SPACING_GAP_US apart, unless SPACING_FILL writes are already waiting
 * or the last batch held a single write, so batches grow and the
 * CPU per write falls.
 *
 * Whether the loop wants the core: the loop thread's own run time
 * (/proc/thread-self/schedstat) against the wall clock, sampled at most
 * every SPACING_PERIOD_MS as writes arrive. Its time waiting in the run
 * queue is left out: that is mostly the writer's own CPU, which would
 * turn spacing on for a stream of writes alone, where it only adds
 * latency. Measured on 2 cores: the loop runs 10-20 % of the time under
 * ingest at c=10, 30-50 % at c=50, 60-69 % when the Zapier poll at c=50
 * runs beside 10,000 ingested events/s. Spacing starts at SPACING_ON
 * percent and ends below SPACING_OFF. Without schedstat (a kernel
 * without CONFIG_SCHED_INFO), commits are never spaced.
 */
#ifndef FZ_STATE_SPACING_H
#define FZ_STATE_SPACING_H

#include <stddef.h>
#include <stdint.h>

#define SPACING_GAP_US		3000
#define SPACING_FILL		20
#define SPACING_PERIOD_MS	100
#define SPACING_ON		55
#define SPACING_OFF		45

struct spacing {
	int		 fd;		/* the loop thread's schedstat, or -1 */
	uint64_t	 run_ns;	/* the loop's run time, last sample */
	int64_t		 at_us;		/* monotonic time of the last sample */
	int		 on;
};

/* Sets s up for the calling thread, which must be the loop. Returns 0,
 * or FZ_ESYS if schedstat cannot be read (s then never turns on). */
int	spacing_open(struct spacing *s);

/* Takes a sample at now_us (clock_mono_us). Returns whether commits
 * are to be spaced from now on. Loop thread. */
int	spacing_sample(struct spacing *s, int64_t now_us);

/* Closes s; after spacing_open, failed or not. */
void	spacing_close(struct spacing *s);

/* Whether commits are to be spaced, given whether they were and, over
 * one period of wall_us, run_ns of the loop's run time. */
int	spacing_busy(int on, uint64_t run_ns, int64_t wall_us);

/* How long the writer holds a batch before taking it: 0 to take it
 * now. on: spacing_busy's verdict; queued: writes waiting; last_n: the
 * last batch's size; since_us: time since the last batch was taken. */
int64_t	spacing_hold_us(int on, size_t queued, size_t last_n,
	    int64_t since_us);

#endif
