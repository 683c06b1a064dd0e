#include <stdlib.h>

#include <event2/event.h>

#include "common/fz.h"
#include "common/log.h"
#include "relay/fetch.h"

/* What a transfer carries through CURLOPT_PRIVATE. */
struct transfer {
	struct transfer	*next, *prev;
	CURL		*easy;
	fetch_done_cb	*cb;
	void		*arg;
	void		*prev_private;
};

/* One per socket curl asks us to watch (kept with curl_multi_assign). */
struct watch {
	struct watch	*next, *prev;
	struct event	*ev;
};

struct fetch {
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer;
	size_t			 running;
	struct transfer		*transfers;
	struct watch		*watches;
};

/* Doubly linked lists, so the fetcher can let go of everything. */
#define LIST_UNLINK(head, e) do {					\
	if ((e)->prev != NULL)						\
		(e)->prev->next = (e)->next;				\
	else								\
		(head) = (e)->next;					\
	if ((e)->next != NULL)						\
		(e)->next->prev = (e)->prev;				\
} while (0)
#define LIST_PUSH(head, e) do {						\
	(e)->prev = NULL;						\
	(e)->next = (head);						\
	if ((head) != NULL)						\
		(head)->prev = (e);					\
	(head) = (e);							\
} while (0)

static void
fetch_end(struct fetch *f, struct transfer *t, CURLcode rc)
{
	CURL *easy = t->easy;

	LIST_UNLINK(f->transfers, t);
	curl_multi_remove_handle(f->multi, easy);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, t->prev_private);
	f->running--;
	t->cb(easy, rc, t->arg);
	free(t);
}

static void
fetch_drain(struct fetch *f)
{
	struct transfer *t;
	CURLMsg *msg;
	CURL *easy;
	CURLcode rc;
	int left;

	while ((msg = curl_multi_info_read(f->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		easy = msg->easy_handle;
		rc = msg->data.result;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t);
		fetch_end(f, t, rc);
	}
}

static void
fetch_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetch *f = arg;
	int flags = 0, still;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(f->multi, fd, flags, &still);
	fetch_drain(f);
}

static void
fetch_timer_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetch *f = arg;
	int still;

	(void)fd;
	(void)what;
	curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &still);
	fetch_drain(f);
}

static int
fetch_timer_cb(CURLM *m, long ms, void *arg)
{
	struct fetch *f = arg;
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	(void)m;
	if (ms < 0)
		return evtimer_del(f->timer);
	return evtimer_add(f->timer, &tv);	/* 0: next loop pass */
}

static int
fetch_socket_cb(CURL *easy, curl_socket_t s, int what, void *arg,
    void *sockp)
{
	struct fetch *f = arg;
	struct watch *w = sockp;
	short kind;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (w != NULL) {
			LIST_UNLINK(f->watches, w);
			event_free(w->ev);
			free(w);
			curl_multi_assign(f->multi, s, NULL);
		}
		return 0;
	}
	kind = (short)(EV_PERSIST | ((what & CURL_POLL_IN) ? EV_READ : 0) |
	    ((what & CURL_POLL_OUT) ? EV_WRITE : 0));
	if (w == NULL) {
		if ((w = calloc(1, sizeof(*w))) == NULL)
			return -1;
		LIST_PUSH(f->watches, w);
		curl_multi_assign(f->multi, s, w);
	} else
		event_free(w->ev);
	if ((w->ev = event_new(f->base, s, kind, fetch_event_cb, f)) == NULL) {
		curl_multi_assign(f->multi, s, NULL);
		LIST_UNLINK(f->watches, w);
		free(w);
		return -1;
	}
	event_add(w->ev, NULL);
	return 0;
}

struct fetch *
fetch_new(struct event_base *base)
{
	struct fetch *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->base = base;
	if ((f->multi = curl_multi_init()) == NULL ||
	    (f->timer = evtimer_new(base, fetch_timer_event_cb, f)) == NULL) {
		fetch_free(f);
		return NULL;
	}
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, fetch_socket_cb);
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, fetch_timer_cb);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
	return f;
}

void
fetch_free(struct fetch *f)
{
	struct watch *w;

	if (f == NULL)
		return;
	while (f->transfers != NULL)
		fetch_end(f, f->transfers, CURLE_ABORTED_BY_CALLBACK);
	if (f->multi != NULL)
		curl_multi_cleanup(f->multi);
	/* Sockets of cached connections curl did not hand back. */
	while ((w = f->watches) != NULL) {
		LIST_UNLINK(f->watches, w);
		event_free(w->ev);
		free(w);
	}
	if (f->timer != NULL)
		event_free(f->timer);
	free(f);
}

int
fetch_start(struct fetch *f, CURL *easy, fetch_done_cb *cb, void *arg)
{
	struct transfer *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return FZ_ENOMEM;
	t->easy = easy;
	t->cb = cb;
	t->arg = arg;
	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t->prev_private);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
	if (curl_multi_add_handle(f->multi, easy) != CURLM_OK) {
		curl_easy_setopt(easy, CURLOPT_PRIVATE, t->prev_private);
		free(t);
		return FZ_ENOMEM;
	}
	LIST_PUSH(f->transfers, t);
	f->running++;
	return 0;
}

size_t
fetch_running(const struct fetch *f)
{
	return f->running;
}
