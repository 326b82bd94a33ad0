/* SPDX-License-Identifier: MIT */
/*
 * series: per-metric ring buffers of recent samples, at tick resolution.
 * A ring keeps up to its capacity (SR_SERIES_CAP = one hour at 1 s) of
 * (time, float value) points, in blocks of 64 that are packed when full:
 * ticks at a regular step cost 0-1 byte of time a point, and values 0
 * (constant), 1/8 to 1/2 byte (at most 16 distinct in a block) or 4
 * bytes.  Memory grows with the points held, so a metric sampled for a
 * minute costs a minute, and a constant one of an hour a few KiB.  A series set
 * maps metric names to rings.  Not thread-safe: the main loop owns it.
 */
#ifndef SR_CORE_SERIES_H
#define SR_CORE_SERIES_H

#include <stddef.h>
#include <stdint.h>

#define SR_SERIES_CAP 3600

struct sr_series;

/* A ring of at most cap points (cap > 0). */
struct sr_series *sr_series_new(size_t cap);
void sr_series_free(struct sr_series *s);

/*
 * Append a point.  Times must not go backwards (an older point is
 * ignored); the oldest point is dropped when the ring is full.
 */
void sr_series_push(struct sr_series *s, int64_t ts_ms, double value);

/* Points held. */
size_t sr_series_len(const struct sr_series *s);

/* Heap bytes the ring holds (its allocations, as requested). */
size_t sr_series_bytes(const struct sr_series *s);

/* Value / time of the point `age` steps back (0 = newest); NAN / 0. */
double sr_series_at(const struct sr_series *s, size_t age);
int64_t sr_series_ts_at(const struct sr_series *s, size_t age);

/*
 * Copy the last n points (or fewer) into vals (and ts when not NULL),
 * oldest first.  Returns the count copied.
 */
size_t
sr_series_last(const struct sr_series *s, size_t n, float *vals, int64_t *ts);

/*
 * Least-squares line through the points newer than now_ms - window_ms:
 * slope in value units per second and the fitted value at now_ms.
 * Returns the number of points used (no fit, slope NAN, below 2).
 */
size_t sr_series_trend(const struct sr_series *s, int64_t now_ms,
    int64_t window_ms, double *slope_per_s, double *value_now);

/* ---- named sets ---- */

struct sr_series_set;

struct sr_series_set *sr_series_set_new(size_t cap);
void sr_series_set_free(struct sr_series_set *set);

/* Append a sample to the named series (created on first use). */
void sr_series_set_push(struct sr_series_set *set, const char *name,
    const char *unit, int64_t ts_ms, double value);

/* The series of a name, or NULL; borrowed while the set lives. */
const struct sr_series *
sr_series_set_get(const struct sr_series_set *set, const char *name);
const char *
sr_series_set_unit(const struct sr_series_set *set, const char *name);

/* Number of series; name and ring of series i (sorted by name). */
size_t sr_series_set_count(const struct sr_series_set *set);
const char *sr_series_set_name(const struct sr_series_set *set, size_t i);
const struct sr_series *
sr_series_set_at(const struct sr_series_set *set, size_t i);

#endif
