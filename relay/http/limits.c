#include <math.h>
#include <stdlib.h>

#include "common/hmap.h"
#include "common/log.h"
#include "relay/http/limits.h"

struct bucket {
	double	tokens;
	int64_t	last_ms;
};

struct limiter {
	struct hmap	*map;
	unsigned	 per_minute;
	size_t		 max_entries;
};

struct limiter *
limiter_new(unsigned per_minute, size_t max_entries)
{
	struct limiter *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if ((l->map = hmap_new(sizeof(struct bucket))) == NULL) {
		free(l);
		return NULL;
	}
	l->per_minute = per_minute > 0 ? per_minute : 1;
	l->max_entries = max_entries;
	return l;
}

void
limiter_free(struct limiter *l)
{
	if (l == NULL)
		return;
	hmap_free(l->map);
	free(l);
}

void
limiter_set_rate(struct limiter *l, unsigned per_minute)
{
	l->per_minute = per_minute > 0 ? per_minute : 1;
}

static void
bucket_refill(const struct limiter *l, struct bucket *b, int64_t now_ms)
{
	double cap = l->per_minute;

	if (now_ms > b->last_ms)
		b->tokens += (double)(now_ms - b->last_ms) * cap / 60000.0;
	if (b->tokens > cap)
		b->tokens = cap;
	b->last_ms = now_ms;
}

static void
bucket_info(const struct limiter *l, const struct bucket *b,
    struct limit_info *info)
{
	double per_s = l->per_minute / 60.0;
	double missing = l->per_minute - b->tokens;

	if (info == NULL)
		return;
	info->limit = l->per_minute;
	info->remaining = b->tokens > 0 ? (unsigned)floor(b->tokens) : 0;
	info->reset_s = missing > 0 ? (unsigned)ceil(missing / per_s) : 0;
	info->retry_after_s = b->tokens >= 1 ? 0 :
	    (unsigned)ceil((1 - b->tokens) / per_s);
	if (b->tokens < 1 && info->retry_after_s == 0)
		info->retry_after_s = 1;
}

/* Returns the bucket for name, refilled to now_ms, or NULL when the
 * table is full (the caller then lets the request through). */
static struct bucket *
limiter_bucket(struct limiter *l, const char *name, int64_t now_ms)
{
	struct bucket *b;
	int created;

	if ((b = hmap_get(l->map, name)) == NULL) {
		if (hmap_count(l->map) >= l->max_entries)
			limiter_sweep(l, now_ms);
		if (hmap_count(l->map) >= l->max_entries) {
			log_warn("rate limiter full (%zu entries)",
			    l->max_entries);
			return NULL;
		}
		if ((b = hmap_put(l->map, name, &created)) == NULL)
			return NULL;
		b->tokens = l->per_minute;
		b->last_ms = now_ms;
	}
	bucket_refill(l, b, now_ms);
	return b;
}

static void
limiter_open_info(const struct limiter *l, struct limit_info *info)
{
	if (info == NULL)
		return;
	info->limit = l->per_minute;
	info->remaining = l->per_minute;
	info->reset_s = 0;
	info->retry_after_s = 0;
}

int
limiter_take(struct limiter *l, const char *name, int64_t now_ms,
    struct limit_info *info)
{
	struct bucket *b;
	int ok;

	if ((b = limiter_bucket(l, name, now_ms)) == NULL) {
		limiter_open_info(l, info);
		return 1;
	}
	ok = b->tokens >= 1;
	if (ok)
		b->tokens -= 1;
	bucket_info(l, b, info);
	return ok;
}

struct sweep_arg {
	const struct limiter	*l;
	int64_t			 now_ms;
};

static int
limiter_sweep_cb(const char *key, void *value, void *arg)
{
	struct sweep_arg *a = arg;
	struct bucket *b = value;

	(void)key;
	bucket_refill(a->l, b, a->now_ms);
	return b->tokens >= a->l->per_minute;
}

void
limiter_sweep(struct limiter *l, int64_t now_ms)
{
	struct sweep_arg a = { l, now_ms };

	hmap_each(l->map, limiter_sweep_cb, &a);
}

size_t
limiter_count(const struct limiter *l)
{
	return hmap_count(l->map);
}
