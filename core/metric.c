/* SPDX-License-Identifier: MIT */
/*
 * metric: a set of named samples.  Names and units are interned in a
 * hash map owned by the set (it owns the strings); each interned name also
 * remembers where it sits in the entry array for the current generation,
 * so lookup is one hash probe and clearing is a counter bump.
 */
#include "core/metric.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hmap.h"
#include "core/util.h"

struct metric_atom {
	const char *str; /* the map's copy of the string */
	uint32_t gen;	 /* generation idx is valid for */
	size_t idx;	 /* entry index when gen matches */
};

struct sr_metric_set {
	struct sr_metric *v;
	size_t n;
	size_t cap;
	struct sr_hmap *atoms; /* string -> struct metric_atom */
	uint32_t gen;
};

/* The atom for s, interning it if new. */
static struct metric_atom *
metric_intern(struct sr_metric_set *set, const char *s)
{
	size_t len = strlen(s);
	uint64_t h = sr_hash_bytes(s, len);
	struct metric_atom *a = sr_hmap_geth(set->atoms, s, len, h);

	if (a != NULL)
		return a;
	a = sr_xcalloc(1, sizeof(*a));
	a->str = sr_hmap_puth(set->atoms, s, len, h, a);
	return a;
}

static const struct metric_atom *
metric_find(const struct sr_metric_set *set, const char *s)
{
	return sr_hmap_get(set->atoms, s);
}

/* Point each entry's atom at its current index (after a reorder). */
static void
metric_reindex(struct sr_metric_set *set)
{
	set->gen++;
	for (size_t i = 0; i < set->n; i++) {
		struct metric_atom *a = metric_intern(set, set->v[i].name);

		a->gen = set->gen;
		a->idx = i;
	}
}

struct sr_metric_set *
sr_metric_set_new(void)
{
	struct sr_metric_set *set = sr_xcalloc(1, sizeof(*set));

	set->atoms = sr_hmap_new(128, SR_HMAP_OWN_KEYS, free);
	set->gen = 1;
	return set;
}

void
sr_metric_set_free(struct sr_metric_set *set)
{
	if (set == NULL)
		return;
	sr_hmap_free(set->atoms);
	free(set->v);
	free(set);
}

void
sr_metric_set_clear(struct sr_metric_set *set)
{
	set->n = 0;
	set->gen++;
}

void
sr_metric_set_add(struct sr_metric_set *set, const char *name, const char *unit,
    double value)
{
	struct metric_atom *a = metric_intern(set, name);
	const char *u;

	if (a->gen == set->gen && a->idx < set->n &&
	    set->v[a->idx].name == a->str) {
		size_t i = a->idx;

		set->v[i].value = value;
		set->v[i].unit = metric_intern(set, unit)->str;
		return;
	}
	a->gen = set->gen;
	a->idx = set->n;
	name = a->str;
	u = metric_intern(set, unit)->str;
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 64;
		set->v = sr_xrealloc(set->v, set->cap * sizeof(*set->v));
	}
	set->v[set->n].name = name;
	set->v[set->n].unit = u;
	set->v[set->n].value = value;
	set->n++;
}

void
sr_metric_set_addf(struct sr_metric_set *set, const char *unit, double value,
    const char *fmt, ...)
{
	char name[512];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if ((size_t)len < sizeof(name)) {
		sr_metric_set_add(set, name, unit, value);
		return;
	}
	{
		char *big = sr_xmalloc((size_t)len + 1);

		va_start(ap, fmt);
		(void)vsnprintf(big, (size_t)len + 1, fmt, ap);
		va_end(ap);
		sr_metric_set_add(set, big, unit, value);
		free(big);
	}
}

const struct sr_metric *
sr_metric_set_get(const struct sr_metric_set *set, const char *name)
{
	const struct metric_atom *a = metric_find(set, name);

	if (a == NULL || a->gen != set->gen || a->idx >= set->n ||
	    set->v[a->idx].name != a->str)
		return NULL;
	return &set->v[a->idx];
}

int
sr_metric_set_value(const struct sr_metric_set *set, const char *name,
    double *value)
{
	const struct sr_metric *m = sr_metric_set_get(set, name);

	if (m == NULL)
		return 0;
	*value = m->value;
	return 1;
}

size_t
sr_metric_set_count(const struct sr_metric_set *set)
{
	return set->n;
}

const struct sr_metric *
sr_metric_set_at(const struct sr_metric_set *set, size_t i)
{
	return i < set->n ? &set->v[i] : NULL;
}

void
sr_metric_set_foreach(const struct sr_metric_set *set,
    int (*fn)(const struct sr_metric *m, void *arg), void *arg)
{
	for (size_t i = 0; i < set->n; i++)
		if (fn(&set->v[i], arg) != 0)
			return;
}

/* strcmp, except that runs of digits compare by numeric value. */
static int
metric_natcmp(const char *a, const char *b)
{
	while (*a != '\0' && *b != '\0') {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			const char *ea = a, *eb = b;

			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
			for (ea = a; isdigit((unsigned char)*ea); ea++)
				;
			for (eb = b; isdigit((unsigned char)*eb); eb++)
				;
			if (ea - a != eb - b)
				return ea - a < eb - b ? -1 : 1;
			for (; a < ea; a++, b++)
				if (*a != *b)
					return *a < *b ? -1 : 1;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static int
metric_cmp(const void *pa, const void *pb)
{
	const struct sr_metric *a = pa, *b = pb;

	return metric_natcmp(a->name, b->name);
}

void
sr_metric_set_sort(struct sr_metric_set *set)
{
	if (set->n > 1)
		qsort(set->v, set->n, sizeof(*set->v), metric_cmp);
	metric_reindex(set);
}

size_t
sr_metric_set_filter(struct sr_metric_set *set, const char *const *patterns,
    size_t n)
{
	size_t kept = 0;

	if (n == 0)
		return set->n;
	for (size_t i = 0; i < set->n; i++) {
		int match = 0;

		for (size_t j = 0; j < n && !match; j++)
			match = sr_glob(patterns[j], set->v[i].name);
		if (match)
			set->v[kept++] = set->v[i];
	}
	set->n = kept;
	metric_reindex(set);
	return kept;
}

void
sr_metric_set_copy(struct sr_metric_set *dst, const struct sr_metric_set *src)
{
	sr_metric_set_clear(dst);
	for (size_t i = 0; i < src->n; i++)
		sr_metric_set_add(dst, src->v[i].name, src->v[i].unit,
		    src->v[i].value);
}

static void
metric_put(char *dst, size_t cap, const char *s, size_t len)
{
	if (cap == 0)
		return;
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

void
sr_metric_name_split(const char *name, char *family, char *instance,
    char *measure, size_t cap)
{
	const char *first = strchr(name, '.');
	const char *last = strrchr(name, '.');

	if (first == NULL) {
		metric_put(family, cap, name, strlen(name));
		metric_put(instance, cap, "", 0);
		metric_put(measure, cap, "", 0);
		return;
	}
	metric_put(family, cap, name, (size_t)(first - name));
	metric_put(measure, cap, last + 1, strlen(last + 1));
	if (first == last)
		metric_put(instance, cap, "", 0);
	else
		metric_put(instance, cap, first + 1,
		    (size_t)(last - first - 1));
}

const char *
sr_metric_instance_label(const char *family, size_t n)
{
	static const struct {
		const char *family, *label;
	} map[] = {
		{ "cpu", "core" },
		{ "disk", "device" },
		{ "net", "interface" },
		{ "fs", "mount" },
		{ "gpu", "gpu" },
		{ "thermal", "sensor" },
		{ "cgroup", "controller" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].family) == n &&
		    strncmp(map[i].family, family, n) == 0)
			return map[i].label;
	return "instance";
}
