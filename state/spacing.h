/*
 * spacing.h: how far apart the writer's commits start; for
 * state/writer.c only.
 *
 * Every commit costs the core a fixed amount whatever it carries (on a
 * VM, some 300 us of CPU between the writer's system calls, its I/O
 * wake-ups and the loop's answers). Usually that is free, and each
 * commit starts as soon as the one before it ends: the lowest latency
 * for every write. But when the loop wants its core all the time and
 * mostly for reads (the Zapier poll at full speed beside a stream of
 * ingested events), the same commits take CPU the reads need. Then
 * commits start at least SPACING_GAP_US apart, unless SPACING_FILL
 * writes are already waiting, one of them is prompt (a webhook
 * delivery's outcome: its slot waits on it, and eight slots an endpoint
 * would deliver a fifth as fast), or the last batch held a single write
 * (a lone client, whose next write waits for nothing else): batches
 * grow, the CPU per write falls, and each write's answer may wait up
 * to SPACING_GAP_US longer.
 *
 * "Busy": the loop thread's own run time (/proc/thread-self/schedstat)
 * against the wall clock, sampled at most every SPACING_PERIOD_MS as
 * writes arrive; on at SPACING_ON percent, off below SPACING_OFF. Its
 * time waiting in the run queue is left out: that is mostly the
 * writer's own CPU. "Mostly for reads": at least as many reads
 * (state_reads) as writes over the same period. A stream of writes
 * alone is never spaced, however busy: holding its batches would only
 * make closed-loop writers wait (ingest at c=50 does one read per 25
 * writes). Measured on 2 cores: the loop runs 10-20 % of the time under
 * ingest at c=10, 30-50 % at c=50, 60-69 % when the poll at c=50 runs
 * beside 10,000 ingested events/s, with 5 reads per write. Without
 * schedstat (a kernel without CONFIG_SCHED_INFO), commits are never
 * spaced.
 */
#ifndef FZ_STATE_SPACING_H
#define FZ_STATE_SPACING_H

#include <stddef.h>
#include <stdint.h>

#define SPACING_GAP_US		5000
#define SPACING_FILL		50
#define SPACING_PERIOD_MS	100
#define SPACING_ON		55
#define SPACING_OFF		45

struct spacing {
	int		 fd;		/* the loop thread's schedstat, or -1 */
	uint64_t	 run_ns;	/* the loop's run time, last sample */
	int64_t		 at_us;		/* monotonic time of the last sample */
	uint64_t	 reads, writes;	/* the counts at the last sample */
	int		 on;
};

/* Sets s up for the calling thread, which must be the loop. Returns 0,
 * or FZ_ESYS if schedstat cannot be read (s then never turns on). */
int	spacing_open(struct spacing *s);

/* Takes a sample at now_us (clock_mono_us), with reads and writes the
 * counts of each served so far. Returns whether commits are to be
 * spaced from now on. Loop thread. */
int	spacing_sample(struct spacing *s, int64_t now_us, uint64_t reads,
	    uint64_t writes);

/* Closes s; after spacing_open, failed or not. */
void	spacing_close(struct spacing *s);

/* Whether commits are to be spaced, given whether they were and, over
 * one period of wall_us, run_ns of the loop's run time. */
int	spacing_busy(int on, uint64_t run_ns, int64_t wall_us);

/* How long the writer holds a batch before taking it: 0 to take it
 * now. on: spacing_busy's verdict; queued: writes waiting, prompt of
 * them marked so (struct state_op); last_n: the last batch's size;
 * since_us: time since the last batch was taken. */
int64_t	spacing_hold_us(int on, size_t queued, size_t prompt, size_t last_n,
	    int64_t since_us);

#endif
