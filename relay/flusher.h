/*
 * flusher.h: the group commit's fdatasync, off the event loop.
 *
 * One thread of its own waits for work and runs state_flush(); the loop
 * hears that a flush is over through a pipe, records it with
 * state_synced() and calls back. The loop keeps reading, parsing and
 * committing while the disk works, so the next batch is ready when the
 * flush returns. At most one flush runs at a time.
 */
#ifndef FZ_FLUSHER_H
#define FZ_FLUSHER_H

#include <stdint.h>

struct event_base;
struct flusher;
struct state;

/* Called on the loop when a flush is over: commits up to n are durable
 * if err is 0 (else err is FZ_ESTORE and nothing new is known). */
typedef void flusher_done_cb(void *arg, uint64_t n, int err);

/* Returns a flusher for st (borrowed, must outlive it) on base, or NULL
 * (no memory, no thread). Caller frees with flusher_free. */
struct flusher	*flusher_new(struct event_base *base, struct state *st,
		    flusher_done_cb *cb, void *arg);

/* Starts flushing everything committed so far. Returns 1 if it started,
 * 0 if a flush is running already (the caller asks again from cb). */
int	flusher_start(struct flusher *f);

/* Returns 1 while a flush runs, else 0. */
int	flusher_busy(const struct flusher *f);

/* Returns how long the last finished flush took, in microseconds (0
 * before the first); in cb, the flush it reports. Loop thread. */
int64_t	flusher_last_us(const struct flusher *f);

/* Waits for a running flush to end (without calling cb), stops the
 * thread and frees f; NULL is fine. */
void	flusher_free(struct flusher *f);

#endif
