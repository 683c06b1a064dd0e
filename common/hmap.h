/*
 * hmap.h: a string-keyed hash map of fixed-size values, for the
 * in-memory tables of the edge (rate-limit buckets, pending key touches).
 * Keys are copied; values live inside the map and are zeroed on insert.
 */
#ifndef FZ_HMAP_H
#define FZ_HMAP_H

#include <stddef.h>

struct hmap;

/* Returns a map whose values are vsize bytes, or NULL. Caller frees with
 * hmap_free. Not thread-safe: one thread owns a map. */
struct hmap	*hmap_new(size_t vsize);

/* Frees m; NULL is fine. */
void	hmap_free(struct hmap *m);

/* Returns the value for key, or NULL. Borrowed until the key is removed
 * or the map changes size (hmap_put). */
void	*hmap_get(struct hmap *m, const char *key);

/* Returns the value for key, inserting a zeroed one if absent (*created
 * says which), or NULL when out of memory. Borrowed as hmap_get. */
void	*hmap_put(struct hmap *m, const char *key, int *created);

/* Removes key if present. */
void	hmap_del(struct hmap *m, const char *key);

/* Returns the number of entries. */
size_t	hmap_count(const struct hmap *m);

/* Called for each entry; returning 1 removes it. */
typedef int hmap_visit_cb(const char *key, void *value, void *arg);

/* Visits every entry once, in no particular order. */
void	hmap_each(struct hmap *m, hmap_visit_cb *cb, void *arg);

#endif
