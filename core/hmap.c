/* SPDX-License-Identifier: MIT */
/*
 * hmap: see hmap.h.  Slots hold the hash (its two halves folded into 32
 * bits, which is all that picks a slot), so a probe compares lengths and
 * bytes only on a hash match; a slot is empty when its key is NULL.
 * A slot is 24 bytes.  Capacity is a power of two, at least twice the
 * entries (4/3 of them for SR_HMAP_DENSE); it halves when deletions
 * leave it less than 1/8 full, down to the size asked for at creation.
 */
#include "core/hmap.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define HMAP_MIN_CAP 16

struct hmap_slot {
	const char *key; /* NULL: empty */
	void *val;
	uint32_t h;   /* hmap_fold() of the hash */
	uint32_t len; /* keys are shorter than 4 GiB (sr_hmap_puth) */
};

struct sr_hmap {
	struct hmap_slot *slots;
	size_t cap;	/* power of two */
	size_t min_cap; /* the capacity asked for at creation */
	size_t n;
	unsigned flags;
	void (*free_val)(void *);
};

uint64_t
sr_hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 14695981039346656037ull;
	size_t i = 0;

	/* four bytes a turn: the same FNV-1a, less loop overhead */
	for (; i + 4 <= n; i += 4) {
		h = (h ^ s[i]) * 1099511628211ull;
		h = (h ^ s[i + 1]) * 1099511628211ull;
		h = (h ^ s[i + 2]) * 1099511628211ull;
		h = (h ^ s[i + 3]) * 1099511628211ull;
	}
	for (; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ull;
	return h;
}

uint64_t
sr_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

uint64_t
sr_hash_mix(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 31;
	return h;
}

/* FNV's well-mixed high bits folded down. */
static inline uint32_t
hmap_fold(uint64_t h)
{
	return (uint32_t)(h ^ (h >> 32));
}

/* The home slot of a folded hash. */
static inline size_t
hmap_home(const struct sr_hmap *m, uint32_t f)
{
	return (size_t)f & (m->cap - 1);
}

struct sr_hmap *
sr_hmap_new(size_t hint, unsigned flags, void (*free_val)(void *))
{
	struct sr_hmap *m = sr_xcalloc(1, sizeof(*m));

	m->cap = HMAP_MIN_CAP;
	while (m->cap < hint * 2)
		m->cap *= 2;
	m->min_cap = m->cap;
	m->slots = sr_xcalloc(m->cap, sizeof(*m->slots));
	m->flags = flags;
	m->free_val = free_val;
	return m;
}

/* Free what slot s owns (not the slot itself). */
static void
hmap_drop(struct sr_hmap *m, struct hmap_slot *s)
{
	if (m->flags & SR_HMAP_OWN_KEYS)
		free((char *)s->key);
	if (m->free_val != NULL && s->val != NULL)
		m->free_val(s->val);
}

void
sr_hmap_clear(struct sr_hmap *m)
{
	if (m->n == 0)
		return;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key != NULL)
			hmap_drop(m, &m->slots[i]);
	memset(m->slots, 0, m->cap * sizeof(*m->slots));
	m->n = 0;
}

void
sr_hmap_free(struct sr_hmap *m)
{
	if (m == NULL)
		return;
	sr_hmap_clear(m);
	free(m->slots);
	free(m);
}

size_t
sr_hmap_count(const struct sr_hmap *m)
{
	return m->n;
}

/*
 * The slot holding key, or the empty slot that ends its probe run.
 * Inline: it is the whole of every lookup.
 */
static inline struct hmap_slot *
hmap_find(const struct sr_hmap *m, const void *key, size_t len, uint64_t h)
{
	uint32_t f = hmap_fold(h);
	size_t i = hmap_home(m, f);

	for (;;) {
		struct hmap_slot *s = &m->slots[i];

		if (s->key == NULL ||
		    (s->h == f && s->len == len &&
			memcmp(s->key, key, len) == 0))
			return s;
		i = (i + 1) & (m->cap - 1);
	}
}

void *
sr_hmap_geth(const struct sr_hmap *m, const void *key, size_t len, uint64_t h)
{
	return hmap_find(m, key, len, h)->val;
}

void *
sr_hmap_getn(const struct sr_hmap *m, const void *key, size_t len)
{
	return hmap_find(m, key, len, sr_hash_bytes(key, len))->val;
}

void *
sr_hmap_get(const struct sr_hmap *m, const char *key)
{
	return sr_hmap_getn(m, key, strlen(key));
}

int
sr_hmap_has(const struct sr_hmap *m, const char *key)
{
	size_t len = strlen(key);

	return hmap_find(m, key, len, sr_hash_bytes(key, len))->key != NULL;
}

/* Move every entry into a new slot array of cap slots. */
static void
hmap_resize(struct sr_hmap *m, size_t cap)
{
	struct hmap_slot *old = m->slots;
	size_t ocap = m->cap;

	m->cap = cap;
	m->slots = sr_xcalloc(m->cap, sizeof(*m->slots));
	for (size_t i = 0; i < ocap; i++) {
		size_t j;

		if (old[i].key == NULL)
			continue;
		j = hmap_home(m, old[i].h);
		while (m->slots[j].key != NULL)
			j = (j + 1) & (m->cap - 1);
		m->slots[j] = old[i];
	}
	free(old);
}

const char *
sr_hmap_puth(struct sr_hmap *m, const void *key, size_t len, uint64_t h,
    void *val)
{
	struct hmap_slot *s = hmap_find(m, key, len, h);

	if (s->key != NULL) {
		if (s->val != val && m->free_val != NULL && s->val != NULL)
			m->free_val(s->val);
		s->val = val;
		return s->key;
	}
	if (len > UINT32_MAX)
		SR_BUG("hash map key of 4 GiB or more");
	if ((m->flags & SR_HMAP_DENSE) ? (m->n + 1) * 4 > m->cap * 3
				       : (m->n + 1) * 2 > m->cap) {
		hmap_resize(m, m->cap * 2);
		s = hmap_find(m, key, len, h);
	}
	if (m->flags & SR_HMAP_OWN_KEYS) {
		char *k = sr_xmalloc(len + 1);

		memcpy(k, key, len);
		k[len] = '\0';
		s->key = k;
	} else {
		s->key = key;
	}
	s->h = hmap_fold(h);
	s->len = (uint32_t)len;
	s->val = val;
	m->n++;
	return s->key;
}

const char *
sr_hmap_putn(struct sr_hmap *m, const void *key, size_t len, void *val)
{
	return sr_hmap_puth(m, key, len, sr_hash_bytes(key, len), val);
}

const char *
sr_hmap_put(struct sr_hmap *m, const char *key, void *val)
{
	return sr_hmap_putn(m, key, strlen(key), val);
}

void
sr_hmap_retain(struct sr_hmap *m,
    int (*keep)(void *ctx, const char *key, void *val), void *ctx)
{
	struct hmap_slot *old = m->slots;

	if (m->n == 0)
		return;
	/* Rebuild rather than delete in place: no backward shifts to track
	 * while walking, and every kept entry is moved once. */
	m->slots = sr_xcalloc(m->cap, sizeof(*m->slots));
	m->n = 0;
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;

		if (old[i].key == NULL)
			continue;
		if (!keep(ctx, old[i].key, old[i].val)) {
			hmap_drop(m, &old[i]);
			continue;
		}
		j = hmap_home(m, old[i].h);
		while (m->slots[j].key != NULL)
			j = (j + 1) & (m->cap - 1);
		m->slots[j] = old[i];
		m->n++;
	}
	free(old);
}

int
sr_hmap_deln(struct sr_hmap *m, const void *key, size_t len)
{
	struct hmap_slot *s = hmap_find(m, key, len, sr_hash_bytes(key, len));
	size_t i = (size_t)(s - m->slots), j = i;

	if (s->key == NULL)
		return 0;
	hmap_drop(m, s);
	/* Backward shift: move later members of the run into the hole when
	 * their home slot is not between the hole and them. */
	for (;;) {
		size_t home;

		j = (j + 1) & (m->cap - 1);
		if (m->slots[j].key == NULL)
			break;
		home = hmap_home(m, m->slots[j].h);
		if (((j - home) & (m->cap - 1)) >= ((j - i) & (m->cap - 1))) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	memset(&m->slots[i], 0, sizeof(m->slots[i]));
	m->n--;
	/* give memory back after a mass removal, never below the start */
	if (m->cap > m->min_cap && m->n * 8 < m->cap)
		hmap_resize(m, m->cap / 2);
	return 1;
}

int
sr_hmap_del(struct sr_hmap *m, const char *key)
{
	return sr_hmap_deln(m, key, strlen(key));
}

int
sr_hmap_next(const struct sr_hmap *m, size_t *pos, const char **key, void **val)
{
	for (; *pos < m->cap; (*pos)++) {
		const struct hmap_slot *s = &m->slots[*pos];

		if (s->key == NULL)
			continue;
		if (key != NULL)
			*key = s->key;
		if (val != NULL)
			*val = s->val;
		(*pos)++;
		return 1;
	}
	return 0;
}
