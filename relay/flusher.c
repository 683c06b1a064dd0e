#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/clock.h"
#include "common/fz.h"
#include "common/log.h"
#include "relay/flusher.h"
#include "state/state.h"

struct flusher {
	struct state		*st;
	flusher_done_cb		*cb;
	void			*arg;
	struct event		*done_ev;
	int			 pipe[2];	/* thread writes, loop reads */
	pthread_t		 thread;
	int			 running;	/* the thread exists */
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	/* Under mu. */
	int			 asked;
	int			 quit;
	int			 result;
	int64_t			 took_us;
	/* Loop thread only. */
	int			 busy;
	int64_t			 last_us;
	uint64_t		 upto;		/* commits the flush covers */
};

static void *
flusher_main(void *arg)
{
	struct flusher *f = arg;
	int64_t t0;
	ssize_t n;
	int err;

	pthread_mutex_lock(&f->mu);
	for (;;) {
		while (!f->asked && !f->quit)
			pthread_cond_wait(&f->cv, &f->mu);
		if (!f->asked)
			break;
		f->asked = 0;
		pthread_mutex_unlock(&f->mu);
		t0 = clock_mono_us();
		err = state_flush(f->st);
		pthread_mutex_lock(&f->mu);
		f->result = err;
		f->took_us = clock_mono_us() - t0;
		/* The pipe never fills: one byte per flush, read each time. */
		do
			n = write(f->pipe[1], "", 1);
		while (n < 0 && errno == EINTR);
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

static void
flusher_done(evutil_socket_t fd, short what, void *arg)
{
	struct flusher *f = arg;
	char buf[16];
	int err;

	(void)what;
	if (read(fd, buf, sizeof(buf)) <= 0 || !f->busy)
		return;
	pthread_mutex_lock(&f->mu);
	err = f->result;
	f->last_us = f->took_us;
	pthread_mutex_unlock(&f->mu);
	f->busy = 0;
	state_synced(f->st, f->upto, err);
	f->cb(f->arg, f->upto, err);
}

struct flusher *
flusher_new(struct event_base *base, struct state *st, flusher_done_cb *cb,
    void *arg)
{
	struct flusher *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->st = st;
	f->cb = cb;
	f->arg = arg;
	f->pipe[0] = f->pipe[1] = -1;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	if (pipe2(f->pipe, O_CLOEXEC | O_NONBLOCK) != 0 ||
	    (f->done_ev = event_new(base, f->pipe[0], EV_READ | EV_PERSIST,
	    flusher_done, f)) == NULL || event_add(f->done_ev, NULL) != 0)
		goto fail;
	if (pthread_create(&f->thread, NULL, flusher_main, f) != 0) {
		log_err("flusher: no thread");
		goto fail;
	}
	f->running = 1;
	return f;
fail:
	flusher_free(f);
	return NULL;
}

int
flusher_start(struct flusher *f)
{
	if (f->busy)
		return 0;
	f->busy = 1;
	f->upto = state_commits(f->st);
	pthread_mutex_lock(&f->mu);
	f->asked = 1;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	return 1;
}

int
flusher_busy(const struct flusher *f)
{
	return f->busy;
}

int64_t
flusher_last_us(const struct flusher *f)
{
	return f->last_us;
}

void
flusher_free(struct flusher *f)
{
	if (f == NULL)
		return;
	if (f->running) {
		pthread_mutex_lock(&f->mu);
		f->quit = 1;
		pthread_cond_signal(&f->cv);
		pthread_mutex_unlock(&f->mu);
		pthread_join(f->thread, NULL);
	}
	if (f->done_ev != NULL)
		event_free(f->done_ev);
	if (f->pipe[0] >= 0)
		close(f->pipe[0]);
	if (f->pipe[1] >= 0)
		close(f->pipe[1]);
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
	free(f);
}
