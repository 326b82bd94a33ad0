/* SPDX-License-Identifier: MIT */
/*
 * metric: a set of named numeric samples taken at one instant, and the
 * top-process lists that go with a system sample.
 *
 * A metric name is dotted, in base units, with the unit as a suffix of the
 * last component: "cpu.total.busy_pct", "disk.sda.read_bytes_per_s",
 * "fs./.used_pct".  The first component is the family, the last one the
 * measure, and whatever lies between is the instance (it may itself contain
 * dots or slashes: "fs./var/lib.used_pct" has instance "/var/lib").
 *
 * The set owns its names and units: they are interned once and survive
 * sr_metric_set_clear(), so a collector that fills the same set every tick
 * allocates nothing after the first tick.  Pointers into the set (names,
 * entries) are borrowed until the set is freed; entries move on add, sort,
 * filter and clear, interned strings never do.
 */
#ifndef SR_CORE_METRIC_H
#define SR_CORE_METRIC_H

#include <stddef.h>
#include <stdint.h>

struct sr_metric {
	const char *name; /* interned, owned by the set */
	const char *unit; /* "%", "bytes", "bytes/s", "1/s", "s", */
			  /* "ms", "C", "W", "MHz", "" */
	double value;
};

struct sr_metric_set;

/* A new empty set; free with sr_metric_set_free(). */
struct sr_metric_set *sr_metric_set_new(void);
/* Free the set and every string it interned; NULL does nothing. */
void sr_metric_set_free(struct sr_metric_set *set);
/* Drop every entry; interned names are kept for the next fill. */
void sr_metric_set_clear(struct sr_metric_set *set);

/*
 * Add a metric, or overwrite the value and unit of the one already in the
 * set under that name.  name and unit are copied (interned).
 */
void sr_metric_set_add(struct sr_metric_set *set, const char *name,
    const char *unit, double value);
/* Same, the name built with printf-style formatting. */
void sr_metric_set_addf(struct sr_metric_set *set, const char *unit,
    double value, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The entry of that name, or NULL; borrowed until the next change. */
const struct sr_metric *
sr_metric_set_get(const struct sr_metric_set *set, const char *name);
/* Store the value of NAME in *value and return 1, or return 0 if absent. */
int sr_metric_set_value(const struct sr_metric_set *set, const char *name,
    double *value);

/* Number of entries, and entry i (0 <= i < count) in the current order. */
size_t sr_metric_set_count(const struct sr_metric_set *set);
const struct sr_metric *
sr_metric_set_at(const struct sr_metric_set *set, size_t i);

/* Call fn for each entry in order; stops early when fn returns nonzero. */
void sr_metric_set_foreach(const struct sr_metric_set *set,
    int (*fn)(const struct sr_metric *m, void *arg), void *arg);

/*
 * Sort entries by name, numeric runs compared as numbers so "cpu.2" sorts
 * before "cpu.10".
 */
void sr_metric_set_sort(struct sr_metric_set *set);

/*
 * Keep only the entries whose name matches at least one of the n shell
 * glob patterns (sr_glob); n == 0 keeps everything.  Returns the count kept.
 */
size_t sr_metric_set_filter(struct sr_metric_set *set,
    const char *const *patterns, size_t n);

/* Replace dst's entries with copies of src's (names interned in dst). */
void
sr_metric_set_copy(struct sr_metric_set *dst, const struct sr_metric_set *src);

/*
 * Split a metric name into family, instance and measure, each written
 * NUL-terminated into a buffer of size cap (truncated if longer).  A name
 * with two components has an empty instance ("load.1": family "load",
 * measure "1"); a name with one has only a family.
 */
void sr_metric_name_split(const char *name, char *family, char *instance,
    char *measure, size_t cap);

/*
 * The name a family's instance goes by as a label or attribute: "core"
 * for cpu, "device" for disk, "interface" for net, "mount" for fs, "gpu",
 * "sensor" for thermal, "controller" for cgroup, else "instance".  The
 * family is the first n bytes of family.  /metrics and the OTLP export
 * both use it, so a series has the same label in Prometheus and OTLP.
 */
const char *sr_metric_instance_label(const char *family, size_t n);

/* One process in a top list. */
struct sr_procinfo {
	int pid;
	char comm[32];
	char user[32];
	char cmdline[256]; /* arguments joined by spaces; "" unknown */
	double cpu_pct;	   /* of one core over the scan interval */
	uint64_t rss_bytes;
};

#define SR_TOP_N 10

/*
 * The heaviest processes of the latest scan: by CPU % and by resident
 * memory, heaviest first.  A plain value: copy it freely.
 */
struct sr_toplist {
	int n_cpu;
	int n_mem;
	int64_t scan_mono_us; /* when the lists were made */
	struct sr_procinfo cpu[SR_TOP_N];
	struct sr_procinfo mem[SR_TOP_N];
};

#endif
