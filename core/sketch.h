/* SPDX-License-Identifier: MIT */
/*
 * sketch: a mergeable quantile sketch with bounded relative error
 * (logarithmic buckets, as in DDSketch).  For any quantile q the value
 * returned is within SR_SKETCH_REL_ERR (relative) of the exact
 * nearest-rank quantile of the values added.  Memory is bounded: at most
 * SR_SKETCH_MAX_BINS bins (the lowest bins collapse first, so the error
 * bound can only loosen for the smallest values).  Values <= 0 count in a
 * zero bin.  Bin counts are 32-bit: a bin saturates at 4,294,967,295
 * values (in one sketch), far beyond any window, rollup or report.
 */
#ifndef SR_CORE_SKETCH_H
#define SR_CORE_SKETCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

#define SR_SKETCH_REL_ERR 0.005
#define SR_SKETCH_MAX_BINS 4096

struct sr_sketch;

struct sr_sketch *sr_sketch_new(void);
void sr_sketch_free(struct sr_sketch *s);
void sr_sketch_reset(struct sr_sketch *s);
void sr_sketch_add(struct sr_sketch *s, double v);
void sr_sketch_add_n(struct sr_sketch *s, double v, uint64_t n);
/* dst += src; src unchanged. */
void sr_sketch_merge(struct sr_sketch *dst, const struct sr_sketch *src);
uint64_t sr_sketch_count(const struct sr_sketch *s);
/*
 * Keep the bins in as few bytes as their counts need (1 or 2 a bin, or
 * 4 without spare room), for a sketch that is done changing (a closed
 * bucket).  Every reader gives the same results; a later change unpacks
 * the bins first.
 */
void sr_sketch_pack(struct sr_sketch *s);
/* Heap bytes the sketch holds (its allocations, as requested). */
size_t sr_sketch_bytes(const struct sr_sketch *s);
/*
 * dst -= src, where src's values were merged into dst before (sliding
 * windows: a bucket leaving the window).  Bin counts are exact; empty
 * edge bins are trimmed.  min and max cannot be taken back: they are
 * left as they were, for the caller to set with sr_sketch_set_minmax.
 */
void sr_sketch_sub(struct sr_sketch *dst, const struct sr_sketch *src);
/* Overwrite the exact min and max (ignored when s is empty). */
void sr_sketch_set_minmax(struct sr_sketch *s, double min, double max);
/*
 * Nearest-rank quantile (rank = ceil(q * count), at least 1), q in [0, 1]:
 * the representative value of the bin holding that rank, clamped to
 * [min, max]; rank 1 and rank count return the exact min and max.  NAN
 * when empty.
 */
double sr_sketch_quantile(const struct sr_sketch *s, double q);
/* The same for n quantiles q[0] <= q[1] <= ... in one pass over the bins. */
void sr_sketch_quantiles(const struct sr_sketch *s, const double *q,
    double *out, size_t n);
/* Exact min and max of the values added; NAN when empty. */
double sr_sketch_min(const struct sr_sketch *s);
double sr_sketch_max(const struct sr_sketch *s);
/* Compact, portable binary form (appended to out). */
void sr_sketch_encode(const struct sr_sketch *s, struct sr_buf *out);
/* Merge an encoded sketch into s; -1 with detail on a malformed blob. */
int sr_sketch_merge_encoded(struct sr_sketch *s, const void *p, size_t n,
    struct sr_err *err);

#endif
