#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/hmap.h"

struct hmap_ent {
	struct hmap_ent	*next;
	uint64_t	 hash;
	char		*key;
	/* value follows, aligned for any type */
	max_align_t	 value[];
};

struct hmap {
	struct hmap_ent	**slots;
	size_t		  nslots;	/* power of two */
	size_t		  count;
	size_t		  vsize;
};

static uint64_t
hmap_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct hmap *
hmap_new(size_t vsize)
{
	struct hmap *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->nslots = 64;
	m->vsize = vsize;
	if ((m->slots = calloc(m->nslots, sizeof(*m->slots))) == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

static void
hmap_ent_free(struct hmap_ent *e)
{
	free(e->key);
	free(e);
}

void
hmap_free(struct hmap *m)
{
	struct hmap_ent *e, *next;
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nslots; i++)
		for (e = m->slots[i]; e != NULL; e = next) {
			next = e->next;
			hmap_ent_free(e);
		}
	free(m->slots);
	free(m);
}

void *
hmap_get(struct hmap *m, const char *key)
{
	uint64_t h = hmap_hash(key);
	struct hmap_ent *e;

	for (e = m->slots[h & (m->nslots - 1)]; e != NULL; e = e->next)
		if (e->hash == h && strcmp(e->key, key) == 0)
			return e->value;
	return NULL;
}

static void
hmap_grow(struct hmap *m)
{
	struct hmap_ent **slots, *e, *next;
	size_t n = m->nslots * 2, i;

	/* Growth is an optimisation: on failure the chains just get longer. */
	if ((slots = calloc(n, sizeof(*slots))) == NULL)
		return;
	for (i = 0; i < m->nslots; i++)
		for (e = m->slots[i]; e != NULL; e = next) {
			next = e->next;
			e->next = slots[e->hash & (n - 1)];
			slots[e->hash & (n - 1)] = e;
		}
	free(m->slots);
	m->slots = slots;
	m->nslots = n;
}

void *
hmap_put(struct hmap *m, const char *key, int *created)
{
	struct hmap_ent *e;
	void *v;
	uint64_t h;

	*created = 0;
	if ((v = hmap_get(m, key)) != NULL)
		return v;
	if (m->count >= m->nslots)
		hmap_grow(m);
	h = hmap_hash(key);
	if ((e = calloc(1, sizeof(*e) + m->vsize)) == NULL)
		return NULL;
	if ((e->key = strdup(key)) == NULL) {
		free(e);
		return NULL;
	}
	e->hash = h;
	e->next = m->slots[h & (m->nslots - 1)];
	m->slots[h & (m->nslots - 1)] = e;
	m->count++;
	*created = 1;
	return e->value;
}

void
hmap_del(struct hmap *m, const char *key)
{
	uint64_t h = hmap_hash(key);
	struct hmap_ent **pp, *e;

	for (pp = &m->slots[h & (m->nslots - 1)]; (e = *pp) != NULL;
	    pp = &e->next) {
		if (e->hash == h && strcmp(e->key, key) == 0) {
			*pp = e->next;
			hmap_ent_free(e);
			m->count--;
			return;
		}
	}
}

size_t
hmap_count(const struct hmap *m)
{
	return m->count;
}

void
hmap_each(struct hmap *m, hmap_visit_cb *cb, void *arg)
{
	struct hmap_ent **pp, *e;
	size_t i;

	for (i = 0; i < m->nslots; i++) {
		pp = &m->slots[i];
		while ((e = *pp) != NULL) {
			if (cb(e->key, e->value, arg)) {
				*pp = e->next;
				hmap_ent_free(e);
				m->count--;
			} else
				pp = &e->next;
		}
	}
}
