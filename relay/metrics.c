#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/hmap.h"
#include "relay/edge.h"
#include "relay/metrics.h"
#include "relay/reply.h"
#include "state/journal.h"
#include "state/outbox.h"
#include "state/state.h"
#include "state/store.h"

#define METRICS_NB	15

/* Most answers take well under a millisecond; a proxied one, or a
 * webhook's, may take seconds. The bounds of 1 ms and over are the ones
 * earlier versions had, so dashboards keep their series. */
static const double metrics_bounds[METRICS_NB] = { 0.00025, 0.0005, 0.001,
    0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
/* A sync takes a fraction of a millisecond on a good disk, seconds on a
 * saturated one. */
static const double metrics_sync_bounds[METRICS_NB] = { 0.0001, 0.00025,
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
    2.5, 5 };

struct histogram {
	const double	*bounds;		/* METRICS_NB of them */
	uint64_t	 bucket[METRICS_NB];	/* cumulative at render */
	uint64_t	 count;
	double		 sum;
};

static struct hmap	*requests;	/* "method pattern status" -> u64 */
static struct hmap	*deliveries;	/* outcome -> u64 */
static struct histogram	 request_seconds = { metrics_bounds, { 0 }, 0, 0 };
static struct histogram	 delivery_seconds = { metrics_bounds, { 0 }, 0, 0 };
static struct histogram	 sync_seconds = { metrics_sync_bounds, { 0 }, 0, 0 };

static void
histogram_add(struct histogram *h, double s)
{
	size_t i;

	for (i = 0; i < METRICS_NB; i++)
		if (s <= h->bounds[i]) {
			h->bucket[i]++;
			break;
		}
	h->count++;
	h->sum += s;
}

static void
counter_add(struct hmap **m, const char *key)
{
	uint64_t *v;
	int created;

	if (*m == NULL && (*m = hmap_new(sizeof(uint64_t))) == NULL)
		return;
	if ((v = hmap_put(*m, key, &created)) != NULL)
		(*v)++;
}

void
metrics_request(const char *method, const char *pattern, int status,
    int64_t us)
{
	char key[256];

	snprintf(key, sizeof(key), "%s %s %d", method[0] ? method : "-",
	    pattern, status);
	counter_add(&requests, key);
	histogram_add(&request_seconds, (double)us / 1e6);
}

void
metrics_delivery(const char *outcome, int64_t us)
{
	counter_add(&deliveries, outcome);
	histogram_add(&delivery_seconds, (double)us / 1e6);
}

void
metrics_sync(int64_t us)
{
	histogram_add(&sync_seconds, (double)us / 1e6);
}

void
metrics_free(void)
{
	hmap_free(requests);
	hmap_free(deliveries);
	requests = deliveries = NULL;
}

static int
render_request_cb(const char *key, void *value, void *arg)
{
	char method[16], pattern[200];
	int status;

	if (sscanf(key, "%15s %199s %d", method, pattern, &status) == 3)
		evbuffer_add_printf(arg, "fzrelay_requests_total{method=\"%s\","
		    "route=\"%s\",status=\"%d\"} %llu\n", method, pattern,
		    status, (unsigned long long)*(uint64_t *)value);
	return 0;
}

static int
render_delivery_cb(const char *key, void *value, void *arg)
{
	evbuffer_add_printf(arg, "fzrelay_deliveries_total{outcome=\"%s\"} "
	    "%llu\n", key, (unsigned long long)*(uint64_t *)value);
	return 0;
}

static void
render_histogram(struct evbuffer *b, const char *name, const char *help,
    const struct histogram *h)
{
	uint64_t cum = 0;
	size_t i;

	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s histogram\n", name,
	    help, name);
	for (i = 0; i < METRICS_NB; i++) {
		cum += h->bucket[i];
		evbuffer_add_printf(b, "%s_bucket{le=\"%g\"} %llu\n", name,
		    h->bounds[i], (unsigned long long)cum);
	}
	evbuffer_add_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n"
	    "%s_count %llu\n", name, (unsigned long long)h->count, name,
	    h->sum, name, (unsigned long long)h->count);
}

void
metrics_serve(struct rq *rq)
{
	struct state *st = edge_state(rq->edge);
	struct journal_stats js;
	struct evbuffer *b;
	size_t depth = 0, len;
	char *text;

	if ((b = evbuffer_new()) == NULL) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return;
	}
	evbuffer_add_printf(b, "# HELP fzrelay_requests_total Requests "
	    "answered, by route and status.\n"
	    "# TYPE fzrelay_requests_total counter\n");
	if (requests != NULL)
		hmap_each(requests, render_request_cb, b);
	render_histogram(b, "fzrelay_request_duration_seconds",
	    "Time from reading a request to answering it.", &request_seconds);
	evbuffer_add_printf(b, "# HELP fzrelay_deliveries_total Webhook "
	    "delivery attempts, by outcome.\n"
	    "# TYPE fzrelay_deliveries_total counter\n");
	if (deliveries != NULL)
		hmap_each(deliveries, render_delivery_cb, b);
	render_histogram(b, "fzrelay_delivery_duration_seconds",
	    "Webhook attempt latency.", &delivery_seconds);
	render_histogram(b, "fzrelay_sync_duration_seconds",
	    "Durable commits of a batch of writes: when one ends, the "
	    "answers that wait for its writes go out.",
	    &sync_seconds);
	memset(&js, 0, sizeof(js));
	journal_stats(st, &js);
	outbox_depth(st, &depth);
	evbuffer_add_printf(b,
	    "# HELP fzrelay_journal_events Events held in the journal.\n"
	    "# TYPE fzrelay_journal_events gauge\n"
	    "fzrelay_journal_events %llu\n"
	    "# HELP fzrelay_journal_last_seq Last journal sequence number.\n"
	    "# TYPE fzrelay_journal_last_seq gauge\n"
	    "fzrelay_journal_last_seq %llu\n"
	    "# HELP fzrelay_outbox_depth Deliveries queued or waiting to retry.\n"
	    "# TYPE fzrelay_outbox_depth gauge\n"
	    "fzrelay_outbox_depth %zu\n"
	    "# HELP fzrelay_lmdb_map_bytes Size of the LMDB map.\n"
	    "# TYPE fzrelay_lmdb_map_bytes gauge\n"
	    "fzrelay_lmdb_map_bytes %zu\n"
	    "# HELP fzrelay_lmdb_used_bytes Bytes of the map in use.\n"
	    "# TYPE fzrelay_lmdb_used_bytes gauge\n"
	    "fzrelay_lmdb_used_bytes %zu\n"
	    "# HELP fzrelay_connections Open client connections.\n"
	    "# TYPE fzrelay_connections gauge\n"
	    "fzrelay_connections %zu\n"
	    "# HELP fzrelay_upstream_breaker_open 1 while calls to the "
	    "upstream store are refused to let it recover.\n"
	    "# TYPE fzrelay_upstream_breaker_open gauge\n"
	    "fzrelay_upstream_breaker_open %d\n",
	    (unsigned long long)js.events, (unsigned long long)js.last_seq,
	    depth, js.map_bytes, js.used_bytes, edge_connections(rq->edge),
	    store_breaker_open(edge_store(rq->edge)));
	len = evbuffer_get_length(b);
	text = (char *)evbuffer_pullup(b, (ssize_t)len);
	reply_raw(rq, 200, "text/plain; version=0.0.4; charset=utf-8", text,
	    len);
	evbuffer_free(b);
}
